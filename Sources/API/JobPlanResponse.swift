import ClusterModel

/// Per group, what submitting a job would do (Nomad's `DesiredTGUpdates`).
public struct JobPlanGroupUpdates: Sendable, Hashable, Codable {
    /// New allocations (more copies, or replacements of lost or failed ones).
    public var place = 0
    /// Allocations stopped and not replaced (fewer copies).
    public var stop = 0
    /// Running allocations moved to the new version without a restart.
    public var inPlaceUpdate = 0
    /// Running allocations stopped and placed anew for the new version.
    public var destructiveUpdate = 0
    /// New-version copies placed beside the old ones (canaries).
    public var canary = 0
    /// Running allocations left as they are.
    public var ignore = 0

    public init() {}

    /// Whether submitting would create or destroy allocations (what `job plan`'s exit status says).
    public var changesAllocations: Bool { place + stop + destructiveUpdate + canary > 0 }
}

/// The answer of `POST /v1/job/:id/plan`, in Nomad's shape where it has one. `DiffLines` is
/// Roost's readable diff (one changed field per line); Nomad's structured diff is not built.
public struct JobPlanResponse: Sendable, Hashable, Codable {
    public struct Annotations: Sendable, Hashable, Codable {
        public var desiredTGUpdates: [String: JobPlanGroupUpdates]
        /// `PreemptedAllocs`: other jobs' allocations the placements would stop; absent when none.
        public var preemptedAllocations: [AllocationListStub]?
        public init(desiredTGUpdates: [String: JobPlanGroupUpdates], preemptedAllocations: [AllocationListStub]? = nil) {
            self.desiredTGUpdates = desiredTGUpdates
            self.preemptedAllocations = preemptedAllocations
        }
    }

    public var annotations: Annotations
    /// `FailedTGAllocs`: the groups that could not be placed completely, with the reasons.
    public var failedGroupAllocations: [String: AllocationMetrics]
    public var jobModifyIndex: UInt64
    public var diffLines: [String]
    /// `Added` (a new job), `Edited`, or `None`.
    public var diffType: String
    public var warnings: String

    public init(
        annotations: Annotations, failedGroupAllocations: [String: AllocationMetrics], jobModifyIndex: UInt64, diffLines: [String],
        diffType: String, warnings: String
    ) {
        self.annotations = annotations
        self.failedGroupAllocations = failedGroupAllocations
        self.jobModifyIndex = jobModifyIndex
        self.diffLines = diffLines
        self.diffType = diffType
        self.warnings = warnings
    }
}
