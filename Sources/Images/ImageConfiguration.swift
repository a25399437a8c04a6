/// The parts of an image's config blob a container needs: the default process and the
/// uncompressed digests of the layers (`rootfs.diff_ids`), which unpacking checks.
public struct ImageConfiguration: Sendable, Hashable, Codable {
    public struct ProcessDefaults: Sendable, Hashable, Codable {
        public var User: String?
        public var Env: [String]?
        public var Entrypoint: [String]?
        public var Cmd: [String]?
        public var WorkingDir: String?
        public var StopSignal: String?

        public init(
            User: String? = nil, Env: [String]? = nil, Entrypoint: [String]? = nil, Cmd: [String]? = nil,
            WorkingDir: String? = nil, StopSignal: String? = nil
        ) {
            self.User = User
            self.Env = Env
            self.Entrypoint = Entrypoint
            self.Cmd = Cmd
            self.WorkingDir = WorkingDir
            self.StopSignal = StopSignal
        }
    }

    public struct RootFS: Sendable, Hashable, Codable {
        public var type: String
        public var diff_ids: [Digest]

        public init(type: String = "layers", diff_ids: [Digest]) {
            self.type = type
            self.diff_ids = diff_ids
        }
    }

    public var architecture: String?
    public var os: String?
    public var config: ProcessDefaults?
    public var rootfs: RootFS

    public init(architecture: String? = "amd64", os: String? = "linux", config: ProcessDefaults? = nil, rootfs: RootFS) {
        self.architecture = architecture
        self.os = os
        self.config = config
        self.rootfs = rootfs
    }
}
