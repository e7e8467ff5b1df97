import Foundation

/// Durations and sizes as people read them in terminal output and log lines.
enum HumanFormat {
    /// Formats seconds as `2d 3h`, `5h 12m`, `4m 10s` or `45s`: the two largest units, which is enough to judge
    /// an age or a time left.
    static func duration(seconds: Int) -> String {
        let units = [("d", 86400), ("h", 3600), ("m", 60), ("s", 1)]
        guard let first = units.firstIndex(where: { seconds >= $0.1 }) else { return "0s" }
        var text = "\(seconds / units[first].1)\(units[first].0)"
        if first + 1 < units.count {
            let minor = seconds % units[first].1 / units[first + 1].1
            // Spaced as the control results write durations: `2d 3h`.
            if minor > 0 { text += " \(minor)\(units[first + 1].0)" }
        }
        return text
    }

    /// Formats a duration with tenths of a second below a minute (`3.2s`), else as `duration(seconds:)`.
    static func elapsed(_ seconds: Double) -> String {
        seconds < 60 ? String(format: "%.1fs", seconds) : duration(seconds: Int(seconds))
    }

    /// Formats a byte count as `512 bytes` or `1.2 MiB`.
    static func size(bytes: Int64) -> String {
        let units = ["bytes", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) bytes" : String(format: "%.1f", value) + " " + units[unit]
    }
}
