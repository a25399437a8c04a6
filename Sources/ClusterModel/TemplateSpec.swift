/// A file rendered into the task directory from inline data or a source file.
public struct TemplateSpec: Sendable, Hashable, Codable {
    public var sourcePath: String
    public var destinationPath: String
    public var embeddedTemplate: String
    /// `restart`, `signal`, `script` or `noop`.
    public var changeMode: String
    public var changeSignal: String
    public var changeScript: ChangeScript?
    public var splay: Duration
    /// Octal permission string, e.g. `0644`.
    public var perms: String
    public var uid: Int?
    public var gid: Int?
    public var leftDelimiter: String
    public var rightDelimiter: String
    /// Load the rendered file into the task's environment.
    public var envvars: Bool
    public var errorOnMissingKey: Bool
    public var waitMin: Duration?
    public var waitMax: Duration?

    public init(
        sourcePath: String = "", destinationPath: String = "", embeddedTemplate: String = "",
        changeMode: String = "restart", changeSignal: String = "", changeScript: ChangeScript? = nil,
        splay: Duration = .seconds(5), perms: String = "0644", uid: Int? = nil, gid: Int? = nil,
        leftDelimiter: String = "{{", rightDelimiter: String = "}}", envvars: Bool = false,
        errorOnMissingKey: Bool = false, waitMin: Duration? = nil, waitMax: Duration? = nil
    ) {
        self.sourcePath = sourcePath
        self.destinationPath = destinationPath
        self.embeddedTemplate = embeddedTemplate
        self.changeMode = changeMode
        self.changeSignal = changeSignal
        self.changeScript = changeScript
        self.splay = splay
        self.perms = perms
        self.uid = uid
        self.gid = gid
        self.leftDelimiter = leftDelimiter
        self.rightDelimiter = rightDelimiter
        self.envvars = envvars
        self.errorOnMissingKey = errorOnMissingKey
        self.waitMin = waitMin
        self.waitMax = waitMax
    }

    public struct ChangeScript: Sendable, Hashable, Codable {
        public var command: String
        public var args: [String]
        public var timeout: Duration
        public var failOnError: Bool

        public init(command: String, args: [String] = [], timeout: Duration = .seconds(5), failOnError: Bool = false) {
            self.command = command
            self.args = args
            self.timeout = timeout
            self.failOnError = failOnError
        }
    }
}
