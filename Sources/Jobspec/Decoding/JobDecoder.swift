import ClusterModel

/// Maps an evaluated file onto `JobSpec` the way Nomad 1.6 reads a jobspec: it checks every
/// key against the block's schema, converts values, applies Nomad's defaults and merges
/// partial policies onto them (job → group → task), and validates what Nomad validates, so a
/// file fails here rather than after it reached a cluster.
public struct JobDecoder: Sendable {
    public let source: SourceFile

    public init(source: SourceFile) {
        self.source = source
    }

    /// The job, or nil when the file has no job or this step found an error; every problem
    /// found (errors and warnings) goes into `sink`.
    public func decode(_ body: EvaluatedBody, into sink: inout DiagnosticSink) -> JobSpec? {
        var session = DecodingSession(source: source, sink: sink)
        let job = session.decodeFile(body)
        sink = session.sink
        return session.errorCount > 0 ? nil : job
    }
}
