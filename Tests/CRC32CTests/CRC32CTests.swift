import ShopTestSupport
import CCRC32C
import Testing

/// The textbook bit-at-a-time CRC-32C: slow, obviously correct, and shares no code with CCRC32C.
private func referenceCRC32C(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 {
            crc = (crc & 1) == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1
        }
    }
    return ~crc
}

private enum Implementation: String, CaseIterable, CustomTestStringConvertible {
    case dispatched, portable, hardware
    var testDescription: String { rawValue }

    func crc(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { raw in
            switch self {
            case .dispatched: crc32c_extend(seed, raw.baseAddress, raw.count)
            case .portable: crc32c_extend_portable(seed, raw.baseAddress, raw.count)
            case .hardware: crc32c_extend_hardware(seed, raw.baseAddress, raw.count)
            }
        }
    }

    var isUsable: Bool { self != .hardware || crc32c_hardware_available() != 0 }
}

@Suite struct CRC32CTests {
    @Test func hardwarePathIsChosenOnThisCPU() {
        #if arch(x86_64)
        // Every x86_64 machine this project runs on has SSE4.2; losing it silently would cost 10x.
        #expect(crc32c_hardware_available() != 0)
        #endif
    }

    /// RFC 3720 appendix B.4 and the customary check value.
    @Test(arguments: Implementation.allCases)
    fileprivate func publishedVectors(_ impl: Implementation) {
        guard impl.isUsable else { return }
        #expect(impl.crc(Array("123456789".utf8)) == 0xE306_9283)
        #expect(impl.crc([UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(impl.crc([UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(impl.crc((0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(impl.crc((0..<32).reversed().map { UInt8($0) }) == 0x113F_DB5C)
        #expect(impl.crc([]) == 0)
        let iscsiReadCommand: [UInt8] = [
            0x01, 0xC0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
            0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        ]
        #expect(impl.crc(iscsiReadCommand) == 0xD996_3A56)
    }

    /// Lengths that reach every path: the byte loop, the 8-byte loop, the 3x256 and 3x8192 interleaves.
    @Test(arguments: Implementation.allCases)
    fileprivate func matchesReferenceOnRandomInputs(_ impl: Implementation) {
        guard impl.isUsable else { return }
        var rng = SplitMix64(state: 0xC0FFEE)
        var lengths = Array(0...80) + [255, 256, 767, 768, 769, 4096, 24_575, 24_576, 24_577, 100_003]
        for _ in 0..<40 { lengths.append(Int.random(in: 0..<70_000, using: &rng)) }
        for length in lengths {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(impl.crc(bytes) == referenceCRC32C(bytes), "length \(length)")
        }
    }

    /// Misaligned starts exercise the alignment prologue.
    @Test(arguments: Implementation.allCases)
    fileprivate func misalignedStarts(_ impl: Implementation) {
        guard impl.isUsable else { return }
        var rng = SplitMix64(state: 7)
        let bytes = (0..<30_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        for start in 0..<16 {
            let slice = Array(bytes[start...])
            let got = bytes.withUnsafeBytes { raw -> UInt32 in
                switch impl {
                case .dispatched: crc32c_extend(0, raw.baseAddress! + start, raw.count - start)
                case .portable: crc32c_extend_portable(0, raw.baseAddress! + start, raw.count - start)
                case .hardware: crc32c_extend_hardware(0, raw.baseAddress! + start, raw.count - start)
                }
            }
            #expect(got == referenceCRC32C(slice), "start \(start)")
        }
    }

    /// Extending a CRC piece by piece equals computing it at once (what a streaming caller relies on).
    @Test(arguments: Implementation.allCases)
    fileprivate func incrementalExtension(_ impl: Implementation) {
        guard impl.isUsable else { return }
        var rng = SplitMix64(state: 42)
        let bytes = (0..<50_000).map { _ in UInt8.random(in: 0...255, using: &rng) }
        let whole = referenceCRC32C(bytes)
        for _ in 0..<20 {
            let cut = Int.random(in: 0...bytes.count, using: &rng)
            let first = impl.crc(Array(bytes[..<cut]))
            #expect(impl.crc(Array(bytes[cut...]), seed: first) == whole, "cut \(cut)")
        }
    }
}
