/// Why a received packet was dropped before its body was parsed. Each reason has a counter,
/// so an operator can tell a misconfigured key from an attack from a neighbouring cluster.
public enum GossipDropReason: String, Error, Sendable, Hashable, CaseIterable {
    /// Too short, too long, or an unknown version or flag.
    case malformed
    /// A well-formed packet of another cluster (another cluster ID).
    case otherCluster
    /// No installed key opens it (a wrong key, a tampered packet, or a plaintext packet where
    /// encryption is on, or the reverse).
    case authenticationFailed
    /// Authentic, but its sequence number was already seen or is too old for the window.
    case replayed
    /// Authentic and fresh, yet the body does not decode: a bug or a newer version.
    case undecodable
}
