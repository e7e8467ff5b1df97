import Foundation

/// How the client talks to Heroku: where, how fast, and how hard it retries.
public struct ClientConfiguration: Sendable {
    public var apiURL: URL
    public var dataAPIURL: URL
    /// Requests in flight at once.
    public var concurrency: Int = 4
    /// The `RateLimit-Remaining` budget the client never spends below; it waits for the
    /// bucket to refill instead.
    public var minimumRateLimit: Int = 500
    /// Heroku's documented refill rate of the per-account token bucket, 75 tokens a minute.
    public var rateLimitRefillPerMinute: Double = 75
    /// Attempts per request for 429, 5xx, timeouts and network errors, the first included.
    public var maximumAttempts: Int = 5
    /// First delay of the exponential backoff for 5xx and network errors, in seconds.
    public var retryBaseDelay: Double = 1
    /// Upper bound, in seconds, on the time one request may spend in retries.
    public var maximumRetryTime: Double = 900
    /// Timeout of one HTTP request, in seconds.
    public var requestTimeout: Double = 30
    /// Items per page requested in `Range` headers; Heroku's maximum is 1000.
    public var pageSize: Int = 1000
    /// Pages followed per listing before the listing is declared broken.
    public var maximumPages: Int = 10_000

    public init(apiURL: URL, dataAPIURL: URL) {
        self.apiURL = apiURL
        self.dataAPIURL = dataAPIURL
    }

    /// Parses an API base URL given on the command line.
    /// - Throws: `DocketError` (usage) naming the option and value.
    public static func parseBaseURL(_ text: String, option: String) throws -> URL {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "https" || scheme == "http", let host = components.host, !host.isEmpty,
            components.query == nil, components.user == nil, let url = components.url
        else {
            throw DocketError(
                .usage,
                "invalid URL \"\(text)\" for --\(option): expected an http or https base URL without credentials or query, such as https://api.heroku.com")
        }
        return url
    }
}
