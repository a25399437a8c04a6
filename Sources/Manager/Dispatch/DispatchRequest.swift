import ClusterModel

/// What a user asks for when dispatching a parameterized job: which job, the input bytes, the
/// metadata, and an optional word to make the children's IDs easier to tell apart.
public struct DispatchRequest: Sendable, Hashable, Codable {
    public var namespace: String
    public var jobID: String
    /// Empty means no payload, as in Nomad: an empty file gives a `payload = "required"` job
    /// nothing to work on, and a `"forbidden"` one loses nothing.
    public var payload: [UInt8]
    public var meta: [String: String]
    /// Inserted after `dispatch-` in the child's ID; letters, digits, `-`, `_` and `.` only.
    public var idPrefixTemplate: String

    public init(
        namespace: String = JobSpec.defaultNamespace, jobID: String, payload: [UInt8] = [], meta: [String: String] = [:],
        idPrefixTemplate: String = ""
    ) {
        self.namespace = namespace
        self.jobID = jobID
        self.payload = payload
        self.meta = meta
        self.idPrefixTemplate = idPrefixTemplate
    }
}
