// The Swift client against a running broker: produce N records of S bytes (fire-and-forget + flush,
// idempotent acks=all), then consume them back as a group member. Prints records/s and MB/s.
//
//   client-bench BOOTSTRAP [RECORDS] [RECORD_SIZE] [PARTITIONS]
import BrokerClient
import Foundation

let arguments = CommandLine.arguments
guard arguments.count >= 2 else {
    print("usage: client-bench HOST:PORT [RECORDS] [RECORD_SIZE] [PARTITIONS]")
    exit(64)
}
let records = arguments.count > 2 ? Int(arguments[2]) ?? 500_000 : 500_000
let size = arguments.count > 3 ? Int(arguments[3]) ?? 100 : 100
let partitions = arguments.count > 4 ? Int32(arguments[4]) ?? 1 : 1
let topic = "client-bench-\(UUID().uuidString.prefix(8))"
let cluster = try BrokerCluster(bootstrap: [arguments[1]])
try await BrokerAdmin(cluster: cluster).createTopic(topic, partitions: partitions)

let value = [UInt8](repeating: 0x61, count: size)
let producer = try BrokerProducer(cluster: cluster)
let clock = ContinuousClock()
var start = clock.now
// Off the main actor: each main-actor hop would cost a trip through the main dispatch queue.
try await Task.detached {
    let chunk = [(key: [UInt8]?, value: [UInt8]?)](repeating: (nil, value), count: 1000)
    for _ in 0..<(records / 1000) { try await producer.sendWithoutWaiting(topic: topic, records: chunk) }
    await producer.flush()
}.value
var elapsed = clock.now - start
func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
print(String(format: "produce: %d records of %d bytes in %.2f s: %.0f records/s, %.1f MB/s (idempotent, acks=all)",
             records, size, seconds(elapsed), Double(records) / seconds(elapsed), Double(records * size) / seconds(elapsed) / 1e6))
await producer.close()

var config = ConsumerConfig()
config.groupId = "client-bench"
config.autoOffsetReset = .earliest
config.enableAutoCommit = false
let consumer = BrokerConsumer(cluster: cluster, config: config)
try await consumer.subscribe([topic])
start = clock.now
var received = 0
while received < records && clock.now - start < .seconds(300) {
    received += try await consumer.poll(timeout: .seconds(1)).count
}
elapsed = clock.now - start
print(String(format: "consume: %d records in %.2f s: %.0f records/s, %.1f MB/s", received, seconds(elapsed),
             Double(received) / seconds(elapsed), Double(received * size) / seconds(elapsed) / 1e6))
await consumer.close()
await cluster.shutdown()
