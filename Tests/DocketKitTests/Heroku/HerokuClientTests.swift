import DocketTestSupport
import Foundation
import Testing

@testable import DocketKit

/// The HTTP client against the fake Heroku API over loopback.
@Suite("Heroku client")
struct HerokuClientTests {
    func client(_ fake: FakeHeroku, configure: (inout ClientConfiguration) -> Void = { _ in }) -> HerokuClient {
        var configuration = ClientConfiguration(apiURL: URL(string: fake.url)!, dataAPIURL: URL(string: fake.url)!)
        configuration.retryBaseDelay = 0.01
        configuration.rateLimitRefillPerMinute = 60_000
        configure(&configuration)
        return HerokuClient(configuration: configuration, credential: HerokuCredential(token: Repository.tokenValue, source: "test"))
    }

    @Test("small pages are followed to the last one")
    func followsPages() async throws {
        let fake = try FakeHeroku(day: 1)
        let whole = try #require(try await client(fake).getList("/apps", endpoint: "GET /apps"))
        let pagedClient = client(fake)
        let paged = try #require(try await pagedClient.getList("/apps", endpoint: "GET /apps", pageSize: 2))
        #expect(whole.count >= 7)
        #expect(paged == whole)
        let record = try #require(await pagedClient.statistics.endpointRecords().first)
        #expect(record.pages == (whole.count + 1) / 2)
        #expect(record.items == whole.count)
    }

    @Test("a repeated Next-Range fails instead of looping")
    func repeatedRange() async throws {
        let fake = try FakeHeroku(day: 1)
        try fake.configure(["broken_range_path": ["^/apps$": "repeat"]])
        await #expect {
            _ = try await client(fake).getList("/apps", endpoint: "GET /apps")
        } throws: { error in
            (error as? HerokuRequestError)?.message.contains("repeated the range") == true
        }
        // The first Range is echoed straight back, so the loop stops after one request.
        #expect(try fake.stats()["requests"] as? Int == 1)
    }

    @Test("an empty 206 page ends the listing")
    func emptyPage() async throws {
        let fake = try FakeHeroku(day: 1)
        try fake.configure(["broken_range_path": ["^/apps$": "empty"]])
        let items = try await client(fake).getList("/apps", endpoint: "GET /apps")
        #expect(items == [])
        #expect(try fake.stats()["requests"] as? Int == 1)
    }

    @Test("the page limit stops an endless listing")
    func pageLimit() async throws {
        let fake = try FakeHeroku(day: 1)
        let limited = client(fake) { $0.maximumPages = 3 }
        await #expect(throws: HerokuRequestError.self) {
            _ = try await limited.getList("/apps", endpoint: "GET /apps", pageSize: 1)
        }
    }

    @Test("Range field rejected with 416 is retried with an advertised one")
    func acceptRangesFallback() async throws {
        let fake = try FakeHeroku(day: 1)
        let members = try await client(fake).getList(
            "/teams/809b57e5-053e-4a12-9b3a-1dfc70a8cd36/members", endpoint: "GET /teams/{team}/members", rangeField: "id")
        #expect((members ?? []).count > 0)
    }

    @Test("a truncated body is retried, then reported as transient")
    func truncatedBody() async throws {
        let fake = try FakeHeroku(day: 1)
        try fake.configure(["truncate_path": "^/account$"])
        let limited = client(fake) { $0.maximumAttempts = 3 }
        await #expect {
            _ = try await limited.getObject("/account", endpoint: "GET /account")
        } throws: { error in
            (error as? HerokuRequestError)?.kind == .transient
        }
        #expect(await limited.statistics.retries == 2)
    }

    @Test("an HTML error page with a JSON content type gives a readable message")
    func htmlErrorBody() async throws {
        let fake = try FakeHeroku(day: 1)
        try fake.configure(["html_error_path": ["^/regions$": 500]])
        let limited = client(fake) { $0.maximumAttempts = 2 }
        await #expect {
            _ = try await limited.getList("/regions", endpoint: "GET /regions")
        } throws: { error in
            (error as? HerokuRequestError)?.message == "non-JSON body: Not Found"
        }
    }

    @Test("every request sends the required headers")
    func headers() async throws {
        let fake = try FakeHeroku(day: 1)
        // The fake answers 401 without the Bearer token and 406 without the versioned
        // Accept header, so a successful read proves both were sent.
        let account = try await client(fake).getObject("/account", endpoint: "GET /account")
        #expect(account?["email"] == "compliance@acme.example")
    }
}

@Suite("request pacing")
struct RequestGateTests {
    @Test("requests wait once the budget reaches the floor")
    func waitsAtFloor() async {
        let gate = RequestGate(concurrency: 1, floor: 10, refillPerMinute: 600)
        await gate.acquire()
        await gate.release(remaining: 13)
        await gate.acquire()
        await gate.release(remaining: 12)
        #expect(await gate.pacedSeconds == 0)
        await gate.acquire()
        await gate.release(remaining: 11)
        #expect(await gate.pacedSeconds == 0)
        await gate.acquire()
        await gate.release(remaining: 10)
        await gate.acquire()
        await gate.release(remaining: 10)
        #expect(await gate.pacedSeconds > 0)
        #expect(await gate.lowestRemaining == 10)
    }

    @Test("no budget information means no waiting")
    func unknownBudget() async {
        let gate = RequestGate(concurrency: 2, floor: 4000, refillPerMinute: 75)
        await gate.acquire()
        await gate.acquire()
        await gate.release(remaining: nil)
        await gate.release(remaining: nil)
        #expect(await gate.pacedSeconds == 0)
    }
}

@Suite("credentials")
struct CredentialResolverTests {
    func folder() -> URL { TestPaths.temporaryDirectory() }

    @Test("token file wins over every other source")
    func tokenFileFirst() throws {
        let directory = folder()
        let file = directory.appendingPathComponent("token")
        try Data("HRKU-from-file\n".utf8).write(to: file)
        let credential = try CredentialResolver.resolve(
            tokenFile: file.path, environment: ["HEROKU_API_KEY": "HRKU-from-env", "HOME": directory.path])
        #expect(credential.token == "HRKU-from-file")
        #expect(credential.source == "--token-file \(file.path)")
    }

    @Test("systemd credential comes before HEROKU_API_KEY")
    func systemdCredential() throws {
        let directory = folder()
        try Data("HRKU-from-systemd".utf8).write(to: directory.appendingPathComponent("heroku-token"))
        let credential = try CredentialResolver.resolve(
            tokenFile: nil, environment: ["CREDENTIALS_DIRECTORY": directory.path, "HEROKU_API_KEY": "HRKU-from-env"])
        #expect(credential.token == "HRKU-from-systemd")
    }

    @Test("HEROKU_API_KEY comes before netrc")
    func environmentBeforeNetrc() throws {
        let directory = folder()
        try Data("machine api.heroku.com\n  login a@b.example\n  password HRKU-from-netrc\n".utf8)
            .write(to: directory.appendingPathComponent(".netrc"))
        let fromEnvironment = try CredentialResolver.resolve(tokenFile: nil, environment: ["HEROKU_API_KEY": "HRKU-from-env", "HOME": directory.path])
        #expect(fromEnvironment.token == "HRKU-from-env")
        let fromNetrc = try CredentialResolver.resolve(tokenFile: nil, environment: ["HOME": directory.path])
        #expect(fromNetrc.token == "HRKU-from-netrc")
        #expect(fromNetrc.source.contains(".netrc"))
    }

    @Test("netrc entries for other machines are ignored")
    func otherMachine() throws {
        let directory = folder()
        try Data("machine git.heroku.com login a password HRKU-git\n".utf8).write(to: directory.appendingPathComponent(".netrc"))
        #expect(throws: DocketError.self) { try CredentialResolver.resolve(tokenFile: nil, environment: ["HOME": directory.path]) }
    }

    @Test("an empty token file is rejected without echoing anything")
    func emptyFile() throws {
        let file = folder().appendingPathComponent("token")
        try Data("\n".utf8).write(to: file)
        #expect {
            try CredentialResolver.resolve(tokenFile: file.path, environment: [:])
        } throws: { error in
            (error as? DocketError)?.message.contains("is empty") == true
        }
    }
}
