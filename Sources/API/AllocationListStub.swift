import ClusterModel

/// One row of `GET /v1/job/:id/allocations` and `GET /v1/allocations`: the allocation without
/// its copy of the job, which is most of its size.
public struct AllocationListStub: Sendable, Hashable, Codable {
    public var id: AllocationID
    public var evaluationID: EvaluationID
    public var name: String
    public var nodeID: NodeID
    public var nodeName: String
    public var jobID: String
    public var jobVersion: UInt64
    public var groupName: String
    public var desiredStatus: DesiredStatus
    public var desiredDescription: String
    public var clientStatus: ClientStatus
    public var clientDescription: String
    public var taskStates: [String: TaskState]
    public var followupEvaluationID: EvaluationID?
    public var nextAllocation: AllocationID?
    public var createIndex: UInt64
    public var modifyIndex: UInt64
    public var createTime: Timestamp
    public var modifyTime: Timestamp

    public init(_ allocation: Allocation) {
        id = allocation.id
        evaluationID = allocation.evaluationID
        name = allocation.name
        nodeID = allocation.nodeID
        nodeName = allocation.nodeName
        jobID = allocation.jobID
        jobVersion = allocation.jobVersion
        groupName = allocation.groupName
        desiredStatus = allocation.desiredStatus
        desiredDescription = allocation.desiredDescription
        clientStatus = allocation.clientStatus
        clientDescription = allocation.clientDescription
        taskStates = allocation.taskStates
        followupEvaluationID = allocation.followupEvaluationID
        nextAllocation = allocation.nextAllocation
        createIndex = allocation.createIndex
        modifyIndex = allocation.modifyIndex
        createTime = allocation.createTime
        modifyTime = allocation.modifyTime
    }
}
