import ArgumentParser
import BrokerClient
import Foundation
import KafkaWire
import NIOCore

struct GroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "group",
        abstract: "List and describe consumer groups, and reset their committed offsets.",
        subcommands: [List.self, Describe.self, ResetOffsets.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list",
            abstract: "List consumer groups.",
            discussion: "Example: brokerctl group list --json")

        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await common.withCluster { cluster in
                let groups = try await BrokerAdmin(cluster: cluster).listGroups()
                if common.json {
                    Output.line(JSON.array(groups.map {
                        .object([("groupId", .string($0.groupId)), ("protocolType", .string($0.protocolType))])
                    }).rendered)
                    return
                }
                var table = Table("GROUP", "PROTOCOL-TYPE")
                for group in groups { table.add(group.groupId, group.protocolType.isEmpty ? "-" : group.protocolType) }
                table.print()
            }
        }
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "describe",
            abstract: "Show a group's state, members and their assignments, and per partition the committed offset, log end offset and lag.",
            discussion: """
                Lag is log end offset minus committed offset. Every partition of a topic \
                the group consumes is shown; one never committed counts whole (committed \
                offset -). totalLag sums the lags.
                Example: brokerctl group describe billing --json
                """)

        @Argument(help: "Group id.") var group: String
        @OptionGroup var common: CommonOptions

        func run() async throws {
            try await common.withCluster { cluster in
                let report = try await GroupReport.load(group, cluster: cluster)
                if common.json {
                    Output.line(report.json.rendered)
                } else {
                    report.printTables()
                }
            }
        }
    }

    struct ResetOffsets: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-offsets",
            abstract: "Move a group's committed offsets for every partition of a topic.",
            discussion: """
                Refused while the group has active members (they would overwrite the \
                new offsets): stop them first.

                --to-datetime takes ISO-8601 (2026-11-25T10:00:00Z, \
                2026-11-25T11:00:00+01:00, 2026-11-25) or epoch milliseconds; each \
                partition moves to its first record at or after that time (the end if none).

                Example: brokerctl group reset-offsets billing --topic orders --to-earliest
                """)

        @Argument(help: "Group id.") var group: String
        @Option(name: [.short, .long], help: "Topic whose partitions are reset.") var topic: String
        @Flag(name: .customLong("to-earliest"), help: "To the first offset still in the log.") var toEarliest = false
        @Flag(name: .customLong("to-latest"), help: "To the log end offset (skip everything).") var toLatest = false
        @Option(name: .customLong("to-offset"), help: "To this offset (clamped to each partition's range).") var toOffset: Int64?
        @Option(name: .customLong("to-datetime"), help: ArgumentHelp("To the first record at or after this time.", valueName: "time"))
        var toDatetime: String?
        @OptionGroup var common: CommonOptions

        func validate() throws {
            let targets = [toEarliest, toLatest, toOffset != nil, toDatetime != nil].filter { $0 }.count
            guard targets == 1 else {
                throw ValidationError("give exactly one of --to-earliest, --to-latest, --to-offset N and --to-datetime TIME")
            }
            if let toOffset, toOffset < 0 { throw ValidationError("--to-offset must not be negative") }
            if let toDatetime, Self.parseTime(toDatetime) == nil {
                throw ValidationError("--to-datetime '\(toDatetime)' is neither ISO-8601 (e.g. 2026-11-25T10:00:00Z) nor epoch milliseconds")
            }
        }

        /// ISO-8601 date-time (with zone), a date (midnight UTC), or epoch milliseconds.
        static func parseTime(_ text: String) -> Int64? {
            if !text.isEmpty, text.allSatisfy(\.isNumber), let milliseconds = Int64(text) { return milliseconds }
            let optionSets: [ISO8601DateFormatter.Options] = [
                [.withInternetDateTime], [.withInternetDateTime, .withFractionalSeconds], [.withFullDate],
            ]
            for options in optionSets {
                let formatter = ISO8601DateFormatter()
                formatter.formatOptions = options
                if let date = formatter.date(from: text) { return Int64((date.timeIntervalSince1970 * 1000).rounded()) }
            }
            return nil
        }

        func run() async throws {
            let target: BrokerAdmin.ResetTarget
            if toEarliest {
                target = .earliest
            } else if toLatest {
                target = .latest
            } else if let toOffset {
                target = .offset(toOffset)
            } else if let toDatetime, let time = Self.parseTime(toDatetime) {
                target = .timestamp(time)
            } else {
                throw CtlError.usage("give one of --to-earliest, --to-latest, --to-offset and --to-datetime")
            }
            try await common.withCluster { cluster in
                let admin = BrokerAdmin(cluster: cluster)
                _ = try await TopicFetcher.partitions(of: topic, cluster: cluster)
                let before = try await admin.describeGroup(group)
                var previous: [Int32: Int64] = [:]
                for entry in before.offsets where entry.topic == topic { previous[entry.partition] = entry.committedOffset }
                let offsets: [Int32: Int64]
                do {
                    offsets = try await admin.resetOffsets(group: group, topic: topic, to: target)
                } catch {
                    guard case .invalidRequest(let message)? = error as? BrokerClientError else { throw error }
                    throw CtlError.failed("\(message) (`brokerctl group describe \(group)` lists them)")
                }
                let sorted = offsets.sorted { $0.key < $1.key }
                if common.json {
                    Output.line(JSON.object([
                        ("groupId", .string(group)), ("topic", .string(topic)),
                        ("offsets", .array(sorted.map {
                            .object([("partition", .int($0.key)), ("previousOffset", .int(previous[$0.key] ?? -1)),
                                     ("newOffset", .int($0.value))])
                        })),
                    ]).rendered)
                    return
                }
                var table = Table("TOPIC", "PARTITION", "PREVIOUS-OFFSET", "NEW-OFFSET")
                for (partition, offset) in sorted {
                    table.add(topic, "\(partition)", previous[partition].map { $0 < 0 ? "-" : "\($0)" } ?? "-", "\(offset)")
                }
                table.print()
            }
        }
    }
}

/// A group as `group describe` shows it: members with decoded assignments, and the lag of every
/// partition the group committed for or has assigned.
struct GroupReport {
    struct Member {
        var memberId: String
        var clientId: String
        var clientHost: String
        /// nil when the assignment is not a ConsumerProtocolAssignment.
        var assignment: [String: [Int32]]?
    }

    struct Offset {
        var topic: String
        var partition: Int32
        var committed: Int64
        var end: Int64
        var lag: Int64
        var memberId: String?
    }

    var groupId: String
    var state: String
    var protocolType: String
    var protocolName: String
    var members: [Member]
    var offsets: [Offset]
    var totalLag: Int64 { offsets.reduce(0) { $0 + $1.lag } }

    static func load(_ groupId: String, cluster: BrokerCluster) async throws -> GroupReport {
        let admin = BrokerAdmin(cluster: cluster)
        let description = try await admin.describeGroup(groupId)
        if description.state == "Dead" && description.members.isEmpty && description.offsets.isEmpty {
            throw CtlError.failed("group '\(groupId)' does not exist (see `brokerctl group list`)")
        }
        var owners: [String: [Int32: String]] = [:]
        let members = description.members.map { member in
            var decoded: [String: [Int32]]? = nil
            if !member.assignment.isEmpty, description.protocolType == ConsumerProtocolSubscription.protocolType || description.protocolType.isEmpty,
               let assignment = try? ConsumerProtocolAssignment.decode(ByteBuffer(bytes: member.assignment)) {
                decoded = assignment.partitionsByTopic
                for (topic, partitions) in assignment.partitionsByTopic {
                    for partition in partitions { owners[topic, default: [:]][partition] = member.memberId }
                }
            } else if member.assignment.isEmpty {
                decoded = [:]
            }
            return Member(memberId: member.memberId, clientId: member.clientId, clientHost: member.clientHost, assignment: decoded)
        }
        var offsets = description.offsets.map {
            Offset(topic: $0.topic, partition: $0.partition, committed: $0.committedOffset, end: $0.endOffset, lag: $0.lag,
                   memberId: owners[$0.topic]?[$0.partition])
        }
        // Partitions the group never committed for, of topics it consumes (committed for some partition,
        // or assigned to a member): their whole log is lag, as Kafka counts a consumer that starts at the
        // beginning.
        var partitionsByTopic: [String: Set<Int32>] = [:]
        for entry in offsets { partitionsByTopic[entry.topic, default: []].insert(entry.partition) }
        for (topic, partitionOwners) in owners { partitionsByTopic[topic, default: []].formUnion(partitionOwners.keys) }
        if !partitionsByTopic.isEmpty {
            let metadata = try await cluster.refreshMetadata(topics: partitionsByTopic.keys.sorted())
            for (topic, known) in partitionsByTopic {
                let all = metadata.topics[topic].flatMap { $0.error == nil ? $0.partitions.map(\.index) : nil } ?? []
                let missing = Set(all).union(known).filter { partition in
                    !offsets.contains { $0.topic == topic && $0.partition == partition }
                }.sorted()
                guard !missing.isEmpty else { continue }
                let starts = try await admin.listOffsets(topic: topic, partitions: missing, timestamp: -2)
                let ends = try await admin.listOffsets(topic: topic, partitions: missing, timestamp: -1)
                for partition in missing {
                    let end = ends[partition] ?? 0
                    offsets.append(Offset(topic: topic, partition: partition, committed: -1, end: end,
                                          lag: max(0, end - (starts[partition] ?? 0)), memberId: owners[topic]?[partition]))
                }
            }
        }
        offsets.sort { ($0.topic, $0.partition) < ($1.topic, $1.partition) }
        return GroupReport(groupId: groupId, state: description.state, protocolType: description.protocolType,
                           protocolName: description.protocolName, members: members, offsets: offsets)
    }

    static func assignmentText(_ assignment: [String: [Int32]]?) -> String {
        guard let assignment else { return "(not a consumer assignment)" }
        if assignment.isEmpty { return "-" }
        return assignment.sorted { $0.key < $1.key }
            .map { "\($0.key)[" + $0.value.sorted().map(String.init).joined(separator: ",") + "]" }
            .joined(separator: " ")
    }

    var json: JSON {
        .object([
            ("groupId", .string(groupId)),
            ("state", .string(state)),
            ("protocolType", .string(protocolType)),
            ("protocol", .string(protocolName)),
            ("members", .array(members.map { member in
                .object([
                    ("memberId", .string(member.memberId)), ("clientId", .string(member.clientId)),
                    ("clientHost", .string(member.clientHost)),
                    ("assignment", member.assignment.map { assignment in
                        .array(assignment.sorted { $0.key < $1.key }.map {
                            .object([("topic", .string($0.key)), ("partitions", .array($0.value.sorted().map { .int($0) }))])
                        })
                    } ?? .null),
                ])
            })),
            ("offsets", .array(offsets.map {
                .object([
                    ("topic", .string($0.topic)), ("partition", .int($0.partition)),
                    ("committedOffset", .int($0.committed)), ("logEndOffset", .int($0.end)), ("lag", .int($0.lag)),
                    ("memberId", .optionalString($0.memberId)),
                ])
            })),
            ("totalLag", .int(totalLag)),
        ])
    }

    func printTables() {
        Output.line("GROUP        \(groupId)")
        Output.line("STATE        \(state)")
        Output.line("PROTOCOL     \(protocolType.isEmpty ? "-" : protocolType)\(protocolName.isEmpty ? "" : "/" + protocolName)")
        Output.line("MEMBERS      \(members.count)")
        Output.line("TOTAL-LAG    \(totalLag)")
        if !members.isEmpty {
            Output.line("")
            var table = Table("MEMBER-ID", "CLIENT-ID", "HOST", "ASSIGNMENT")
            for member in members {
                table.add(member.memberId, member.clientId, member.clientHost, Self.assignmentText(member.assignment))
            }
            table.print()
        }
        if !offsets.isEmpty {
            Output.line("")
            var table = Table("TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "MEMBER-ID")
            for entry in offsets {
                table.add(entry.topic, "\(entry.partition)", entry.committed < 0 ? "-" : "\(entry.committed)", "\(entry.end)",
                          "\(entry.lag)", entry.memberId ?? "-")
            }
            table.print()
        }
    }
}
