import ClusterModel

/// One launch of a periodic job, as the leader proposes it through Raft. Registering the child
/// and recording the parent's launch are one replicated command, so no manager can ever see
/// one without the other: a leader that takes over after a crash finds either both (and does
/// not launch again) or neither (and launches).
public struct PeriodicLaunch: Sendable, Hashable, Codable {
    public var parentNamespace: String
    public var parentID: String
    /// The child job to register with its evaluation; nil records a launch skipped because
    /// `prohibit_overlap` found a previous child still running (so it is not made later).
    public var child: JobSpec?
    public var evaluation: Evaluation?
    /// The schedule time this launch is for; nil for `periodic force`, which is not part of the
    /// schedule and does not move it.
    public var scheduledTime: Timestamp?
    /// When the leader made it (the child's submit time).
    public var launchTime: Timestamp

    public init(
        parentNamespace: String, parentID: String, child: JobSpec?, evaluation: Evaluation?,
        scheduledTime: Timestamp?, launchTime: Timestamp
    ) {
        self.parentNamespace = parentNamespace
        self.parentID = parentID
        self.child = child
        self.evaluation = evaluation
        self.scheduledTime = scheduledTime
        self.launchTime = launchTime
    }

    /// Nomad's child naming: `<parent>/periodic-<unix seconds>`.
    public static func childID(parent: String, at time: Timestamp) -> String {
        "\(parent)/periodic-\(time.unixSeconds)"
    }
}

extension Timestamp {
    /// Whole seconds since the epoch (rounded down), the unit of cron schedules.
    var unixSeconds: Int64 {
        let seconds = nanosecondsSinceEpoch / 1_000_000_000
        return nanosecondsSinceEpoch < 0 && nanosecondsSinceEpoch % 1_000_000_000 != 0 ? seconds - 1 : seconds
    }

    init(unixSeconds: Int64) {
        let (product, overflow) = unixSeconds.multipliedReportingOverflow(by: 1_000_000_000)
        self.init(nanosecondsSinceEpoch: overflow ? (unixSeconds < 0 ? .min : .max) : product)
    }
}
