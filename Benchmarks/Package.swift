// swift-tools-version: 6.1
// Benchmarks live in their own package so that CI never builds them and timing never gates a test.
// Run: make bench   (or: cd Benchmarks && swift run -c release logstore-bench --help)
import PackageDescription

let package = Package(
    name: "Benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [.package(name: "shop", path: "..")],
    targets: [
        // The Swift client's produce and consume rates against a running broker (compare with kcat).
        .executableTarget(
            name: "client-bench",
            dependencies: [.product(name: "BrokerClient", package: "shop"), .product(name: "KafkaWire", package: "shop")]
        ),
        .executableTarget(
            name: "logstore-bench",
            dependencies: [
                .product(name: "LogStore", package: "shop"),
                .product(name: "LogStoreTesting", package: "shop"),
                .product(name: "CCRC32C", package: "shop"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
