/// Rules for the paths in an archive and in a bag's manifests: which ones stay inside the bag.
enum BagPath {
    /// Splits an archive entry's path into components, dropping `.` and empty ones. Returns nil
    /// when the path is absolute or has a `..` component, because either would let tar write
    /// outside the folder it extracts into.
    static func archiveComponents(_ path: String) -> [String]? {
        guard !path.hasPrefix("/") else { return nil }
        var components: [String] = []
        for component in path.split(separator: "/", omittingEmptySubsequences: true) {
            if component == "." { continue }
            if component == ".." { return nil }
            components.append(String(component))
        }
        return components
    }

    /// Returns why a path listed in a manifest or fetch.txt would point outside the bag on some
    /// system, or nil when it stays inside: absolute paths, `..`, home-folder shortcuts
    /// (`~/`, `~user/`), Windows drive letters, UNC and backslash-separated paths.
    static func escapeReason(_ path: String) -> String? {
        if isPlainlyInside(path) { return nil }
        if path.hasPrefix("/") { return "it is an absolute path" }
        if path.hasPrefix("~") { return "it starts with ~, a home-folder shortcut" }
        // Byte and scalar scans: verify checks every line of manifests with a million lines.
        if path.utf8.contains(UInt8(ascii: "\\")) { return "it contains a backslash, a path separator on Windows" }
        var scalars = path.unicodeScalars.makeIterator()
        if let first = scalars.next(), let second = scalars.next(), second == ":", first.properties.isAlphabetic {
            return "it starts with a Windows drive letter"
        }
        if hasDotDotComponent(path) {
            return "it has a .. component"
        }
        return nil
    }

    /// True when none of `escapeReason`'s rules can apply, judged from the UTF-8 bytes in one
    /// pass: the first byte is ASCII and neither `/` nor `~`, the second is not `:`, and no
    /// byte is a backslash and no component is `..`. False sends the path to the full rules,
    /// so this only decides the common case faster.
    private static func isPlainlyInside(_ path: String) -> Bool {
        var path = path
        return path.withUTF8 { bytes in
            guard let first = bytes.first, first < 0x80, first != UInt8(ascii: "/"), first != UInt8(ascii: "~") else { return false }
            if bytes.count > 1 && bytes[1] == UInt8(ascii: ":") { return false }
            var componentLength = 0
            var dots = 0
            for byte in bytes {
                if byte == UInt8(ascii: "\\") { return false }
                if byte == UInt8(ascii: "/") {
                    if componentLength == 2 && dots == 2 { return false }
                    componentLength = 0
                    dots = 0
                } else {
                    componentLength += 1
                    if byte == UInt8(ascii: ".") { dots += 1 }
                }
            }
            return !(componentLength == 2 && dots == 2)
        }
    }

    /// True when a `/`-separated component of `path` is exactly `..`; scans the bytes once
    /// without splitting.
    private static func hasDotDotComponent(_ path: String) -> Bool {
        var componentLength = 0
        var dots = 0
        for byte in path.utf8 {
            if byte == UInt8(ascii: "/") {
                if componentLength == 2 && dots == 2 { return true }
                componentLength = 0
                dots = 0
            } else {
                componentLength += 1
                if byte == UInt8(ascii: ".") { dots += 1 }
            }
        }
        return componentLength == 2 && dots == 2
    }

    /// Decodes the percent-encoding BagIt 1.0 requires in manifest paths (`%0A`, `%0D`,
    /// `%25`); other `%` sequences stay as they are, as older bags wrote them literally.
    static func decodeManifestPath(_ path: String) -> String {
        guard path.utf8.contains(UInt8(ascii: "%")) else { return path }
        var result = ""
        var index = path.startIndex
        while index < path.endIndex {
            let rest = path[index...]
            let code = rest.prefix(3).uppercased()
            if code == "%0A" {
                result += "\n"
                index = path.index(index, offsetBy: 3)
            } else if code == "%0D" {
                result += "\r"
                index = path.index(index, offsetBy: 3)
            } else if code == "%25" {
                result += "%"
                index = path.index(index, offsetBy: 3)
            } else {
                result.append(path[index])
                index = path.index(after: index)
            }
        }
        return result
    }

    /// True for files that desktop systems create on their own (`.DS_Store`, `Thumbs.db`,
    /// `desktop.ini`, AppleDouble `._*` files), which copy tools often add or drop.
    static func isSystemFile(_ path: String) -> Bool {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return [".DS_Store", "Thumbs.db", "desktop.ini", "ehthumbs.db"].contains(name) || name.hasPrefix("._")
    }

    /// `isSystemFile` over a file name's UTF-8 bytes, for checking every payload file without
    /// making a string of each path.
    static func isSystemFileName(_ name: ArraySlice<UInt8>) -> Bool {
        if name.starts(with: "._".utf8) { return true }
        return [".DS_Store", "Thumbs.db", "desktop.ini", "ehthumbs.db"].contains { name.elementsEqual($0.utf8) }
    }
}
