/// A job as the cluster stores it: the user's `JobSpec` plus what the cluster tracks about it
/// (version, whether it was stopped, when it was submitted, its indexes). Every register of a
/// changed spec makes a new version; the old ones are kept for history and revert.
public struct JobRecord: Sendable, Hashable, Codable {
    public var spec: JobSpec
    public var version: UInt64
    /// Set by `job stop`: the scheduler stops its allocations but the job stays listed.
    public var stopped: Bool
    public var status: JobStatus
    public var submitTime: Timestamp
    public var createIndex: UInt64
    public var modifyIndex: UInt64
    /// The index of the last change to the spec itself (not to its status).
    public var jobModifyIndex: UInt64
    /// Set when a deployment of this version succeeded: what `auto_revert` goes back to.
    public var stable: Bool = false

    public init(
        spec: JobSpec, version: UInt64 = 0, stopped: Bool = false, status: JobStatus = .pending,
        submitTime: Timestamp = .zero, createIndex: UInt64 = 0, modifyIndex: UInt64 = 0, jobModifyIndex: UInt64 = 0
    ) {
        self.spec = spec
        self.version = version
        self.stopped = stopped
        self.status = status
        self.submitTime = submitTime
        self.createIndex = createIndex
        self.modifyIndex = modifyIndex
        self.jobModifyIndex = jobModifyIndex
    }

    public var id: String { spec.id }

    enum CodingKeys: String, CodingKey {
        case spec, version, stopped, status, submitTime, createIndex, modifyIndex, jobModifyIndex, stable
    }

    /// Records written before deployments existed have no `stable`; they read as not stable.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        spec = try container.decode(JobSpec.self, forKey: .spec)
        version = try container.decode(UInt64.self, forKey: .version)
        stopped = try container.decode(Bool.self, forKey: .stopped)
        status = try container.decode(JobStatus.self, forKey: .status)
        submitTime = try container.decode(Timestamp.self, forKey: .submitTime)
        createIndex = try container.decode(UInt64.self, forKey: .createIndex)
        modifyIndex = try container.decode(UInt64.self, forKey: .modifyIndex)
        jobModifyIndex = try container.decode(UInt64.self, forKey: .jobModifyIndex)
        stable = try container.decodeIfPresent(Bool.self, forKey: .stable) ?? false
    }
}

/// Nomad's job status: pending until an allocation runs, running while any allocation is
/// not terminal, dead when all are terminal (or the job was stopped).
public enum JobStatus: String, Sendable, Hashable, Codable, CaseIterable {
    case pending
    case running
    case dead
}
