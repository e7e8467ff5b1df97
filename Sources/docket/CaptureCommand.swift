import DocketKit

/// `docket capture`: one capture run. Placeholder until the capture pipeline lands.
enum CaptureCommand: Command {
    static let name = "capture"
    static let summary = "capture the Heroku account into one snapshot"
    static let usage = "capture [options]"
    static let options: [OptionSpec] = []
    static let exitCodes: [(Int32, String)] = []

    static func run(_ context: CommandContext) throws -> Int32 {
        throw DocketError(.failure, "capture is not built yet")
    }
}
