import SWIM
import Sodium

/// Sealing and opening whole packets: header, nonce, ciphertext. Opening checks, in order of
/// cost, the length and version, the cluster ID, the authentication tag (trying each key of
/// the keyring), and the sender's replay window; a packet that fails any check is dropped with
/// its reason and its body is never parsed.
public enum GossipPacket {
    /// Bytes a sealed packet adds to its plaintext body.
    public static let sealingOverhead = GossipPacketHeader.length + XChaCha20Poly1305.nonceLength + XChaCha20Poly1305.tagLength
    /// UDP datagrams are never larger: a 1,400-byte MTU path carries them unfragmented.
    public static let maximumDatagramLength = 1_400
    /// TCP frames (push-pull state) are bounded too: this is ample for 65,536 members.
    public static let maximumFrameLength = 64 << 20

    /// Seals `body` with the keyring's primary key (or frames it in plaintext when the
    /// keyring is empty).
    public static func seal(_ body: [UInt8], clusterID: UInt64, sender: SWIMNodeID, sequence: UInt64,
                            keyring: GossipKeyring) -> [UInt8] {
        guard let key = keyring.primaryKey else {
            let header = GossipPacketHeader(isSealed: false, keyID: 0, clusterID: clusterID, sender: sender, sequence: sequence)
            return header.encoded + body
        }
        let header = GossipPacketHeader(isSealed: true, keyID: GossipKeyring.keyID(of: key), clusterID: clusterID,
                                        sender: sender, sequence: sequence)
        let associatedData = header.encoded
        let nonce = XChaCha20Poly1305.generateNonce()
        // The key has the right length (the keyring checks), so sealing cannot fail.
        let sealed = XChaCha20Poly1305.seal(body, associatedData: associatedData, nonce: nonce, key: key) ?? []
        return associatedData + nonce + sealed
    }

    /// Checks everything but freshness: the header, the cluster, and authenticity.
    public static func authenticate(_ packet: [UInt8], clusterID: UInt64,
                                    keyring: GossipKeyring) -> Result<(GossipPacketHeader, [UInt8]), GossipDropReason> {
        guard let header = GossipPacketHeader.decode(packet[...]), header.version == GossipPacketHeader.currentVersion else {
            return .failure(.malformed)
        }
        guard header.clusterID == clusterID else { return .failure(.otherCluster) }
        let rest = Array(packet.dropFirst(GossipPacketHeader.length))
        guard header.isSealed else {
            // Plaintext is only accepted by a plaintext cluster: with encryption on, an
            // unsealed packet is as unauthenticated as one sealed with a wrong key.
            return keyring.isEncrypted ? .failure(.authenticationFailed) : .success((header, rest))
        }
        guard rest.count >= XChaCha20Poly1305.nonceLength + XChaCha20Poly1305.tagLength else { return .failure(.malformed) }
        let nonce = Array(rest.prefix(XChaCha20Poly1305.nonceLength))
        let sealed = Array(rest.dropFirst(XChaCha20Poly1305.nonceLength))
        let associatedData = Array(packet.prefix(GossipPacketHeader.length))
        for key in keyring.candidates(for: header.keyID) {
            if let body = XChaCha20Poly1305.open(sealed, associatedData: associatedData, nonce: nonce, key: key) {
                return .success((header, body))
            }
        }
        return .failure(.authenticationFailed)
    }

    /// `authenticate`, then the replay window of the sender.
    static func open(_ packet: [UInt8], clusterID: UInt64, keyring: GossipKeyring,
                     replayGuard: inout GossipReplayGuard) -> Result<(GossipPacketHeader, [UInt8]), GossipDropReason> {
        switch authenticate(packet, clusterID: clusterID, keyring: keyring) {
        case .failure(let reason): return .failure(reason)
        case .success(let (header, body)):
            guard replayGuard.accept(sender: header.sender, sequence: header.sequence) else { return .failure(.replayed) }
            return .success((header, body))
        }
    }
}
