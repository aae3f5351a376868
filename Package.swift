// swift-tools-version: 6.1
// The whole product is one SwiftPM package so that dependencies compile once.
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
        .executable(name: "shop", targets: ["shop"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        // Without default traits: deterministic re-plans (SWIFT-NOTES P1).
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1", traits: []),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/vapor/jwt-kit.git", from: "5.8.0"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        // Already built for Hummingbird; ServiceKit's HTTP/1 pipeline handler names its part types.
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
    ],
    targets: [
        // liblz4's frame API (Debian: liblz4-dev).
        .systemLibrary(
            name: "CLZ4",
            pkgConfig: "liblz4",
            providers: [.apt(["liblz4-dev"])]
        ),
        // The reference argon2 implementation (Debian: libargon2-dev), for IAM's password hashes.
        .systemLibrary(name: "CArgon2", providers: [.apt(["libargon2-dev"])]),
        // zlib (Debian: zlib1g-dev): gzip and the CRC-32 of message formats v0/v1.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        // Kafka-style LZ4 frames over CLZ4.
        .target(name: "LZ4", dependencies: ["CLZ4"]),
        // CRC-32C (Castagnoli): SSE4.2 on x86_64, chosen at run time, with a portable fallback.
        .target(name: "CCRC32C"),
        // Pure encode/decode of Kafka frames, requests and responses, and RecordBatch v2; no I/O.
        .target(
            name: "KafkaWire",
            dependencies: ["LZ4", "CCRC32C", "CZlib", "RecordBatchLayout", .product(name: "NIOCore", package: "swift-nio")]
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
        // The 61-byte RecordBatch v2 header layout, one parser for LogStore and KafkaWire.
        .target(name: "RecordBatchLayout", dependencies: ["CCRC32C"]),
        .target(name: "LogStore", dependencies: ["CCRC32C", "RecordBatchLayout"]),
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
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
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
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Event types and topic names shared by the services; versioned, Codable, no dependencies.
        .target(name: "Contracts"),
        // What every service is built from: HTTP and the envelope, auth, SQLite, outbox, consumers, ops.
        .target(
            name: "ServiceKit",
            dependencies: [
                "BrokerClient", "KafkaWire", "Contracts",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
            ]
        ),
        // Identity and access: users, passwords, JWTs and JWKS, refresh tokens, OAuth2 token endpoint.
        .target(
            name: "IAMService",
            dependencies: [
                "ServiceKit", "Contracts", "CArgon2",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                // NIOThreadPool: password hashing runs off the cooperative pool.
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Customer profiles and address books (port 8082); consumes iam.user.v1, publishes customer.customer.v1.
        .target(
            name: "CustomerService",
            dependencies: [
                "ServiceKit", "Contracts", "BrokerClient", "KafkaWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Service registry (port 8761): instances register, heartbeat, expire after a TTL.
        .target(
            name: "Discovery",
            dependencies: [
                "ServiceKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Config server (port 8888): configuration per application, profile and git label.
        .target(
            name: "ConfigServer",
            dependencies: [
                "ServiceKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // API gateway (port 8080): routing, JWT checks, rate limits, circuit breakers, streaming proxy.
        .target(
            name: "Gateway",
            dependencies: [
                "ServiceKit",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // `shop serve <service>` and `shop up`.
        // Inventory (port 8085): warehouses, stock, reservations for the order saga, expiry sweeper.
        .target(
            name: "InventoryService",
            dependencies: [
                "ServiceKit", "Contracts", "BrokerClient", "KafkaWire",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Payments (port 8086): the payable-order projection, payments, refunds, the saga's payment
        // commands, and the simulated payment provider behind `PaymentProvider`.
        .target(
            name: "PaymentService",
            dependencies: [
                "ServiceKit", "Contracts",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Shipping (port 8087): shipments with a simulated carrier, tracking, carrier events, saga commands.
        .target(
            name: "ShippingService",
            dependencies: [
                "ServiceKit", "Contracts",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // Order (port 8084): the cart, orders and the orchestrated checkout saga (the order row is the saga).
        .target(
            name: "OrderService",
            dependencies: [
                "ServiceKit", "Contracts",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Catalog (port 8083): products, the category tree, full-text search, reviews, availability.
        .target(
            name: "CatalogService",
            dependencies: [
                "ServiceKit", "Contracts",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "shop",
            dependencies: [
                "ServiceKit", "ConfigServer", "Discovery", "IAMService", "Gateway",
                "CustomerService", "CatalogService", "InventoryService", "PaymentService", "ShippingService", "OrderService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                // `shop load`'s HTTP client.
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // Inspect and verify partition directories (like kafka-dump-log).
        .executableTarget(name: "logstore-tool", dependencies: ["LogStore", "LogStoreTesting"]),
        // Child process of the SIGKILL crash test: appends with flush-per-append and prints each ack.
        .executableTarget(name: "logstore-crash-child", dependencies: ["LogStore", "LogStoreTesting"]),

        .testTarget(name: "LZ4Tests", dependencies: ["LZ4", "ShopTestSupport"]),
        .testTarget(name: "CRC32CTests", dependencies: ["CCRC32C", "ShopTestSupport"]),
        .testTarget(
            name: "KafkaWireTests",
            dependencies: ["KafkaWire", "ShopTestSupport", .product(name: "NIOCore", package: "swift-nio")],
            // Request frames captured from real clients by scripts/capture-fixtures.py, read via #filePath.
            exclude: ["Fixtures"]
        ),
        // Real processes for tests: a broker on a free port with its own data directory, and service processes.
        .target(
            name: "ShopTestSupport",
            dependencies: [
                "BrokerClient", "KafkaWire", "ServiceKit", "Contracts",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ],
            path: "Tests/ShopTestSupport"
        ),
        .testTarget(name: "BrokerClientTests", dependencies: ["BrokerClient", "KafkaWire", "ShopTestSupport", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(
            name: "ServiceKitTests",
            dependencies: [
                "ServiceKit", "Contracts", "BrokerClient", "ShopTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .testTarget(
            name: "DiscoveryTests",
            dependencies: [
                "Discovery", "ServiceKit", "ShopTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "ConfigServerTests",
            dependencies: [
                "ConfigServer", "ServiceKit", "ShopTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "ServiceKit", "ShopTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "JWTKit", package: "jwt-kit"),
            ]
        ),
        // `shop up` end to end: every process, a user through the gateway, a clean stop.
        .testTarget(
            name: "ShopTests",
            dependencies: [
                "ShopTestSupport", "ServiceKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "IAMServiceTests",
            dependencies: [
                "IAMService", "ServiceKit", "Contracts", "BrokerClient", "ShopTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "CustomerServiceTests",
            dependencies: [
                "CustomerService", "ServiceKit", "Contracts", "BrokerClient", "ShopTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(
            name: "BrokerTests",
            dependencies: [
                "Broker", "LogStore", "LogStoreTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "LogStoreTests", dependencies: ["LogStore", "LogStoreTesting", "CCRC32C", "ShopTestSupport"]),
        .testTarget(name: "ContractsTests", dependencies: ["Contracts"]),
        .testTarget(
            name: "InventoryServiceTests",
            dependencies: [
                "InventoryService", "ServiceKit", "Contracts", "BrokerClient", "ShopTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "PaymentServiceTests",
            dependencies: [
                "PaymentService", "ServiceKit", "Contracts", "BrokerClient", "ShopTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "ShippingServiceTests",
            dependencies: [
                "ShippingService", "ServiceKit", "Contracts", "BrokerClient", "ShopTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "OrderServiceTests",
            dependencies: [
                "OrderService", "ServiceKit", "Contracts", "BrokerClient", "ShopTestSupport",
                // Read-through tests run the real owners in process.
                "CatalogService", "CustomerService",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // The whole shop as real processes (broker, every service, the gateway): the checkout saga end to end.
        .testTarget(
            name: "ShopEndToEndTests",
            dependencies: [
                "ServiceKit", "Contracts", "ShopTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "CatalogServiceTests",
            dependencies: [
                "CatalogService", "ServiceKit", "Contracts", "BrokerClient", "ShopTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
