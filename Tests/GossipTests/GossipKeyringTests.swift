import Gossip
import Sodium
import Testing

@Suite struct GossipKeyringTests {
    @Test func theFirstKeyInstalledIsPrimaryAndUseSwitchesIt() throws {
        let first = XChaCha20Poly1305.generateKey(), second = XChaCha20Poly1305.generateKey()
        var keyring = try GossipKeyring(primary: first)
        try keyring.install(second)
        #expect(keyring.primaryKey == first)
        try keyring.use(second)
        #expect(keyring.primaryKey == second)
        #expect(keyring.keys.count == 2)
    }

    @Test func thePrimaryKeyCannotBeRemovedButAnOldOneCan() throws {
        let first = XChaCha20Poly1305.generateKey(), second = XChaCha20Poly1305.generateKey()
        var keyring = try GossipKeyring(primary: first, others: [second])
        #expect(throws: GossipKeyringError.removingPrimary) { try keyring.remove(first) }
        try keyring.use(second)
        try keyring.remove(first)
        #expect(keyring.keys == [second])
    }

    @Test func keysOfTheWrongLengthOrNotInBase64AreRefusedWithAReason() {
        #expect(throws: GossipKeyringError.invalidLength(16)) { try GossipKeyring.decodeKey("AAAAAAAAAAAAAAAAAAAAAA==") }
        #expect(throws: GossipKeyringError.notBase64) { try GossipKeyring.decodeKey("not base64!") }
        var keyring = GossipKeyring()
        #expect(throws: GossipKeyringError.notInstalled) { try keyring.use(XChaCha20Poly1305.generateKey()) }
    }

    @Test func aKeyRoundTripsThroughItsBase64Form() throws {
        let key = XChaCha20Poly1305.generateKey()
        #expect(try GossipKeyring.decodeKey(GossipKeyring.encodeKey(key)) == key)
    }
}
