/// Values a command read most recently, by key. It keeps at most `maximumCount` values whose
/// costs add up to at most `maximumCost`, dropping the oldest first, so memory stays flat
/// however much the command reads.
struct RecentValues<Key: Hashable, Value> {
    let maximumCount: Int
    let maximumCost: Int
    let cost: (Value) -> Int
    private var values: [Key: Value] = [:]
    private var order: [Key] = []
    private var oldest = 0
    private var totalCost = 0

    init(maximumCount: Int, maximumCost: Int, cost: @escaping (Value) -> Int) {
        self.maximumCount = maximumCount
        self.maximumCost = maximumCost
        self.cost = cost
    }

    subscript(key: Key) -> Value? {
        values[key]
    }

    /// Keeps `value` under `key`, unless the key is already kept or the value alone costs
    /// more than `maximumCost`.
    mutating func insert(_ value: Value, for key: Key) {
        let valueCost = cost(value)
        guard values[key] == nil, valueCost <= maximumCost else { return }
        while values.count >= maximumCount || totalCost + valueCost > maximumCost {
            let evicted = order[oldest]
            oldest += 1
            totalCost -= values.removeValue(forKey: evicted).map(cost) ?? 0
        }
        // Dropped keys stay at the front of `order` until they outnumber the kept ones.
        if oldest > values.count {
            order.removeFirst(oldest)
            oldest = 0
        }
        order.append(key)
        values[key] = value
        totalCost += valueCost
    }

    /// Forgets the value under `key`, so that a later `insert` for it is kept.
    mutating func removeValue(for key: Key) {
        // The key stays in `order`, where eviction finds nothing under it.
        totalCost -= values.removeValue(forKey: key).map(cost) ?? 0
    }
}
