import Foundation

/// An exclusive lock held by one capture at a time: `flock` on `<store>.lock`, which the
/// kernel releases when the process dies, so a killed capture never leaves a stale lock.
/// The file records the holder's pid and start time for the message a second capture prints.
public final class StoreLock {
    public struct Holder: Sendable {
        public let pid: Int
        public let startedAt: String
    }

    public enum LockError: Error, CustomStringConvertible {
        case held(path: String, holder: Holder?)
        case cannotOpen(path: String, reason: String)

        public var description: String {
            switch self {
            case .held(let path, let holder):
                let who = holder.map { "process \($0.pid), running since \($0.startedAt)" } ?? "another process"
                return "the store is locked by \(who) (lock file \(path)). Wait for that capture to finish; the lock is released when it exits."
            case .cannotOpen(let path, let reason):
                return "cannot open the lock file \(path): \(reason). Check the folder's permissions."
            }
        }
    }

    private let descriptor: Int32
    public let path: String

    /// Takes the lock without waiting.
    /// - Throws: `LockError.held` naming the holder when another process has it.
    public init(storePath: String, startedAt: String) throws {
        path = storePath + ".lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw LockError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let holder = Self.readHolder(descriptor)
            close(descriptor)
            throw LockError.held(path: path, holder: holder)
        }
        self.descriptor = descriptor
        let record = "pid=\(getpid())\nstarted_at=\(startedAt)\n"
        ftruncate(descriptor, 0)
        _ = record.withCString { pwrite(descriptor, $0, strlen($0), 0) }
        fsync(descriptor)
    }

    deinit {
        ftruncate(descriptor, 0)
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// Whether a capture holds the lock of the store at `storePath` right now: `.held` with
    /// the holder when it does, `.free` when it does not, `.unknown` when the lock file
    /// cannot be read.
    public static func probe(storePath: String) -> LockState {
        let descriptor = open(storePath + ".lock", O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return errno == ENOENT ? .free : .unknown }
        defer { close(descriptor) }
        guard flock(descriptor, LOCK_SH | LOCK_NB) == 0 else {
            return .held(readHolder(descriptor))
        }
        flock(descriptor, LOCK_UN)
        return .free
    }

    public enum LockState: Sendable {
        case held(Holder?)
        case free
        case unknown
    }

    private static func readHolder(_ descriptor: Int32) -> Holder? {
        var buffer = [UInt8](repeating: 0, count: 256)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        var fields: [String: String] = [:]
        for line in String(decoding: buffer.prefix(count), as: UTF8.self).split(separator: "\n") {
            let parts = line.split(separator: "=", maxSplits: 1)
            if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
        }
        guard let pid = fields["pid"].flatMap(Int.init), let startedAt = fields["started_at"] else { return nil }
        return Holder(pid: pid, startedAt: startedAt)
    }
}
