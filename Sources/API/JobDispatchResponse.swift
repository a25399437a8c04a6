/// The answer to a dispatch, with Nomad's fields: the child job's ID and the evaluation that
/// places it, so a client can follow the child like any job it registered.
public struct JobDispatchResponse: Sendable, Hashable, Codable {
    public var dispatchedJobID: String
    /// `EvalID` in the API, as Nomad names it.
    public var evaluationID: String
    public var evalCreateIndex: UInt64
    public var jobCreateIndex: UInt64
    public var index: UInt64

    public init(dispatchedJobID: String, evaluationID: String, evalCreateIndex: UInt64, jobCreateIndex: UInt64, index: UInt64) {
        self.dispatchedJobID = dispatchedJobID
        self.evaluationID = evaluationID
        self.evalCreateIndex = evalCreateIndex
        self.jobCreateIndex = jobCreateIndex
        self.index = index
    }
}
