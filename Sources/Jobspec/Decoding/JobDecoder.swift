import ClusterModel

/// Maps an evaluated file onto `JobSpec`, applying Nomad's defaults. (Stub: being written.)
public struct JobDecoder: Sendable {
    public let source: SourceFile

    public init(source: SourceFile) {
        self.source = source
    }

    public func decode(_ body: EvaluatedBody, into sink: inout DiagnosticSink) -> JobSpec? {
        sink.error("the job decoder is not written yet", at: body.span)
        return nil
    }
}
