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
        .executable(name: "logstore-tool", targets: ["logstore-tool"]),
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
        // Append-only partition logs: segments, indexes, recovery, retention, group-committed fsync.
        .target(name: "LogStore", dependencies: ["CCRC32C"]),
        // Builds synthetic RecordBatch v2 bytes for tests, the crash child and benchmarks.
        .target(name: "LogStoreTesting", dependencies: ["LogStore", "CCRC32C"]),
        // The broker: topics, produce and fetch paths, groups, offsets, idempotence.
        .target(name: "Broker", dependencies: ["LogStore"]),
        // Inspect and verify partition directories (like kafka-dump-log).
        .executableTarget(name: "logstore-tool", dependencies: ["LogStore", "LogStoreTesting"]),
        // Child process of the SIGKILL crash test: appends with flush-per-append and prints each ack.
        .executableTarget(name: "logstore-crash-child", dependencies: ["LogStore", "LogStoreTesting"]),

        .testTarget(name: "LZ4Tests", dependencies: ["LZ4"]),
        .testTarget(name: "CRC32CTests", dependencies: ["CCRC32C"]),
        .testTarget(name: "BrokerTests", dependencies: ["Broker", "LogStore", "LogStoreTesting"]),
        .testTarget(name: "LogStoreTests", dependencies: ["LogStore", "LogStoreTesting", "CCRC32C"]),
    ],
    swiftLanguageModes: [.v6]
)
