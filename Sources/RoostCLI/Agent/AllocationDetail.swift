import API
import ClusterModel

/// The parts of `GET /v1/allocation/:id` that `alloc status` shows. The answer's `Job` is in
/// Nomad's shape; only its groups' task names are read, for the order tasks are listed in.
struct AllocationDetail: Sendable, Decodable {
    struct JobOutline: Sendable, Decodable {
        struct Group: Sendable, Decodable {
            struct Task: Sendable, Decodable {
                var name: String
            }

            var name: String
            var tasks: [Task]
        }

        var taskGroups: [Group]
    }

    var id: AllocationID
    var evaluationID: EvaluationID
    var name: String
    var nodeID: NodeID
    var nodeName: String
    var jobID: String
    var jobVersion: UInt64
    var groupName: String
    var desiredStatus: DesiredStatus
    var desiredDescription: String
    var clientStatus: ClientStatus
    var clientDescription: String
    var taskStates: [String: TaskState]
    var taskResources: [String: Resources]
    var ports: [AllocatedPort]
    var previousAllocation: AllocationID?
    var nextAllocation: AllocationID?
    var createTime: Timestamp
    var modifyTime: Timestamp
    /// The worker's health verdict for the allocation's deployment, once decided.
    var deploymentStatus: AllocationDeploymentStatus?
    var job: JobOutline

    /// Task names in the order the job declares them.
    var taskOrder: [String] {
        job.taskGroups.first { $0.name == groupName }?.tasks.map(\.name) ?? taskStates.keys.sorted()
    }
}
