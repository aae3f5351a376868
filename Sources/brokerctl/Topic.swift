import ArgumentParser
import BrokerClient
import KafkaWire

struct TopicCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "topic",
        abstract: "Create, list, describe and delete topics.",
        subcommands: [Create.self, List.self, Describe.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create",
            abstract: "Create a topic.",
            discussion: """
                Topic configs accepted by the broker: retention.ms, retention.bytes, \
                segment.bytes, segment.ms, max.message.bytes, flush.messages, flush.ms.

                Example:
                  brokerctl topic create orders --partitions 3 --config retention.ms=86400000
                """)

        @Argument(help: "Name of the topic.") var name: String
        @Option(name: [.short, .long], help: "Number of partitions (default: the broker's).") var partitions: Int32?
        @Option(name: [.short, .customLong("replicas")], help: "Replication factor (default: the broker's).") var replicationFactor: Int16?
        @Option(name: [.short, .customLong("config")], help: ArgumentHelp("A topic config; repeatable.", valueName: "key=value"))
        var configs: [String] = []
        @Flag(name: .customLong("if-not-exists"), help: "Succeed when the topic already exists.") var ifNotExists = false
        @OptionGroup var common: CommonOptions

        func validate() throws {
            if let partitions, partitions < 1 { throw ValidationError("--partitions must be at least 1") }
            if let replicationFactor, replicationFactor < 1 { throw ValidationError("--replicas must be at least 1") }
            for config in configs where config.splitKeyValue() == nil {
                throw ValidationError("--config '\(config)' is not key=value")
            }
        }

        func run() async throws {
            var settings: [String: String] = [:]
            for config in configs { if let (key, value) = config.splitKeyValue() { settings[key] = value } }
            try await common.withCluster { cluster in
                let admin = BrokerAdmin(cluster: cluster)
                var existed = false
                do {
                    try await admin.createTopic(name, partitions: partitions ?? -1, replicationFactor: replicationFactor ?? -1,
                                                configs: settings)
                } catch {
                    guard ifNotExists, error.brokerCode == .topicAlreadyExists else { throw error }
                    existed = true
                }
                let count = try await cluster.refreshMetadata(topics: [name]).topics[name]?.partitions.count ?? 0
                if common.json {
                    Output.line(JSON.object([("name", .string(name)), ("partitions", .int(count)), ("created", .bool(!existed))]).rendered)
                } else if existed {
                    Output.line("topic '\(name)' already exists (\(count) partitions)")
                } else {
                    Output.line("created topic '\(name)' with \(count) partition\(count == 1 ? "" : "s")")
                }
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List topics with their partition counts.",
            discussion: "Example: brokerctl topic list --json")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await common.withCluster { cluster in
                let metadata = try await cluster.refreshMetadata(topics: nil)
                let topics = metadata.topics.values.filter { $0.error == nil }.sorted { $0.name < $1.name }
                func replicas(_ topic: ClusterMetadata.Topic) -> Int { topic.partitions.map(\.replicas.count).max() ?? 0 }
                if common.json {
                    Output.line(JSON.array(topics.map {
                        .object([("name", .string($0.name)), ("partitions", .int($0.partitions.count)), ("replicas", .int(replicas($0)))])
                    }).rendered)
                    return
                }
                var table = Table("NAME", "PARTITIONS", "REPLICAS")
                for topic in topics { table.add(topic.name, "\(topic.partitions.count)", "\(replicas(topic))") }
                table.print()
            }
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "describe",
            abstract: "Show a topic's partitions: leader, replicas, start and end offsets.",
            discussion: "Example: brokerctl topic describe orders")

        @Argument(help: "Name of the topic.") var name: String
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await common.withCluster { cluster in
                let description = try await BrokerAdmin(cluster: cluster).describeTopic(name)
                let metadata = await cluster.cachedMetadata
                func replicas(_ index: Int32) -> [Int32] {
                    metadata?.topics[name]?.partitions.first { $0.index == index }?.replicas ?? []
                }
                let total = description.partitions.reduce(Int64(0)) { $0 + max(0, $1.endOffset - $1.startOffset) }
                if common.json {
                    Output.line(JSON.object([
                        ("name", .string(name)),
                        ("partitions", .array(description.partitions.map { p in
                            .object([("partition", .int(p.index)), ("leader", .int(p.leader)),
                                     ("replicas", .array(replicas(p.index).map { .int($0) })),
                                     ("startOffset", .int(p.startOffset)), ("endOffset", .int(p.endOffset)),
                                     ("records", .int(max(0, p.endOffset - p.startOffset)))])
                        })),
                        ("records", .int(total)),
                    ]).rendered)
                    return
                }
                Output.line("NAME        \(name)")
                Output.line("PARTITIONS  \(description.partitions.count)")
                Output.line("RECORDS     \(total)")
                Output.line("")
                var table = Table("PARTITION", "LEADER", "REPLICAS", "START-OFFSET", "END-OFFSET", "RECORDS")
                for p in description.partitions {
                    table.add("\(p.index)", "\(p.leader)", "[" + replicas(p.index).map(String.init).joined(separator: ",") + "]",
                              "\(p.startOffset)", "\(p.endOffset)", "\(max(0, p.endOffset - p.startOffset))")
                }
                table.print()
            }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "delete",
            abstract: "Delete topics and all their records.",
            discussion: "Example: brokerctl topic delete orders")

        @Argument(help: "Names of the topics.") var names: [String]
        @Flag(name: .customLong("if-exists"), help: "Succeed when a topic does not exist.") var ifExists = false
        @OptionGroup var common: CommonOptions

        func validate() throws {
            if names.isEmpty { throw ValidationError("name at least one topic to delete") }
        }

        func run() async throws {
            try await common.withCluster { cluster in
                let admin = BrokerAdmin(cluster: cluster)
                var results: [(String, Bool)] = []
                for name in names {
                    do {
                        try await admin.deleteTopic(name)
                        results.append((name, true))
                    } catch {
                        guard ifExists, error.brokerCode == .unknownTopicOrPartition else { throw error }
                        results.append((name, false))
                    }
                }
                if common.json {
                    Output.line(JSON.array(results.map { .object([("name", .string($0.0)), ("deleted", .bool($0.1))]) }).rendered)
                    return
                }
                for (name, deleted) in results {
                    Output.line(deleted ? "deleted topic '\(name)'" : "topic '\(name)' does not exist")
                }
            }
        }
    }
}
