import Testing
import Wire

@Suite struct WireCodingTests {
    @Test(arguments: [UInt64(0), 1, 127, 128, 300, 16_383, 16_384, UInt64(UInt32.max), UInt64.max - 1, UInt64.max])
    func varintsRoundTripAndSmallOnesTakeOneByte(value: UInt64) throws {
        var writer = WireWriter()
        writer.writeVarint(value)
        if value < 128 { #expect(writer.bytes.count == 1) }
        #expect(writer.bytes.count <= 10)
        var reader = WireReader(writer.bytes)
        #expect(try reader.readVarint("v") == value)
        try reader.expectEnd()
    }

    @Test(arguments: [Int64(0), -1, 1, -64, 64, Int64.min, Int64.max])
    func signedNumbersRoundTripThroughZigzag(value: Int64) throws {
        var writer = WireWriter()
        writer.writeSigned(value)
        var reader = WireReader(writer.bytes)
        #expect(try reader.readSigned("s") == value)
    }

    @Test func bytesStringsAndBoolsRoundTrip() throws {
        var writer = WireWriter()
        writer.writeBytes([1, 2, 3])
        writer.writeString("héllo")
        writer.writeBool(true)
        var reader = WireReader(writer.bytes)
        #expect(try reader.readBytes("b", limit: 10) == [1, 2, 3])
        #expect(try reader.readString("s", limit: 10) == "héllo")
        #expect(try reader.readBool("f"))
        try reader.expectEnd()
    }

    @Test func anElevenByteVarintIsMalformedNotALoop() {
        var reader = WireReader(Array(repeating: 0xFF, count: 11))
        #expect(throws: WireError.malformedVarint(field: "term")) { try reader.readVarint("term") }
        var overflowing = WireReader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02])
        #expect(throws: WireError.malformedVarint(field: "term")) { try overflowing.readVarint("term") }
    }

    @Test func aHugeLengthIsRefusedBeforeAnythingIsAllocated() {
        var writer = WireWriter()
        writer.writeVarint(UInt64(1) << 40)
        var reader = WireReader(writer.bytes)
        #expect(throws: WireError.tooLarge(field: "data", length: UInt64(1) << 40, limit: 1 << 20)) {
            try reader.readBytes("data", limit: 1 << 20)
        }
        var short = WireWriter()
        short.writeVarint(5)
        short.writeByte(1)
        var truncated = WireReader(short.bytes)
        #expect(throws: WireError.truncated(field: "data")) { try truncated.readBytes("data", limit: 100) }
        var counted = WireReader(short.bytes)
        #expect(throws: WireError.truncated(field: "entries")) { try counted.readCount("entries", limit: 1000, minimumItemBytes: 4) }
    }

    @Test func leftoverBytesAreReported() throws {
        var reader = WireReader([0, 0])
        _ = try reader.readByte("x")
        #expect(throws: WireError.trailingBytes(count: 1)) { try reader.expectEnd() }
    }
}
