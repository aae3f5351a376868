import NIOCore
import Testing
@testable import KafkaWire

@Suite struct PrimitivesTests {
    @Test func integersAreBigEndian() throws {
        var b = ByteBuffer()
        b.writeKafkaInt8(-2)
        b.writeKafkaInt16(0x0102)
        b.writeKafkaInt32(0x0304_0506)
        b.writeKafkaInt64(0x0708_090A_0B0C_0D0E)
        b.writeKafkaBool(true)
        #expect(Array(b.readableBytesView) == [0xFE, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 1])
        #expect(try b.readKafkaInt8() == -2)
        #expect(try b.readKafkaInt16() == 0x0102)
        #expect(try b.readKafkaInt32() == 0x0304_0506)
        #expect(try b.readKafkaInt64() == 0x0708_090A_0B0C_0D0E)
        #expect(try b.readKafkaBool())
        var nonZero = wireBytes([7])
        #expect(try nonZero.readKafkaBool())  // like Kafka: any non-zero byte is true
    }

    @Test func unsignedVarints() throws {
        let cases: [(UInt32, [UInt8])] = [
            (0, [0x00]), (1, [0x01]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
            (16_383, [0xFF, 0x7F]), (16_384, [0x80, 0x80, 0x01]), (UInt32.max, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        ]
        for (value, wire) in cases {
            var b = ByteBuffer()
            b.writeKafkaUnsignedVarint(value)
            #expect(Array(b.readableBytesView) == wire)
            #expect(try b.readKafkaUnsignedVarint() == value)
            #expect(b.readableBytes == 0)
        }
        var tooLong = wireBytes([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(expectWireError { _ = try tooLong.readKafkaUnsignedVarint("n") }?.kind == .malformedVarint)
        var overflow = wireBytes([0xFF, 0xFF, 0xFF, 0xFF, 0x10])
        #expect(expectWireError { _ = try overflow.readKafkaUnsignedVarint("n") }?.kind == .malformedVarint)
        var truncated = wireBytes([0x80, 0x80])
        let error = expectWireError { _ = try truncated.readKafkaUnsignedVarint("n") }
        #expect(error?.kind == .truncated(needed: 3, available: 2))
        #expect(truncated.readerIndex == 0)
    }

    @Test func strings() throws {
        var b = ByteBuffer()
        b.writeKafkaString("héllo")
        b.writeKafkaNullableString(nil)
        b.writeKafkaNullableString("")
        b.writeKafkaCompactString("abc")
        b.writeKafkaCompactNullableString(nil)
        #expect(Array(b.readableBytesView) == [0, 6, 0x68, 0xC3, 0xA9, 0x6C, 0x6C, 0x6F, 0xFF, 0xFF, 0, 0, 4, 0x61, 0x62, 0x63, 0])
        #expect(try b.readKafkaString() == "héllo")
        #expect(try b.readKafkaNullableString() == nil)
        #expect(try b.readKafkaNullableString() == "")
        #expect(try b.readKafkaCompactString() == "abc")
        #expect(try b.readKafkaCompactNullableString() == nil)
    }

    @Test func stringErrors() {
        var longer = wireBytes([0x00, 0x10, 0x61, 0x62])
        let e1 = expectWireError { _ = try longer.readKafkaString("topic") }
        #expect(e1?.kind == .truncated(needed: 16, available: 2))
        #expect(e1?.field == "topic")
        #expect(e1?.offset == 0)
        #expect(longer.readerIndex == 2)  // only the length was consumed

        var negative = wireBytes([0xFF, 0xFE])
        #expect(expectWireError { _ = try negative.readKafkaNullableString() }?.kind == .negativeLength(-2))
        var null = wireBytes([0xFF, 0xFF])
        #expect(expectWireError { _ = try null.readKafkaString() }?.kind == .unexpectedNull)
        var invalid = wireBytes([0x00, 0x02, 0xC3, 0x28])
        #expect(expectWireError { _ = try invalid.readKafkaString() }?.kind == .invalidUTF8)
        var compactNull = wireBytes([0x00])
        #expect(expectWireError { _ = try compactNull.readKafkaCompactString() }?.kind == .unexpectedNull)
        var compactHuge = wireBytes([0xFF, 0xFF, 0x03])  // 65535 - 1 bytes > 32767
        #expect(expectWireError { _ = try compactHuge.readKafkaCompactString() }?.kind == .lengthTooLarge(length: 65_534, limit: 32_767))
    }

    @Test func overlongStringsAreCutAtACharacterBoundary() throws {
        let value = String(repeating: "a", count: 32_766) + "é"  // 32768 bytes: 'é' would straddle
        var b = ByteBuffer()
        b.writeKafkaString(value)
        let decoded = try b.readKafkaString()
        #expect(decoded == String(repeating: "a", count: 32_766))
    }

    @Test func bytesAndSlices() throws {
        var b = ByteBuffer()
        b.writeKafkaBytes(wireBytes([1, 2]))
        b.writeKafkaNullableBytes(nil)
        b.writeKafkaCompactBytes(wireBytes([3]))
        b.writeKafkaCompactNullableBytes(nil)
        #expect(Array(b.readableBytesView) == [0, 0, 0, 2, 1, 2, 0xFF, 0xFF, 0xFF, 0xFF, 2, 3, 0])
        #expect(try b.readKafkaBytes() == wireBytes([1, 2]))
        #expect(try b.readKafkaNullableBytes() == nil)
        #expect(try b.readKafkaCompactBytes() == wireBytes([3]))
        #expect(try b.readKafkaCompactNullableBytes() == nil)

        var huge = wireBytes([0x7F, 0xFF, 0xFF, 0xFF, 0x00])
        #expect(expectWireError { _ = try huge.readKafkaBytes("records") }?.kind == .truncated(needed: Int(Int32.max), available: 1))
        var negative = wireBytes([0xFF, 0xFF, 0xFF, 0xF0])
        #expect(expectWireError { _ = try negative.readKafkaNullableBytes() }?.kind == .negativeLength(-16))
    }

    @Test func arrays() throws {
        var b = ByteBuffer()
        b.writeKafkaInt32Array([1, 2])
        b.writeKafkaNullableArray(nil as [Int32]?) { b, v in b.writeKafkaInt32(v) }
        b.writeKafkaCompactArray([5, 6] as [Int32]) { b, v in b.writeKafkaInt32(v) }
        b.writeKafkaCompactNullableArray(nil as [Int32]?) { b, v in b.writeKafkaInt32(v) }
        #expect(try b.readKafkaInt32Array() == [1, 2])
        #expect(try b.readKafkaNullableArray { (b: inout ByteBuffer) throws(KafkaWireError) in try b.readKafkaInt32() } == nil)
        #expect(try b.readKafkaCompactArray { (b: inout ByteBuffer) throws(KafkaWireError) in try b.readKafkaInt32() } == [5, 6])
        #expect(try b.readKafkaCompactNullableArray { (b: inout ByteBuffer) throws(KafkaWireError) in try b.readKafkaInt32() } == nil)
        #expect(b.readableBytes == 0)
    }

    @Test func absurdArrayCountsFailFast() {
        let clock = ContinuousClock()
        let elapsed = clock.measure {
            var b = wireBytes([0x7F, 0xFF, 0xFF, 0xFF, 0, 1, 0x61])
            let e = expectWireError { _ = try b.readKafkaStringArray("topics") }
            #expect(e?.kind == .countTooLarge(count: Int(Int32.max), available: 3))
            #expect(e?.field == "topics")

            var compact = wireBytes([0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0])
            let e2 = expectWireError {
                _ = try compact.readKafkaCompactArray { (b: inout ByteBuffer) throws(KafkaWireError) in try b.readKafkaInt8() }
            }
            #expect(e2?.kind == .countTooLarge(count: Int(Int32.max) - 1, available: 1))

            var tags = wireBytes([0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
            #expect(expectWireError { _ = try tags.readKafkaTaggedFields() }?.kind == .countTooLarge(count: Int(UInt32.max), available: 0))
        }
        // The error kinds above prove the counts were checked before allocating; the bound only catches a
        // decoder that allocated gigabytes first, and is a minute so that a busy CI machine never trips it.
        #expect(elapsed < .seconds(60))

        var nullNotAllowed = wireBytes([0xFF, 0xFF, 0xFF, 0xFF])
        #expect(expectWireError { _ = try nullNotAllowed.readKafkaInt32Array() }?.kind == .unexpectedNull)
        var negative = wireBytes([0xFF, 0xFF, 0xFF, 0xFE])
        #expect(expectWireError { _ = try negative.readKafkaInt32Array() }?.kind == .negativeLength(-2))
        // 3 int32s claimed, 8 bytes left: rejected from the element size before reading.
        var short = wireBytes([0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 2])
        #expect(expectWireError { _ = try short.readKafkaInt32Array() }?.kind == .countTooLarge(count: 3, available: 8))
    }

    @Test func taggedFields() throws {
        var b = ByteBuffer()
        b.writeKafkaTaggedFields([])
        #expect(Array(b.readableBytesView) == [0])
        #expect(try b.readKafkaTaggedFields() == [])

        let fields = [KafkaTaggedField(tag: 0, data: wireBytes([1, 2])), KafkaTaggedField(tag: 200, data: ByteBuffer())]
        b.writeKafkaTaggedFields(fields)
        #expect(Array(b.readableBytesView) == [2, 0, 2, 1, 2, 0xC8, 0x01, 0])
        #expect(try b.readKafkaTaggedFields() == fields)

        var truncated = wireBytes([1, 5, 10, 1, 2])
        #expect(expectWireError { _ = try truncated.readKafkaTaggedFields() }?.kind == .truncated(needed: 10, available: 2))
    }
}
