// Mutation fuzzer for the KafkaWire decoders: request frames (header + body) seeded with the frames
// captured from real clients, and RecordBatch v2 (plain and LZ4) seeded with encoded batches.
// A crash ends the process (and is the finding); otherwise it prints executions and outcomes.
//
//   kafkawire-fuzz [--seconds N] [--seed S] [--fixtures DIR]
import Foundation
import KafkaWire
import NIOCore

var seconds = 60.0
var seed: UInt64 = UInt64(Date().timeIntervalSince1970)
var fixturesDirectory = "Tests/KafkaWireTests/Fixtures"
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--seconds": seconds = Double(arguments.next() ?? "") ?? seconds
    case "--seed": seed = UInt64(arguments.next() ?? "") ?? seed
    case "--fixtures": fixturesDirectory = arguments.next() ?? fixturesDirectory
    default:
        print("usage: kafkawire-fuzz [--seconds N] [--seed S] [--fixtures DIR]")
        exit(64)
    }
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

var rng = SplitMix64(state: seed)

var frameSeeds: [[UInt8]] = []
if let enumerator = FileManager.default.enumerator(atPath: fixturesDirectory) {
    while let path = enumerator.nextObject() as? String {
        guard path.hasSuffix(".bin") else { continue }
        if let data = FileManager.default.contents(atPath: fixturesDirectory + "/" + path) { frameSeeds.append([UInt8](data)) }
    }
}
guard !frameSeeds.isEmpty else {
    print("no fixtures under \(fixturesDirectory)")
    exit(1)
}

var batchSeeds: [[UInt8]] = []
for (count, size) in [(1, 10), (5, 100), (50, 3), (3, 70_000)] {
    let records = (0..<count).map { i in
        RecordBatch.ProducerRecord(keyBytes: Array("key-\(i)".utf8), valueBytes: [UInt8](repeating: UInt8(i & 0xFF), count: size),
                                   headers: [RecordHeader(key: "h", valueBytes: Array("v".utf8))], timestamp: 1_700_000_000_000 + Int64(i))
    }
    for codec in [CompressionCodec.none, .lz4] {
        let batch = RecordBatch(producing: records)
        guard let encoded = try? batch.encoded(compression: codec) else { fatalError("seed batch does not encode") }
        batchSeeds.append(Array(buffer: encoded))
    }
}

/// One random edit: flip bits, overwrite with interesting values, insert, delete, truncate, or splice.
@MainActor func mutate(_ input: [UInt8]) -> [UInt8] {
    var bytes = input
    for _ in 0..<Int.random(in: 1...4, using: &rng) {
        guard !bytes.isEmpty else { bytes = [UInt8.random(in: 0...255, using: &rng)]; continue }
        let at = Int.random(in: 0..<bytes.count, using: &rng)
        switch Int.random(in: 0..<7, using: &rng) {
        case 0: bytes[at] ^= UInt8(1) << UInt8.random(in: 0...7, using: &rng)
        case 1: bytes[at] = [0x00, 0xFF, 0x7F, 0x80, 0x01, 0xFE].randomElement(using: &rng)!
        case 2:
            // A length-like field: big-endian int16/int32 with an extreme value.
            let values: [[UInt8]] = [[0x7F, 0xFF, 0xFF, 0xFF], [0xFF, 0xFF, 0xFF, 0xFF], [0x80, 0, 0, 0], [0, 0, 0, 0], [0xFF, 0xFF]]
            let value = values.randomElement(using: &rng)!
            for (i, byte) in value.enumerated() where at + i < bytes.count { bytes[at + i] = byte }
        case 3: bytes.insert(UInt8.random(in: 0...255, using: &rng), at: at)
        case 4: bytes.remove(at: at)
        case 5: bytes.removeLast(Int.random(in: 0...(bytes.count - at), using: &rng))
        default:
            let donor = frameSeeds.randomElement(using: &rng)!
            let start = Int.random(in: 0..<donor.count, using: &rng)
            bytes.replaceSubrange(at..<min(bytes.count, at + 8), with: donor[start..<min(donor.count, start + 8)])
        }
    }
    return bytes
}

var executions = 0
var decodedFrames = 0, rejectedFrames = 0, decodedBatches = 0, rejectedBatches = 0
let decoder = RecordBatch.Decoder(maxUncompressedBytes: 1 << 20)
let deadline = Date().addingTimeInterval(seconds)
let started = Date()
while Date() < deadline {
    for _ in 0..<1000 {
        executions += 1
        if executions % 2 == 0 {
            var frame = ByteBuffer(bytes: mutate(frameSeeds.randomElement(using: &rng)!))
            do {
                let header = try RequestHeader.decode(from: &frame)
                _ = try KafkaRequest.decode(header: header, body: frame)
                decodedFrames += 1
            } catch {
                rejectedFrames += 1
            }
        } else {
            var batch = ByteBuffer(bytes: mutate(batchSeeds.randomElement(using: &rng)!))
            do {
                _ = try decoder.decode(from: &batch)
                decodedBatches += 1
            } catch {
                rejectedBatches += 1
            }
        }
    }
}
let elapsed = Date().timeIntervalSince(started)
print("seed \(seed): \(executions) executions in \(String(format: "%.1f", elapsed)) s (\(Int(Double(executions) / elapsed))/s), no crash")
print("frames: \(decodedFrames) decoded, \(rejectedFrames) rejected with a typed error")
print("batches: \(decodedBatches) decoded, \(rejectedBatches) rejected with a typed error")
