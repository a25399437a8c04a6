import ClusterModel

/// What a worker tells the managers about an allocation after a change: the combined client
/// status and every task's state.
public struct AllocationStatusReport: Sendable, Hashable {
    public var clientStatus: ClientStatus
    public var clientDescription: String
    public var taskStates: [String: TaskState]

    public init(clientStatus: ClientStatus, clientDescription: String, taskStates: [String: TaskState]) {
        self.clientStatus = clientStatus
        self.clientDescription = clientDescription
        self.taskStates = taskStates
    }

    /// Combines task states the way Nomad does: any failed task fails the allocation; otherwise
    /// one running task makes it running, one pending task pending, and only when every task
    /// is dead is it complete.
    public static func combine(_ taskStates: [String: TaskState]) -> (ClientStatus, String) {
        var anyRunning = false
        var anyPending = false
        var anyFailed = false
        for state in taskStates.values {
            switch state.state {
            case .running: anyRunning = true
            case .pending: anyPending = true
            case .dead: if state.failed { anyFailed = true }
            }
        }
        if anyFailed { return (.failed, "Failed tasks") }
        if anyRunning { return (.running, "Tasks are running") }
        if anyPending || taskStates.isEmpty { return (.pending, "No tasks have started") }
        return (.complete, "All tasks have completed")
    }
}
