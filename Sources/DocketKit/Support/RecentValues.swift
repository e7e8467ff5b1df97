/// Values a command read most recently, by key. It keeps at most `maximumCount` values whose
/// costs add up to at most `maximumCost`, dropping the oldest first, so memory stays flat
/// however much the command reads.
struct RecentValues<Key: Hashable, Value> {
    let maximumCount: Int
    let maximumCost: Int
    let cost: (Value) -> Int
    /// Each value with the number of its insertion, which its entry in `order` carries too.
    private var values: [Key: (value: Value, insertion: Int)] = [:]
    private var order: [(key: Key, insertion: Int)] = []
    private var oldest = 0
    private var insertions = 0
    private var totalCost = 0

    init(maximumCount: Int, maximumCost: Int, cost: @escaping (Value) -> Int) {
        self.maximumCount = maximumCount
        self.maximumCost = maximumCost
        self.cost = cost
    }

    subscript(key: Key) -> Value? {
        values[key]?.value
    }

    /// Keeps `value` under `key`, unless the key is already kept or the value alone costs
    /// more than `maximumCost`.
    mutating func insert(_ value: Value, for key: Key) {
        let valueCost = cost(value)
        guard values[key] == nil, valueCost <= maximumCost else { return }
        while values.count >= maximumCount || totalCost + valueCost > maximumCost {
            let evicted = order[oldest]
            oldest += 1
            // An entry of a value removed, and perhaps inserted again since, evicts nothing.
            if values[evicted.key]?.insertion == evicted.insertion {
                forget(evicted.key)
            }
        }
        // Dropped entries stay at the front of `order` until they outnumber the kept ones.
        if oldest > values.count {
            order.removeFirst(oldest)
            oldest = 0
        }
        insertions += 1
        order.append((key, insertions))
        values[key] = (value, insertions)
        totalCost += valueCost
    }

    /// Forgets the value under `key`, so that a later `insert` for it is kept.
    mutating func removeValue(for key: Key) {
        forget(key)
    }

    private mutating func forget(_ key: Key) {
        totalCost -= values.removeValue(forKey: key).map { cost($0.value) } ?? 0
    }
}
