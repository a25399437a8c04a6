import Sodium
import Testing

/// The primitives the managers' and workers' channels are built from.
@Suite struct ChannelPrimitivesTests {
    static func bytes(hex: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    /// RFC 8032 §7.1, test 1: the empty message.
    @Test func ed25519MatchesTheRFCVector() throws {
        let pair = try #require(Ed25519KeyPair(seed: Self.bytes(hex: "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")))
        #expect(pair.publicKey == Self.bytes(hex: "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"))
        let expected = Self.bytes(hex: "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b")
        #expect(pair.sign([]) == expected)
        #expect(Ed25519KeyPair.verify(expected, of: [], publicKey: pair.publicKey))
    }

    @Test func aSignatureDoesNotVerifyForAnotherMessageKeyOrAMalformedInput() {
        let pair = Ed25519KeyPair.generate()
        let other = Ed25519KeyPair.generate()
        let signature = pair.sign(Array("transcript".utf8))
        #expect(Ed25519KeyPair.verify(signature, of: Array("transcript".utf8), publicKey: pair.publicKey))
        #expect(!Ed25519KeyPair.verify(signature, of: Array("transcripT".utf8), publicKey: pair.publicKey))
        #expect(!Ed25519KeyPair.verify(signature, of: Array("transcript".utf8), publicKey: other.publicKey))
        #expect(!Ed25519KeyPair.verify(Array(signature.dropLast()), of: Array("transcript".utf8), publicKey: pair.publicKey))
        #expect(!Ed25519KeyPair.verify(signature, of: Array("transcript".utf8), publicKey: []))
        #expect(Ed25519KeyPair(seed: [1, 2, 3]) == nil)
    }

    @Test func aReloadedSeedGivesTheSameKeyPair() throws {
        let pair = Ed25519KeyPair.generate()
        let reloaded = try #require(Ed25519KeyPair(seed: pair.seed))
        #expect(reloaded.publicKey == pair.publicKey)
    }

    @Test func bothSidesOfAKeyExchangeDeriveCrossedSessionKeys() throws {
        let client = KeyExchangeKeyPair.generate()
        let server = KeyExchangeKeyPair.generate()
        let clientKeys = try #require(client.clientSessionKeys(serverPublicKey: server.publicKey))
        let serverKeys = try #require(server.serverSessionKeys(clientPublicKey: client.publicKey))
        #expect(clientKeys.transmit == serverKeys.receive)
        #expect(clientKeys.receive == serverKeys.transmit)
        #expect(clientKeys.transmit != clientKeys.receive)
        #expect(client.clientSessionKeys(serverPublicKey: [0, 1]) == nil)
    }

    @Test func aSecretStreamCarriesMessagesInOrderAndMarksItsEnd() throws {
        let key = SecureRandom.bytes(count: SecretStreamSealer.keyLength)
        let sealer = try #require(SecretStreamSealer(key: key))
        let opener = try #require(SecretStreamOpener(key: key, header: sealer.header))
        let first = sealer.seal(Array("append entries".utf8))
        let second = sealer.seal([], final: true)
        #expect(try opener.open(first).message == Array("append entries".utf8))
        let end = try opener.open(second)
        #expect(end.isFinal)
        #expect(throws: SecretStreamOpener.Failure.afterEnd) { try opener.open(first) }
    }

    @Test func aSecretStreamRefusesAlteredReplayedAndReorderedMessages() throws {
        let key = SecureRandom.bytes(count: SecretStreamSealer.keyLength)
        let sealer = try #require(SecretStreamSealer(key: key))
        let messages = (0..<3).map { sealer.seal([UInt8($0)]) }

        let altering = try #require(SecretStreamOpener(key: key, header: sealer.header))
        var altered = messages[0]
        altered[0] ^= 1
        #expect(throws: SecretStreamOpener.Failure.notAuthentic) { try altering.open(altered) }

        let replaying = try #require(SecretStreamOpener(key: key, header: sealer.header))
        _ = try replaying.open(messages[0])
        #expect(throws: SecretStreamOpener.Failure.notAuthentic) { try replaying.open(messages[0]) }

        let reordering = try #require(SecretStreamOpener(key: key, header: sealer.header))
        #expect(throws: SecretStreamOpener.Failure.notAuthentic) { try reordering.open(messages[1]) }

        let wrongKey = try #require(SecretStreamOpener(key: SecureRandom.bytes(count: 32), header: sealer.header))
        #expect(throws: SecretStreamOpener.Failure.notAuthentic) { try wrongKey.open(messages[0]) }
        #expect(throws: SecretStreamOpener.Failure.notAuthentic) { try wrongKey.open([1, 2]) }
    }
}
