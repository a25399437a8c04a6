import Sodium
import Testing

@Suite struct GenericHashTests {
    /// The BLAKE2b-256 digest of "abc" from the BLAKE2 reference implementation.
    @Test func unkeyedDigestMatchesTheReferenceVector() {
        let digest = GenericHash.hash(Array("abc".utf8), length: 32)
        let hex = digest.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
        #expect(hex == "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319")
    }

    @Test func keyChangesTheDigest() {
        let message = Array("roost".utf8)
        #expect(GenericHash.hash(message) != GenericHash.hash(message, key: [UInt8](repeating: 7, count: 32)))
    }

    @Test func randomBytesAreNotAllEqual() {
        let first = SecureRandom.bytes(count: 32)
        #expect(first.count == 32)
        #expect(first != SecureRandom.bytes(count: 32))
    }
}
