import ClusterModel
import StateStore

/// One row of `GET /v1/jobs`, with Nomad's fields: enough for `roost job status` to print the
/// table without fetching every job.
public struct JobListStub: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var namespace: String
    public var type: JobType
    public var priority: Int
    public var datacenters: [String]
    /// The job this one was launched from (periodic or dispatched children), as Nomad's `ParentID`.
    public var parentID: String?
    public var periodic: Bool
    public var parameterizedJob: Bool
    public var stop: Bool
    public var status: JobStatus
    public var jobSummary: JobSummary
    public var version: UInt64
    public var submitTime: Timestamp
    public var createIndex: UInt64
    public var modifyIndex: UInt64
    public var jobModifyIndex: UInt64

    public init(_ record: JobRecord, summary: [String: GroupSummary]) {
        id = record.spec.id
        name = record.spec.name
        namespace = record.spec.namespace
        type = record.spec.type
        priority = record.spec.priority
        datacenters = record.spec.datacenters
        parentID = record.spec.parentID
        periodic = record.spec.periodic != nil
        parameterizedJob = record.spec.parameterized != nil
        stop = record.stopped
        status = record.status
        jobSummary = JobSummary(jobID: record.spec.id, namespace: record.spec.namespace, summary: summary)
        version = record.version
        submitTime = record.submitTime
        createIndex = record.createIndex
        modifyIndex = record.modifyIndex
        jobModifyIndex = record.jobModifyIndex
    }
}

/// Allocation counts per group of one job (`GET /v1/job/:id/summary`).
public struct JobSummary: Sendable, Hashable, Codable {
    public var jobID: String
    public var namespace: String
    public var summary: [String: GroupSummary]

    public init(jobID: String, namespace: String, summary: [String: GroupSummary]) {
        self.jobID = jobID
        self.namespace = namespace
        self.summary = summary
    }
}
