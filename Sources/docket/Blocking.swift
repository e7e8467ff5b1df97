import Foundation

/// Holds the result of async work for the thread that waits on it.
private final class ResultBox<Value>: @unchecked Sendable {
    var result: Result<Value, Error>?
}

/// Runs async work from a synchronous command and waits for its result. Commands are
/// synchronous; only capture needs concurrency, for its HTTP requests.
func runBlocking<Value: Sendable>(_ body: @escaping @Sendable () async throws -> Value) throws -> Value {
    let box = ResultBox<Value>()
    let semaphore = DispatchSemaphore(value: 0)
    Task.detached {
        do {
            box.result = .success(try await body())
        } catch {
            box.result = .failure(error)
        }
        semaphore.signal()
    }
    semaphore.wait()
    return try box.result!.get()
}
