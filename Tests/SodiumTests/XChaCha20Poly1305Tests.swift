import Sodium
import Testing

@Suite struct XChaCha20Poly1305Tests {
    /// The AEAD_XChaCha20_Poly1305 test vector of draft-irtf-cfrg-xchacha (appendix A.3.1).
    static let key = bytes("808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f")
    static let nonce = bytes("404142434445464748494a4b4c4d4e4f5051525354555657")
    static let associatedData = bytes("50515253c0c1c2c3c4c5c6c7")
    static let plaintext = Array(
        "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.".utf8)
    static let expected = bytes(
        "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b4522f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff921f9664c97637da9768812f615c68b13b52e"
            + "c0875924c1c7987947deafd8780acf49")

    @Test func sealingMatchesThePublishedTestVector() {
        let sealed = XChaCha20Poly1305.seal(Self.plaintext, associatedData: Self.associatedData, nonce: Self.nonce, key: Self.key)
        #expect(sealed == Self.expected)
    }

    @Test func openingThePublishedVectorGivesThePlaintextBack() {
        let opened = XChaCha20Poly1305.open(Self.expected, associatedData: Self.associatedData, nonce: Self.nonce, key: Self.key)
        #expect(opened == Self.plaintext)
    }

    @Test func aChangedHeaderBodyOrKeyIsRefused() {
        var body = Self.expected
        body[3] ^= 1
        #expect(XChaCha20Poly1305.open(body, associatedData: Self.associatedData, nonce: Self.nonce, key: Self.key) == nil)
        var header = Self.associatedData
        header[0] ^= 1
        #expect(XChaCha20Poly1305.open(Self.expected, associatedData: header, nonce: Self.nonce, key: Self.key) == nil)
        let otherKey = XChaCha20Poly1305.generateKey()
        #expect(XChaCha20Poly1305.open(Self.expected, associatedData: Self.associatedData, nonce: Self.nonce, key: otherKey) == nil)
        #expect(XChaCha20Poly1305.open(Array(Self.expected.prefix(10)), associatedData: [], nonce: Self.nonce, key: Self.key) == nil)
    }

    @Test func anEmptyMessageRoundTripsAndKeysOfTheWrongLengthAreRefused() {
        let key = XChaCha20Poly1305.generateKey()
        let nonce = XChaCha20Poly1305.generateNonce()
        let sealed = XChaCha20Poly1305.seal([], associatedData: [1, 2], nonce: nonce, key: key)
        #expect(sealed?.count == XChaCha20Poly1305.tagLength)
        #expect(sealed.flatMap { XChaCha20Poly1305.open($0, associatedData: [1, 2], nonce: nonce, key: key) } == [])
        #expect(XChaCha20Poly1305.seal([1], associatedData: [], nonce: nonce, key: [1, 2, 3]) == nil)
        #expect(XChaCha20Poly1305.open([UInt8](repeating: 0, count: 20), associatedData: [], nonce: [1], key: key) == nil)
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var iterator = hex.makeIterator()
        while let high = iterator.next(), let low = iterator.next() {
            out.append(UInt8(String([high, low]), radix: 16)!)
        }
        return out
    }
}
