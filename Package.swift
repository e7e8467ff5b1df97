// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Docket",
    products: [
        .executable(name: "docket", targets: ["docket"]),
        .library(name: "DocketKit", targets: ["DocketKit"]),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CArchive", providers: [.apt(["libarchive-dev"])]),
        .systemLibrary(name: "CCrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CGlibc"),
        .target(name: "DocketKit", dependencies: ["CSQLite", "CArchive", "CCrypto", "CZlib", "CGlibc"]),
        .executableTarget(name: "docket", dependencies: ["DocketKit", "CGlibc"]),
        .target(name: "DocketTestSupport", path: "Tests/DocketTestSupport"),
        .testTarget(name: "DocketKitTests", dependencies: ["DocketKit", "DocketTestSupport", "CArchive"]),
        .testTarget(name: "EndToEndTests", dependencies: ["DocketKit", "DocketTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
