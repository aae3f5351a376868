import ArgumentParser
import BrokerClient
import KafkaWire

struct ClusterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cluster",
        abstract: "Cluster-wide information.",
        subcommands: [Info.self])

    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "info",
            abstract: "Show the cluster id, the controller, the brokers and how many topics there are.",
            discussion: "Example: brokerctl cluster info --bootstrap 127.0.0.1:9092")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await common.withCluster { cluster in
                let metadata = try await cluster.refreshMetadata(topics: nil)
                let connection = try await cluster.anyConnection()
                let apis = ApiKey.allCases.compactMap { key in connection.version(of: key).map { (key, $0) } }
                let brokers = metadata.nodes.values.sorted { $0.id < $1.id }
                let topics = metadata.topics.values.filter { $0.error == nil }
                let partitions = topics.reduce(0) { $0 + $1.partitions.count }
                if common.json {
                    Output.line(JSON.object([
                        ("clusterId", .optionalString(metadata.clusterId)),
                        ("controllerId", .int(metadata.controllerId)),
                        ("brokers", .array(brokers.map {
                            .object([("id", .int($0.id)), ("host", .string($0.host)), ("port", .int($0.port))])
                        })),
                        ("topics", .int(topics.count)),
                        ("partitions", .int(partitions)),
                        ("apiVersions", .object(apis.map { ("\($0.0)", JSON.int($0.1)) })),
                    ]).rendered)
                    return
                }
                Output.line("CLUSTER     \(metadata.clusterId ?? "-")")
                Output.line("CONTROLLER  \(metadata.controllerId)")
                Output.line("TOPICS      \(topics.count) (\(partitions) partitions)")
                Output.line("")
                var table = Table("ID", "HOST", "PORT", "CONTROLLER")
                for broker in brokers {
                    table.add("\(broker.id)", broker.host, "\(broker.port)", broker.id == metadata.controllerId ? "*" : "")
                }
                table.print()
                Output.line("")
                Output.line("APIS (highest common version): " + apis.map { "\($0.0) v\($0.1)" }.joined(separator: ", "))
            }
        }
    }
}
