/// The `{"JobHCL": …}` form of `POST /v1/jobs` and `/v1/jobs/parse`: a job file the agent
/// parses, answering with the same diagnostics `roost job validate` prints. (Nomad's clients,
/// and `roost job run` after checking the file locally, send the other form, `{"Job": {…}}`.)
public struct JobRegisterRequest: Sendable, Codable {
    /// The HCL source of the job file.
    public var jobHCL: String?
    /// The name shown in diagnostics (`web.hcl:3:5`).
    public var filename: String?
    /// Values for the file's `variable` blocks, as `-var name=value` would give them (text,
    /// read with the variable's type: "3" for a number).
    public var variables: [String: String]?

    public init(jobHCL: String, filename: String, variables: [String: String] = [:]) {
        self.jobHCL = jobHCL
        self.filename = filename
        self.variables = variables
    }
}

/// What `POST /v1/jobs` answers: the evaluation the registration created, so the CLI can
/// follow it until the job runs.
public struct JobRegisterResponse: Sendable, Hashable, Codable {
    /// `EvalID` in the API, as Nomad names it.
    public var evaluationID: String
    public var evalCreateIndex: UInt64
    public var jobModifyIndex: UInt64
    public var warnings: String
    public var index: UInt64

    public init(evaluationID: String, evalCreateIndex: UInt64, jobModifyIndex: UInt64, warnings: String = "", index: UInt64) {
        self.evaluationID = evaluationID
        self.evalCreateIndex = evalCreateIndex
        self.jobModifyIndex = jobModifyIndex
        self.warnings = warnings
        self.index = index
    }
}
