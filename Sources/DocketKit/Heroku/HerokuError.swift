import Foundation

/// A request to Heroku that failed for good: after retries for transient failures, at once
/// for the others.
public struct HerokuRequestError: Error, CustomStringConvertible, Sendable {
    public enum Kind: Sendable {
        /// 401: the token is missing, invalid or expired.
        case unauthorized
        /// 403: the token's scope or the account's permissions do not allow this request.
        case forbidden
        case notFound
        /// Network failure, timeout, 429 or 5xx after the retries ran out.
        case transient
        /// Any other status, or a 2xx whose body is not the JSON expected.
        case other
    }

    public let kind: Kind
    /// The request template, such as `GET /apps/{app}/domains`.
    public let endpoint: String
    public let status: Int
    public var message: String
    /// The `Accept-Ranges` header of a 416 response: the fields this list can be ranged on.
    public var acceptRanges: String? = nil

    public var description: String {
        let statusText = status > 0 ? "HTTP \(status)" : "no response"
        return "\(endpoint) failed (\(statusText)): \(message)"
    }

    /// The failure without the endpoint, such as `HTTP 503: Internal server error`, for
    /// places that already name the endpoint.
    public var reason: String {
        (status > 0 ? "HTTP \(status): " : "no response: ") + message
    }
}

/// Heroku's error body is `{"id": ..., "message": ...}`, but an HTML page sometimes arrives
/// with a JSON content type; this extracts a short, printable message from either.
enum ErrorBody {
    static func message(from data: Data) -> String {
        if let value = try? JSONParser.parse(data), let message = value["message"]?.stringValue {
            let id = value["id"]?.stringValue.map { "\($0): " } ?? ""
            return Redactor.redactString(id + message.replacingOccurrences(of: "\n", with: " "))
        }
        let text = String(decoding: data.prefix(2048), as: UTF8.self)
        let withoutTags = text.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        let collapsed = withoutTags.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
        guard !collapsed.isEmpty else { return "empty body" }
        return "non-JSON body: " + Redactor.redactString(String(collapsed.prefix(160)))
    }
}
