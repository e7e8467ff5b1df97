import Foundation

/// Work that runs on a thread of its own while the caller goes on, for the commands that can
/// use a second core. The caller must call `wait()` before it returns, even on its own error
/// path, so that no work outlives the command.
final class BackgroundWork<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var outcome: Result<Value, Error>?

    /// Starts `body` on a new thread with an 8 MiB stack, the usual size of a Linux main
    /// thread's, because parsing and rendering JSON recurse once per level of nesting.
    init(_ body: @escaping @Sendable () throws -> Value) {
        let thread = Thread { [self] in
            let result = Result { try body() }
            condition.lock()
            outcome = result
            condition.broadcast()
            condition.unlock()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Waits for the work to finish and returns its value.
    /// - Throws: what the work threw.
    func wait() throws -> Value {
        condition.lock()
        defer { condition.unlock() }
        while outcome == nil {
            condition.wait()
        }
        return try outcome!.get()
    }
}

/// Lends a value that is not `Sendable`, such as a second connection to the store, to work
/// on another thread. The lender does not touch the value until it has waited for that work.
struct Lent<Value>: @unchecked Sendable {
    let value: Value

    init(_ value: Value) {
        self.value = value
    }
}

/// Hands out the positions of a shared list of work, each once, to the threads that work
/// through it, so that a thread whose items were quick takes more instead of waiting for the
/// other.
final class WorkPositions: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private let count: Int

    init(count: Int) {
        self.count = count
    }

    /// Returns the next position no thread has taken, or nil when none is left or the work stopped.
    func take() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < count else { return nil }
        next += 1
        return next - 1
    }

    /// Hands out no more positions, so that the other threads stop after a failure.
    func stop() {
        lock.lock()
        next = count
        lock.unlock()
    }
}
