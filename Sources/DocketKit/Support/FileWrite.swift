import Foundation

/// Writing to an open file descriptor, for the writers that manage their own file.
enum FileWrite {
    /// Writes all of `bytes` to `descriptor`, writing again after a partial write or one a
    /// signal interrupted. Returns false when a write fails, with `errno` set.
    static func all(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                return false
            }
            offset += written
        }
        return true
    }
}
