import ClusterModel

/// The parts of `GET /v1/job/:id` the CLI shows (the full answer is Nomad's job object).
struct JobDetail: Sendable, Decodable {
    struct Group: Sendable, Decodable {
        var name: String
        var count: Int
    }

    var id: String
    var name: String
    var type: JobType
    var priority: Int
    var datacenters: [String]
    var status: JobStatus
    var version: UInt64
    var stop: Bool
    var submitTime: Timestamp
    var taskGroups: [Group]
    /// Present (non-null) on a parameterized job: its children are listed by `job status`.
    var parameterizedJob: Parameterized?

    struct Parameterized: Sendable, Decodable {}
}
