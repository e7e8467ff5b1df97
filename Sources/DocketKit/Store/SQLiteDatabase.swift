internal import CSQLite
import Foundation

/// A failed SQLite call: the result code, SQLite's own message and what Docket was doing.
public struct SQLiteError: Error, CustomStringConvertible, Sendable {
    public let code: Int32
    public let message: String
    public let context: String

    public var description: String { "\(context): \(message) (SQLite code \(code))" }

    /// True for SQLITE_BUSY and SQLITE_LOCKED, which a retry or a wait can clear.
    public var isBusy: Bool { code & 0xFF == SQLITE_BUSY || code & 0xFF == SQLITE_LOCKED }
}

/// One SQLite connection. It is not shared across threads: each command opens its own.
public final class SQLiteDatabase {
    private let handle: OpaquePointer
    public let path: String
    /// Statements `query` prepared, by SQL text. Reads look up objects one by one, and
    /// preparing each lookup again took as long as running it.
    private var preparedStatements: [String: SQLiteStatement] = [:]

    /// Opens (or, with `create`, creates) the database file at `path`.
    /// - Throws: `SQLiteError` with SQLite's message when the file cannot be opened.
    /// With `immutable`, SQLite reads the file without any lock or shared-memory file, which
    /// is how a WAL database in a folder the user cannot write is read; it must not change
    /// while open.
    public init(path: String, readOnly: Bool = false, create: Bool = false, immutable: Bool = false) throws {
        var flags = readOnly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE
        if create && !readOnly { flags |= SQLITE_OPEN_CREATE }
        flags |= SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        var pointer: OpaquePointer?
        let code = sqlite3_open_v2(Self.uri(path: path, immutable: immutable), &pointer, flags, nil)
        guard code == SQLITE_OK, let pointer else {
            let message = pointer.map { String(cString: sqlite3_errmsg($0)) } ?? "out of memory"
            sqlite3_close_v2(pointer)
            throw SQLiteError(code: code, message: message, context: "opening \(path)")
        }
        self.handle = pointer
        self.path = path
        sqlite3_extended_result_codes(handle, 1)
        sqlite3_busy_timeout(handle, 10_000)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// A `file:` URI for `path`, so that names with `?` or `#` are read as names.
    static func uri(path: String, immutable: Bool) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "?#%")
        let escaped = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
        return "file:" + escaped + (immutable ? "?immutable=1" : "")
    }

    func error(_ code: Int32, _ context: String) -> SQLiteError {
        SQLiteError(code: code, message: String(cString: sqlite3_errmsg(handle)), context: context)
    }

    /// Runs one or more SQL statements that return no rows.
    public func execute(_ sql: String) throws {
        var message: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(handle, sql, nil, nil, &message)
        guard code == SQLITE_OK else {
            let text = message.map { String(cString: $0) } ?? "unknown error"
            sqlite3_free(message)
            throw SQLiteError(code: code, message: text, context: "running \(sql.prefix(60))")
        }
    }

    public func prepare(_ sql: String) throws -> SQLiteStatement {
        var pointer: OpaquePointer?
        let code = sqlite3_prepare_v2(handle, sql, -1, &pointer, nil)
        guard code == SQLITE_OK, let pointer else {
            throw error(code, "preparing \(sql.prefix(60))")
        }
        return SQLiteStatement(handle: pointer, sql: sql)
    }

    /// Runs `sql` with `arguments` and returns every row. The statement is prepared once
    /// per connection and kept for the next call with the same text.
    @discardableResult
    public func query(_ sql: String, _ arguments: [SQLiteValue] = []) throws -> [SQLiteRow] {
        let statement = try cachedStatement(sql)
        // A finished or failed statement must not hold its read lock until the next call.
        defer { statement.reset() }
        try statement.bind(arguments)
        var rows: [SQLiteRow] = []
        while let row = try statement.step() {
            rows.append(row)
        }
        return rows
    }

    /// Runs `sql` with `arguments` as `query` does, and calls `read` with the columns of each
    /// row in place instead of building a `SQLiteRow`. Reading an object decodes a row per
    /// step of its delta chain, and building values and arrays for each row took about 1 % of
    /// a diff's CPU time. The columns are valid only during the call.
    public func forEachRow(_ sql: String, _ arguments: [SQLiteValue], _ read: (SQLiteColumns) throws -> Void) throws {
        let statement = try cachedStatement(sql)
        defer { statement.reset() }
        try statement.bind(arguments)
        while let columns = try statement.stepInPlace() {
            try read(columns)
        }
    }

    /// Returns the statement prepared for `sql` on this connection, preparing it the first time.
    private func cachedStatement(_ sql: String) throws -> SQLiteStatement {
        if let prepared = preparedStatements[sql] {
            return prepared
        }
        let statement = try prepare(sql)
        preparedStatements[sql] = statement
        return statement
    }

    public var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    public var changes: Int { Int(sqlite3_changes(handle)) }

    /// Runs `body` inside `BEGIN IMMEDIATE … COMMIT`; any thrown error rolls back and is rethrown.
    public func inTransaction<Result>(_ body: () throws -> Result) throws -> Result {
        try execute("BEGIN IMMEDIATE")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// Runs `body` in the transaction already open, or else in a new one, so that what it
    /// writes is committed whole or not at all.
    public func withinTransaction<Result>(_ body: () throws -> Result) throws -> Result {
        isInTransaction ? try body() : try inTransaction(body)
    }

    /// True while a transaction is open on this connection.
    public var isInTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    /// Closes the connection now, reporting a failure that `deinit` would have to ignore.
    public func close() throws {
        preparedStatements = [:]
        let code = sqlite3_close(handle)
        guard code == SQLITE_OK else { throw error(code, "closing \(path)") }
    }
}

/// A value bound to or read from SQLite.
public enum SQLiteValue: Sendable, Equatable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case blob([UInt8])

    public var int64: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    public var string: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    public var bytes: [UInt8]? {
        switch self {
        case .blob(let value): return value
        case .text(let value): return Array(value.utf8)
        default: return nil
        }
    }
}

/// Lets callers write `nil`, integers and strings directly in argument lists.
extension SQLiteValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .integer(value) }
    public init(nilLiteral: ()) { self = .null }

    public init(_ text: String?) { self = text.map { .text($0) } ?? .null }
    public init(_ number: Int?) { self = number.map { .integer(Int64($0)) } ?? .null }
    public init(_ number: Int64?) { self = number.map { .integer($0) } ?? .null }
    public init(_ flag: Bool) { self = .integer(flag ? 1 : 0) }
}

/// One result row, read by column position.
public struct SQLiteRow: Sendable {
    public let values: [SQLiteValue]

    public subscript(index: Int) -> SQLiteValue { values[index] }

    public func string(_ index: Int) -> String? { values[index].string }
    public func int(_ index: Int) -> Int64? { values[index].int64 }
    public func bytes(_ index: Int) -> [UInt8]? { values[index].bytes }
}

/// The columns of a statement's current row, read in place (see `forEachRow`).
public struct SQLiteColumns {
    fileprivate let handle: OpaquePointer

    /// Returns the integer in `column`, or nil when it is NULL.
    public func int(_ column: Int32) -> Int64? {
        sqlite3_column_type(handle, column) == SQLITE_NULL ? nil : sqlite3_column_int64(handle, column)
    }

    /// Returns a copy of the blob or text in `column`, empty when it is NULL or empty.
    public func bytes(_ column: Int32) -> [UInt8] {
        // The pointer is read before the count, an order SQLite documents as safe, because a
        // type conversion in a later call can invalidate a pointer returned earlier.
        guard let pointer = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, column))))
    }
}

/// A prepared statement, finalized when released.
public final class SQLiteStatement {
    private let handle: OpaquePointer
    private let sql: String

    init(handle: OpaquePointer, sql: String) {
        self.handle = handle
        self.sql = sql
    }

    /// Returns the statement to its start and releases its locks. Bindings stay.
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Builds an error with the connection's message. A statement does not keep its database
    /// object, so the database can cache statements without a reference cycle.
    private func error(_ code: Int32, _ context: String) -> SQLiteError {
        SQLiteError(code: code, message: String(cString: sqlite3_errmsg(sqlite3_db_handle(handle))), context: context)
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// Resets the statement and binds `arguments` to its parameters, in order. Text and blobs
    /// are bound as copies (SQLITE_TRANSIENT), so no Swift buffer has to outlive the call.
    public func bind(_ arguments: [SQLiteValue]) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        for (offset, argument) in arguments.enumerated() {
            let position = Int32(offset + 1)
            let code: Int32
            switch argument {
            case .null: code = sqlite3_bind_null(handle, position)
            case .integer(let value): code = sqlite3_bind_int64(handle, position, value)
            case .real(let value): code = sqlite3_bind_double(handle, position, value)
            case .text(let value): code = sqlite3_bind_text(handle, position, value, -1, docket_sqlite_transient())
            case .blob(let value):
                code = value.withUnsafeBytes {
                    sqlite3_bind_blob(handle, position, $0.baseAddress, Int32($0.count), docket_sqlite_transient())
                }
            }
            guard code == SQLITE_OK else { throw error(code, "binding parameter \(position) of \(sql.prefix(60))") }
        }
    }

    /// Steps once: a row, or nil when the statement is done.
    public func step() throws -> SQLiteRow? {
        let code = sqlite3_step(handle)
        if code == SQLITE_DONE { return nil }
        guard code == SQLITE_ROW else { throw error(code, "running \(sql.prefix(60))") }
        let count = sqlite3_column_count(handle)
        var values: [SQLiteValue] = []
        values.reserveCapacity(Int(count))
        for column in 0..<count {
            values.append(readColumn(column))
        }
        return SQLiteRow(values: values)
    }

    /// Steps once: the row's columns to read in place, or nil when the statement is done.
    func stepInPlace() throws -> SQLiteColumns? {
        let code = sqlite3_step(handle)
        if code == SQLITE_DONE { return nil }
        guard code == SQLITE_ROW else { throw error(code, "running \(sql.prefix(60))") }
        return SQLiteColumns(handle: handle)
    }

    /// Binds `arguments` and runs the statement to completion, ignoring any rows.
    public func run(_ arguments: [SQLiteValue]) throws {
        try bind(arguments)
        while try step() != nil {}
    }

    private func readColumn(_ column: Int32) -> SQLiteValue {
        switch sqlite3_column_type(handle, column) {
        case SQLITE_INTEGER: return .integer(sqlite3_column_int64(handle, column))
        case SQLITE_FLOAT: return .real(sqlite3_column_double(handle, column))
        case SQLITE_TEXT: return .text(String(cString: sqlite3_column_text(handle, column)))
        case SQLITE_BLOB:
            let count = Int(sqlite3_column_bytes(handle, column))
            guard count > 0, let pointer = sqlite3_column_blob(handle, column) else { return .blob([]) }
            return .blob(Array(UnsafeRawBufferPointer(start: pointer, count: count)))
        default: return .null
        }
    }
}
