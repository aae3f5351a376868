// swift-tools-version: 6.1
// The whole product is one SwiftPM package so that dependencies compile once.
// Later issues add KafkaWire, Broker, BrokerClient, ServiceKit and the services.
import PackageDescription

let package = Package(
    name: "shop",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LogStore", targets: ["LogStore"]),
        .library(name: "LZ4", targets: ["LZ4"]),
        .library(name: "CCRC32C", targets: ["CCRC32C"]),
        .library(name: "LogStoreTesting", targets: ["LogStoreTesting"]),
        .library(name: "BrokerClient", targets: ["BrokerClient"]),
        .library(name: "KafkaWire", targets: ["KafkaWire"]),
        .executable(name: "logstore-tool", targets: ["logstore-tool"]),
        .executable(name: "broker", targets: ["broker"]),
        .executable(name: "brokerctl", targets: ["brokerctl"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        // liblz4's frame API (Debian: liblz4-dev).
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        // Kafka-style LZ4 frames over CLZ4.
        .target(name: "LZ4", dependencies: ["CLZ4"]),
        // CRC-32C (Castagnoli): SSE4.2 on x86_64, chosen at run time, with a portable fallback.
        .target(name: "CCRC32C"),
        // Pure encode/decode of Kafka frames, requests and responses, and RecordBatch v2; no I/O.
        .target(
            name: "KafkaWire",
            dependencies: ["LZ4", "CCRC32C", .product(name: "NIOCore", package: "swift-nio")]
        ),
        // The Swift Kafka client: connections, cluster metadata, producer, consumer, admin.
        .target(
            name: "BrokerClient",
            dependencies: [
                "KafkaWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Append-only partition logs: segments, indexes, recovery, retention, group-committed fsync.
        .target(name: "LogStore", dependencies: ["CCRC32C"]),
        // Builds synthetic RecordBatch v2 bytes for tests, the crash child and benchmarks.
        .target(name: "LogStoreTesting", dependencies: ["LogStore", "CCRC32C"]),
        // The broker: topics, produce and fetch paths, groups, offsets, idempotence.
        .target(
            name: "Broker",
            dependencies: [
                "LogStore",
                "KafkaWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .executableTarget(
            name: "broker",
            dependencies: [
                "Broker",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Mutation fuzzer for the frame and RecordBatch decoders (run by hand; see the README).
        .executableTarget(name: "kafkawire-fuzz", dependencies: ["KafkaWire", .product(name: "NIOCore", package: "swift-nio")]),
        // The admin and test CLI (like rpk and kcat): cluster, topics, produce, consume, groups, bench.
        .executableTarget(
            name: "brokerctl",
            dependencies: [
                "BrokerClient", "KafkaWire",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // Inspect and verify partition directories (like kafka-dump-log).
        .executableTarget(name: "logstore-tool", dependencies: ["LogStore", "LogStoreTesting"]),
        // Child process of the SIGKILL crash test: appends with flush-per-append and prints each ack.
        .executableTarget(name: "logstore-crash-child", dependencies: ["LogStore", "LogStoreTesting"]),

        .testTarget(name: "LZ4Tests", dependencies: ["LZ4"]),
        .testTarget(name: "CRC32CTests", dependencies: ["CCRC32C"]),
        .testTarget(
            name: "KafkaWireTests",
            dependencies: ["KafkaWire", .product(name: "NIOCore", package: "swift-nio")],
            // Request frames captured from real clients by scripts/capture-fixtures.py, read via #filePath.
            exclude: ["Fixtures"]
        ),
        .testTarget(name: "BrokerClientTests", dependencies: ["BrokerClient", "KafkaWire", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "BrokerTests", dependencies: ["Broker", "LogStore", "LogStoreTesting"]),
        .testTarget(name: "LogStoreTests", dependencies: ["LogStore", "LogStoreTesting", "CCRC32C"]),
    ],
    swiftLanguageModes: [.v6]
)
