import ClusterModel
import Supervision

/// One change of an allocation on this worker, for the Worker to send to the managers.
public struct AllocationUpdate: Sendable, Hashable {
    public var allocationID: AllocationID
    public var clientStatus: ClientStatus
    public var clientDescription: String
    public var taskStates: [String: TaskState]
    public var time: Timestamp
    /// Whether nothing of the allocation runs any more (every task dead, cgroups removed).
    public var isFinished: Bool
    /// The allocation's health verdict for its deployment once decided (see `HealthWatcher`);
    /// nil until then.
    public var deploymentStatus: AllocationDeploymentStatus?

    public init(
        allocationID: AllocationID, clientStatus: ClientStatus, clientDescription: String,
        taskStates: [String: TaskState], time: Timestamp, isFinished: Bool,
        deploymentStatus: AllocationDeploymentStatus? = nil
    ) {
        self.allocationID = allocationID
        self.clientStatus = clientStatus
        self.clientDescription = clientDescription
        self.taskStates = taskStates
        self.time = time
        self.isFinished = isFinished
        self.deploymentStatus = deploymentStatus
    }
}
