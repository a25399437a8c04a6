/// An image whose manifest, config and layers are all in the blob cache, verified.
public struct PulledImage: Sendable, Hashable {
    public var reference: ImageReference
    /// The digest of the platform manifest (what `image@sha256:…` pins).
    public var manifestDigest: Digest
    public var configuration: ImageConfiguration
    public var layers: [PulledLayer]
    /// Set when the registry was to be asked (`latest`, `force_pull`) but could not be reached,
    /// so the image the tag named at its last pull on this node is used instead: the caller
    /// logs it, because the container may run an older image than the registry now holds.
    public var fallbackNote: String? = nil
}

/// One layer: the compressed blob in the cache and the digest its uncompressed tar must have.
public struct PulledLayer: Sendable, Hashable {
    public var descriptor: Descriptor
    public var diffID: Digest
    public var path: String
}
