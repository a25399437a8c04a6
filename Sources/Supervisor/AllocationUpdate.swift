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

    public init(
        allocationID: AllocationID, clientStatus: ClientStatus, clientDescription: String,
        taskStates: [String: TaskState], time: Timestamp, isFinished: Bool
    ) {
        self.allocationID = allocationID
        self.clientStatus = clientStatus
        self.clientDescription = clientDescription
        self.taskStates = taskStates
        self.time = time
        self.isFinished = isFinished
    }
}
