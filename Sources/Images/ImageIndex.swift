/// An image index (OCI) or manifest list (Docker): one manifest per platform. An OCI layout's
/// `index.json` has the same shape, with tags in the `org.opencontainers.image.ref.name` annotation.
public struct ImageIndex: Sendable, Hashable, Codable {
    public var schemaVersion: Int
    public var mediaType: String?
    public var manifests: [Descriptor]

    public init(schemaVersion: Int = 2, mediaType: String? = MediaType.ociIndex, manifests: [Descriptor]) {
        self.schemaVersion = schemaVersion
        self.mediaType = mediaType
        self.manifests = manifests
    }

    public static let refNameAnnotation = "org.opencontainers.image.ref.name"

    /// The manifest for `platform`: an exact os/architecture match, preferring no variant or
    /// the same variant; nil when the image is not built for it.
    public func manifest(for platform: ImagePlatform) -> Descriptor? {
        let candidates = manifests.filter {
            MediaType.isManifest($0.mediaType) && $0.platform?.os == platform.os && $0.platform?.architecture == platform.architecture
        }
        return candidates.first { $0.platform?.variant == platform.variant } ?? candidates.first
    }
}
