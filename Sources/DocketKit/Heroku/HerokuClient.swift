import Foundation

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// One HTTP response: status, lowercased headers and body.
struct HerokuResponse: Sendable {
    let status: Int
    let headers: [String: String]
    let body: Data

    func header(_ name: String) -> String? {
        headers[name.lowercased()]
    }
}

/// The API a request goes to. The Platform API is paced by `RateLimit-Remaining` and
/// paginated with `Range`; the data API serves Postgres and Redis details.
enum HerokuAPI: Sendable {
    case platform
    case data
}

/// The Heroku HTTP client: required headers, pacing, retries with backoff and jitter, and
/// `Range` pagination. Every request and retry is counted in `statistics`.
final class HerokuClient: Sendable {
    let configuration: ClientConfiguration
    let statistics = CaptureStatistics()
    let gate: RequestGate
    private let credential: HerokuCredential
    private let session: URLSession

    init(configuration: ClientConfiguration, credential: HerokuCredential) {
        self.configuration = configuration
        self.credential = credential
        self.gate = RequestGate(
            concurrency: configuration.concurrency, floor: configuration.minimumRateLimit,
            refillPerMinute: configuration.rateLimitRefillPerMinute)
        let sessionConfiguration = URLSessionConfiguration.ephemeral
        sessionConfiguration.timeoutIntervalForRequest = configuration.requestTimeout
        sessionConfiguration.httpMaximumConnectionsPerHost = max(1, configuration.concurrency)
        sessionConfiguration.requestCachePolicy = .reloadIgnoringLocalCacheData
        sessionConfiguration.urlCache = nil
        // The API needs no cookies, and refusing them spares FoundationNetworking a cookie
        // parse of every response header line.
        sessionConfiguration.httpCookieAcceptPolicy = .never
        sessionConfiguration.httpShouldSetCookies = false
        sessionConfiguration.httpCookieStorage = nil
        session = URLSession(configuration: sessionConfiguration)
    }

    /// GETs one JSON document. 404 is returned as nil; other failures throw.
    func getObject(_ path: String, endpoint: String, api: HerokuAPI = .platform, variant: String? = nil) async throws -> JSONValue? {
        let response = try await send(path: path, endpoint: endpoint, api: api, range: nil, variant: variant)
        if response.status == 404 { return nil }
        let value = try parseBody(response, endpoint: endpoint)
        await statistics.recordPage(endpoint: endpoint, items: value.arrayValue?.count ?? 1)
        return value
    }

    /// GETs every page of a list, following each `206` and `Next-Range` as given.
    ///
    /// Stops on a `200`, on a `206` without `Next-Range`, or on an empty page. A `Next-Range`
    /// seen before, or more than `maximumPages` pages, fails the listing instead of looping.
    /// With `followPages` false only the first page is read (used for the latest release).
    func getList(_ path: String, endpoint: String, rangeField: String = "id", order: String? = nil, pageSize: Int? = nil,
                 followPages: Bool = true, api: HerokuAPI = .platform, variant: String? = nil) async throws -> [JSONValue]? {
        do {
            return try await getPages(
                path, endpoint: endpoint, rangeField: rangeField, order: order, pageSize: pageSize, followPages: followPages, api: api,
                variant: variant)
        } catch let error as HerokuRequestError {
            // A 416 names the fields this list can be ranged on; try again once with the first.
            guard error.status == 416,
                let field = error.acceptRanges?.split(separator: ",").first?.trimmingCharacters(in: .whitespaces),
                !field.isEmpty, field != rangeField
            else { throw error }
            return try await getPages(
                path, endpoint: endpoint, rangeField: field, order: order, pageSize: pageSize, followPages: followPages, api: api,
                variant: variant)
        }
    }

    private func getPages(_ path: String, endpoint: String, rangeField: String, order: String?, pageSize: Int?,
                          followPages: Bool, api: HerokuAPI, variant: String?) async throws -> [JSONValue]? {
        let size = min(pageSize ?? configuration.pageSize, 1000)
        var range = "\(rangeField) ..; " + (order.map { "max=\(size), order=\($0)" } ?? "max=\(size)")
        var seenRanges: Set<String> = [range]
        var items: [JSONValue] = []
        for _ in 0..<configuration.maximumPages {
            let response = try await send(path: path, endpoint: endpoint, api: api, range: range, variant: variant)
            if response.status == 404 { return nil }
            guard let page = try parseBody(response, endpoint: endpoint).arrayValue else {
                throw HerokuRequestError(kind: .other, endpoint: endpoint, status: response.status, message: "expected a JSON array")
            }
            items += page
            await statistics.recordPage(endpoint: endpoint, items: page.count)
            guard followPages, response.status == 206, !page.isEmpty, let next = response.header("Next-Range") else {
                return items
            }
            guard !seenRanges.contains(next) else {
                throw HerokuRequestError(
                    kind: .other, endpoint: endpoint, status: response.status,
                    message: "the server repeated the range \"\(next)\"; stopped to avoid an endless loop")
            }
            seenRanges.insert(next)
            range = next
        }
        throw HerokuRequestError(
            kind: .other, endpoint: endpoint, status: 206,
            message: "more than \(configuration.maximumPages) pages; stopped to avoid an endless loop")
    }

    private func parseBody(_ response: HerokuResponse, endpoint: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(response.body)
        } catch {
            throw HerokuRequestError(kind: .other, endpoint: endpoint, status: response.status, message: "the response is not valid JSON (\(error))")
        }
    }

    /// Sends one request with retries: 429 waits for the bucket to refill, 5xx, timeouts,
    /// network errors and truncated bodies back off exponentially with jitter, within
    /// `maximumAttempts` and `maximumRetryTime`. Returns 2xx and 404 responses; throws the rest.
    func send(path: String, endpoint: String, api: HerokuAPI, range: String?, variant: String?) async throws -> HerokuResponse {
        let request = makeRequest(path: path, api: api, range: range, variant: variant)
        let started = Date()
        var attempt = 0
        while true {
            attempt += 1
            let outcome = await attemptOnce(request, endpoint: endpoint, api: api)
            switch outcome {
            case .success(let response):
                return response
            case .failure(var error):
                if error.status == 429 {
                    await gate.exhausted()
                }
                let delay = retryDelay(after: error, attempt: attempt)
                // The wait for the budget to refill above the floor counts against the retry
                // time too, so a 429 fails the request rather than waiting past the limit.
                let pacing = await gate.expectedWait()
                guard let delay, attempt < configuration.maximumAttempts,
                    Date().timeIntervalSince(started) + delay + pacing <= configuration.maximumRetryTime
                else {
                    if let delay, attempt < configuration.maximumAttempts {
                        error.message += "; the rate-limit budget needs about \(Int(delay + pacing)) s to refill above --min-rate-limit \(configuration.minimumRateLimit), more than --max-retry-time \(Int(configuration.maximumRetryTime)) s allows"
                    }
                    await statistics.recordFailure(endpoint: endpoint, error: error.description)
                    throw error
                }
                await statistics.recordRetry()
                try? await Task.sleep(nanoseconds: UInt64(delay * 1_000_000_000))
            }
        }
    }

    private func attemptOnce(_ request: URLRequest, endpoint: String, api: HerokuAPI) async -> Result<HerokuResponse, HerokuRequestError> {
        await gate.acquire()
        let response: HerokuResponse
        do {
            let (data, urlResponse) = try await session.data(for: request)
            guard let http = urlResponse as? HTTPURLResponse else {
                await gate.release(remaining: nil)
                return .failure(HerokuRequestError(kind: .transient, endpoint: endpoint, status: 0, message: "not an HTTP response"))
            }
            var headers: [String: String] = [:]
            for (name, value) in http.allHeaderFields {
                headers[String(describing: name).lowercased()] = String(describing: value)
            }
            response = HerokuResponse(status: http.statusCode, headers: headers, body: data)
        } catch {
            await gate.release(remaining: nil)
            await statistics.recordRequest(endpoint: endpoint, status: 0, remaining: nil, scopeAccepted: nil)
            return .failure(HerokuRequestError(kind: .transient, endpoint: endpoint, status: 0, message: describe(error)))
        }
        let remaining = response.header("RateLimit-Remaining").flatMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        await gate.release(remaining: remaining)
        await statistics.recordRequest(
            endpoint: endpoint, status: response.status, remaining: remaining, scopeAccepted: response.header("Oauth-Scope-Accepted"))
        return classify(response, endpoint: endpoint)
    }

    private func classify(_ response: HerokuResponse, endpoint: String) -> Result<HerokuResponse, HerokuRequestError> {
        let message = { ErrorBody.message(from: response.body) }
        switch response.status {
        case 200..<300, 404:
            if let expected = response.header("Content-Length").flatMap(Int.init), expected != response.body.count {
                return .failure(HerokuRequestError(
                    kind: .transient, endpoint: endpoint, status: response.status,
                    message: "truncated body: \(response.body.count) of \(expected) bytes"))
            }
            return .success(response)
        case 401:
            return .failure(HerokuRequestError(kind: .unauthorized, endpoint: endpoint, status: 401, message: message()))
        case 403:
            return .failure(HerokuRequestError(kind: .forbidden, endpoint: endpoint, status: 403, message: message()))
        case 429, 500..<600:
            return .failure(HerokuRequestError(kind: .transient, endpoint: endpoint, status: response.status, message: message()))
        default:
            var error = HerokuRequestError(kind: .other, endpoint: endpoint, status: response.status, message: message())
            error.acceptRanges = response.header("Accept-Ranges")
            return .failure(error)
        }
    }

    /// Computes the delay before the next attempt, or nil when the failure is not worth retrying.
    private func retryDelay(after error: HerokuRequestError, attempt: Int) -> Double? {
        guard error.kind == .transient else { return nil }
        let jitter = Double.random(in: 0.8...1.2)
        if error.status == 429 {
            // An empty bucket refills at rateLimitRefillPerMinute: wait long enough for one
            // token per request in flight, and never less than the base delay.
            let tokens = Double(max(1, configuration.concurrency))
            let seconds = tokens * 60 / configuration.rateLimitRefillPerMinute
            return max(configuration.retryBaseDelay, seconds) * jitter
        }
        return configuration.retryBaseDelay * pow(2, Double(attempt - 1)) * jitter
    }

    private func describe(_ error: Error) -> String {
        let nsError = error as NSError
        if nsError.domain == NSURLErrorDomain, nsError.code == NSURLErrorTimedOut {
            return "timed out after \(Int(configuration.requestTimeout)) s"
        }
        return Redactor.redactString(nsError.localizedDescription)
    }

    private func makeRequest(path: String, api: HerokuAPI, range: String?, variant: String?) -> URLRequest {
        let base = api == .platform ? configuration.apiURL : configuration.dataAPIURL
        let baseText = base.absoluteString.hasSuffix("/") ? String(base.absoluteString.dropLast()) : base.absoluteString
        var request = URLRequest(url: URL(string: baseText + path)!)
        request.httpMethod = "GET"
        request.timeoutInterval = configuration.requestTimeout
        request.setValue("application/vnd.heroku+json; version=\(variant ?? "3")", forHTTPHeaderField: "Accept")
        request.setValue("Bearer \(credential.token)", forHTTPHeaderField: "Authorization")
        request.setValue("docket/\(DocketVersion.current) (Heroku evidence archiver)", forHTTPHeaderField: "User-Agent")
        if let range {
            request.setValue(range, forHTTPHeaderField: "Range")
        }
        return request
    }
}
