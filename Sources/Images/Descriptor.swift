/// A pointer to a blob: its media type, digest and size (OCI image spec "descriptor").
public struct Descriptor: Sendable, Hashable, Codable {
    public var mediaType: String
    public var digest: Digest
    public var size: Int64
    public var platform: ImagePlatform?
    public var annotations: [String: String]?

    public init(mediaType: String, digest: Digest, size: Int64, platform: ImagePlatform? = nil, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.platform = platform
        self.annotations = annotations
    }
}
