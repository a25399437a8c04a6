import Sodium

/// Seals the few messages of a join that follow the handshake (the joiner's ask, the
/// manager's grant) with the session keys: XChaCha20-Poly1305, a random nonce in front, and a
/// label as associated data so one message can never be passed off as the other.
enum SessionBox {
    static func seal(_ plaintext: [UInt8], label: String, key: [UInt8]) -> [UInt8] {
        let nonce = XChaCha20Poly1305.generateNonce()
        // Only a key of the wrong length makes sealing fail; session keys always have the right one.
        return nonce + (XChaCha20Poly1305.seal(plaintext, associatedData: Array(label.utf8), nonce: nonce, key: key) ?? [])
    }

    static func open(_ sealed: [UInt8], label: String, key: [UInt8]) -> [UInt8]? {
        let nonceLength = XChaCha20Poly1305.nonceLength
        guard sealed.count > nonceLength + XChaCha20Poly1305.tagLength else { return nil }
        return XChaCha20Poly1305.open(
            Array(sealed[nonceLength...]), associatedData: Array(label.utf8), nonce: Array(sealed[..<nonceLength]), key: key)
    }
}
