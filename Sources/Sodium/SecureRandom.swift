import CSodium

/// Randomness for keys, tokens and node IDs. Protocol cores never call this directly: the
/// shells draw from it and inject the bytes, so simulations stay reproducible.
public enum SecureRandom {
    public static func bytes(count: Int) -> [UInt8] {
        SodiumLibrary.ensureReady()
        precondition(count >= 0, "negative byte count \(count)")
        guard count > 0 else { return [] }
        var out = [UInt8](repeating: 0, count: count)
        out.withUnsafeMutableBufferPointer { randombytes_buf($0.baseAddress!, $0.count) }
        return out
    }
}
