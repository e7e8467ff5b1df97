import Foundation

/// Admits requests so that at most `concurrency` are in flight and the rate-limit budget is
/// never spent below the floor. The budget estimate is the last `RateLimit-Remaining` seen,
/// minus requests in flight, plus the refill since it was seen.
actor RequestGate {
    private let concurrency: Int
    private let floor: Int
    private let refillPerSecond: Double
    private var inFlight = 0
    /// The budget estimate at `lastSeen`, fractional because refill is continuous.
    private var lastRemaining: Double?
    private var lastSeen = Date()
    private var waiters: [CheckedContinuation<Void, Never>] = []
    /// Seconds spent waiting for the budget to refill, reported in the run summary.
    private(set) var pacedSeconds: Double = 0
    /// The lowest budget any response reported.
    private(set) var lowestRemaining: Int?

    init(concurrency: Int, floor: Int, refillPerMinute: Double) {
        self.concurrency = max(1, concurrency)
        self.floor = max(0, floor)
        self.refillPerSecond = max(refillPerMinute, 0.001) / 60
    }

    /// Called with the length of a wait for the budget, in seconds, when it is long enough
    /// to be worth a log line.
    private var waitObserver: (@Sendable (Double) -> Void)?
    private var lastAnnouncedWait = Date.distantPast

    func observeWaits(_ observer: @escaping @Sendable (Double) -> Void) {
        waitObserver = observer
    }

    /// Waits for a free slot, then for enough budget above the floor.
    func acquire() async {
        while inFlight >= concurrency {
            await withCheckedContinuation { waiters.append($0) }
        }
        inFlight += 1
        while let wait = secondsUntilBudget(), wait > 0 {
            pacedSeconds += wait
            announce(wait)
            try? await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000))
        }
    }

    /// Returns the wait, in seconds, a new request would face for the budget now; 0 when none.
    func expectedWait() -> Double {
        inFlight += 1
        defer { inFlight -= 1 }
        return secondsUntilBudget() ?? 0
    }

    /// Reports waits of 5 s or more, at most once a minute, so the journal shows why a
    /// capture is idle.
    private func announce(_ wait: Double) {
        guard wait >= 5, Date().timeIntervalSince(lastAnnouncedWait) >= 60 else { return }
        lastAnnouncedWait = Date()
        waitObserver?(wait)
    }

    /// Frees the slot and records the budget the response reported.
    func release(remaining: Int?) {
        inFlight -= 1
        if let remaining {
            // Responses can arrive out of order, so an older, higher figure must not replace a
            // newer, lower one: keep the lower of the report and the refilled estimate.
            let now = Date()
            let estimate = lastRemaining.map { $0 + now.timeIntervalSince(lastSeen) * refillPerSecond }
            lastRemaining = min(Double(remaining), estimate ?? Double(remaining))
            lastSeen = now
            lowestRemaining = min(lowestRemaining ?? remaining, remaining)
        }
        if !waiters.isEmpty {
            waiters.removeFirst().resume()
        }
    }

    /// Records an empty bucket (a 429), so that every request waits for the refill.
    func exhausted() {
        lastRemaining = 0
        lastSeen = Date()
    }

    private func secondsUntilBudget() -> Double? {
        guard let lastRemaining else { return nil }
        // Whole tokens only: Heroku reports the budget as an integer, so a fractional refill
        // is not yet spendable. This request is counted in inFlight, like every other request
        // that has no response yet.
        let refilled = (lastRemaining + Date().timeIntervalSince(lastSeen) * refillPerSecond).rounded(.down)
        let available = refilled - Double(inFlight)
        let needed = Double(floor) - available
        guard needed > 0 else { return nil }
        return (needed + 1) / refillPerSecond
    }
}
