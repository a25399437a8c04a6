import Testing

@testable import RaftRuntime

@Suite("CRC32C") struct CRC32CTests {
    /// The bit-at-a-time definition, to check the sliced tables against.
    static func reference(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        }
        return ~crc
    }

    @Test func theStandardCheckValueOf123456789IsE3069283() {
        #expect(CRC32C.checksum(Array("123456789".utf8)) == 0xE306_9283)
    }

    @Test func theSlicedComputationAgreesWithTheBitwiseDefinitionAtEveryLengthAndAlignment() {
        var generator = SystemRandomNumberGenerator()
        let data = (0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for start in 0..<9 {
            for end in stride(from: start, through: data.count, by: 7) {
                let slice = Array(data[start..<end])
                #expect(CRC32C.checksum(data[start..<end]) == Self.reference(slice), "bytes \(start)..<\(end)")
            }
        }
    }

    @Test func checksummingInPiecesEqualsChecksummingTheWhole() {
        let whole = Array("The quick brown fox jumps over the lazy dog, twice over.".utf8)
        for split in 0...whole.count {
            let first = CRC32C.checksum(Array(whole[..<split]))
            #expect(CRC32C.checksum(Array(whole[split...]), continuing: first) == CRC32C.checksum(whole))
        }
    }
}
