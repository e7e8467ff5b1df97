import Testing

@testable import DocketKit

@Suite("recent values")
struct RecentValuesTests {
    @Test("oldest dropped past the count")
    func countLimit() {
        var cache = RecentValues<Int, [UInt8]>(maximumCount: 2, maximumCost: 100) { $0.count }
        cache.insert([1], for: 1)
        cache.insert([2], for: 2)
        cache.insert([3], for: 3)
        #expect(cache[1] == nil)
        #expect(cache[2] == [2])
        #expect(cache[3] == [3])
    }

    @Test("oldest dropped past the cost")
    func costLimit() {
        var cache = RecentValues<Int, [UInt8]>(maximumCount: 10, maximumCost: 5) { $0.count }
        cache.insert([1, 1, 1], for: 1)
        cache.insert([2, 2], for: 2)
        cache.insert([3, 3], for: 3)
        #expect(cache[1] == nil)
        #expect(cache[2] == [2, 2])
        #expect(cache[3] == [3, 3])
    }

    @Test("value over the cost is not kept")
    func oversizedValue() {
        var cache = RecentValues<Int, [UInt8]>(maximumCount: 10, maximumCost: 2) { $0.count }
        cache.insert([1], for: 1)
        cache.insert([2, 2, 2], for: 2)
        #expect(cache[2] == nil)
        #expect(cache[1] == [1])
    }

    @Test("removed value can be kept again")
    func removal() {
        var cache = RecentValues<Int, [UInt8]>(maximumCount: 2, maximumCost: 100) { $0.count }
        cache.insert([1], for: 1)
        cache.removeValue(for: 1)
        #expect(cache[1] == nil)
        cache.insert([9], for: 1)
        #expect(cache[1] == [9])
        cache.insert([2], for: 2)
        #expect(cache[2] == [2])
    }

    @Test("value inserted again outlives older")
    func reinsertedOrder() {
        var cache = RecentValues<Int, [UInt8]>(maximumCount: 3, maximumCost: 100) { $0.count }
        cache.insert([1], for: 1)
        cache.insert([2], for: 2)
        cache.removeValue(for: 1)
        cache.insert([9], for: 1)
        cache.insert([3], for: 3)
        // Full: the oldest value kept is 2, inserted before 1 was inserted again.
        cache.insert([4], for: 4)
        #expect(cache[1] == [9])
        #expect(cache[2] == nil)
        #expect(cache[3] == [3])
        #expect(cache[4] == [4])
    }

    @Test("long use keeps the newest values")
    func longUse() {
        var cache = RecentValues<Int, [UInt8]>(maximumCount: 3, maximumCost: 100) { $0.count }
        for key in 0..<1000 {
            cache.insert([UInt8(key % 256)], for: key)
        }
        #expect(cache[996] == nil)
        #expect(cache[997] == [UInt8(997 % 256)])
        #expect(cache[999] == [UInt8(999 % 256)])
    }
}
