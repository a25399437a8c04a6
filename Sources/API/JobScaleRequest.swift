/// The body of `POST /v1/job/:id/scale`, in Nomad's shape: the new count and which group.
public struct JobScaleRequest: Sendable, Hashable, Codable {
    public struct Target: Sendable, Hashable, Codable {
        public var group: String?
        public init(group: String?) { self.group = group }
    }

    public var count: Int?
    public var target: Target?
    /// Recorded nowhere yet; accepted so Nomad clients can send it.
    public var message: String?

    public init(count: Int?, group: String?, message: String? = nil) {
        self.count = count
        target = Target(group: group)
        self.message = message
    }
}

/// The answer to a scale: the evaluation that places or stops the difference.
public struct JobScaleResponse: Sendable, Hashable, Codable {
    /// `EvalID` in the API; empty when nothing changed.
    public var evaluationID: String
    public var evalCreateIndex: UInt64
    public var jobModifyIndex: UInt64
    public var index: UInt64
    public var warnings: String

    public init(evaluationID: String, evalCreateIndex: UInt64, jobModifyIndex: UInt64, index: UInt64, warnings: String) {
        self.evaluationID = evaluationID
        self.evalCreateIndex = evalCreateIndex
        self.jobModifyIndex = jobModifyIndex
        self.index = index
        self.warnings = warnings
    }
}
