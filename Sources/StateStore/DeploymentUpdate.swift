import ClusterModel

/// A change to one deployment, made by the leader's deployment watcher or an operator
/// (`deployment promote|fail|pause|resume`), applied as one command so that the status, the
/// job's stable mark, a revert and the evaluation that continues the roll-out happen together
/// or not at all.
public struct DeploymentUpdate: Sendable, Hashable, Codable {
    public var deploymentID: DeploymentID
    /// The new status; nil keeps it. A deployment that already ended cannot change status.
    public var status: DeploymentStatus?
    public var statusDescription: String?
    /// Groups whose canaries are promoted; refused unless all their canaries are healthy.
    public var promoteGroups: [String]
    /// Gives every group a fresh progress deadline from `time` (a resumed deployment).
    public var resetProgressDeadlines: Bool
    /// Marks the deployment's job version stable (it succeeded).
    public var markJobStable: Bool
    /// Registers this spec as the job's next version (`auto_revert` to the stable version).
    public var revertTo: JobSpec?
    /// Evaluations to create with the change; with `revertTo`, the first places the revert.
    public var evaluations: [Evaluation]
    public var time: Timestamp

    public init(
        deploymentID: DeploymentID, status: DeploymentStatus? = nil, statusDescription: String? = nil,
        promoteGroups: [String] = [], resetProgressDeadlines: Bool = false, markJobStable: Bool = false,
        revertTo: JobSpec? = nil, evaluations: [Evaluation] = [], time: Timestamp
    ) {
        self.deploymentID = deploymentID
        self.status = status
        self.statusDescription = statusDescription
        self.promoteGroups = promoteGroups
        self.resetProgressDeadlines = resetProgressDeadlines
        self.markJobStable = markJobStable
        self.revertTo = revertTo
        self.evaluations = evaluations
        self.time = time
    }
}
