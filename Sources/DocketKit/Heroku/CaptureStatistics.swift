/// Counters of one capture run, shared by every concurrent request.
public actor CaptureStatistics {
    public private(set) var requests = 0
    public private(set) var retries = 0
    public private(set) var rateLimited = 0
    public private(set) var rateLimitAtStart: Int?
    public private(set) var rateLimitAtEnd: Int?
    private var endpoints: [String: EndpointRecord] = [:]

    public init() {}

    func recordRequest(endpoint: String, status: Int, remaining: Int?, scopeAccepted: String?) {
        requests += 1
        var record = endpoints[endpoint] ?? EndpointRecord(endpoint: endpoint)
        record.requests += 1
        record.lastStatus = status
        if let scopeAccepted { record.scopeAccepted = scopeAccepted }
        endpoints[endpoint] = record
        if let remaining {
            if rateLimitAtStart == nil { rateLimitAtStart = remaining }
            rateLimitAtEnd = remaining
        }
        if status == 429 { rateLimited += 1 }
    }

    func recordRetry() {
        retries += 1
    }

    func recordPage(endpoint: String, items: Int) {
        var record = endpoints[endpoint] ?? EndpointRecord(endpoint: endpoint)
        record.pages += 1
        record.items += items
        endpoints[endpoint] = record
    }

    func recordFailure(endpoint: String, error: String) {
        var record = endpoints[endpoint] ?? EndpointRecord(endpoint: endpoint)
        record.failures += 1
        record.lastError = error
        endpoints[endpoint] = record
    }

    public func endpointRecords() -> [EndpointRecord] {
        endpoints.values.sorted { $0.endpoint < $1.endpoint }
    }
}
