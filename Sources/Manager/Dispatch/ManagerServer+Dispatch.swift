import ClusterModel
import StateStore

extension ManagerServer {
    /// Launches a child of a parameterized job: checks the request against the parent, builds
    /// the child and its evaluation, and replicates both as one command (forwarded to the
    /// leader from a follower). The state machine checks the rules again at apply time.
    public func dispatch(_ request: DispatchRequest) async throws(ManagerError) -> JobDispatch {
        // A consistent read: on a follower that has not yet applied the parent's registration
        // (made a moment ago through another manager), a stale copy would say "not found".
        let snapshot = try await self.snapshot(stale: false)
        guard let parent = snapshot.job(namespace: request.namespace, id: request.jobID) else {
            throw .notFound("job \"\(request.jobID)\" not found in namespace \(request.namespace): check the ID with \"roost job status\"")
        }
        let problems = DispatchCheck.problems(dispatching: request, from: parent)
        guard problems.isEmpty else { throw .invalid(problems.joined(separator: "; "), diagnostics: problems) }
        let now = clock()
        let id = DispatchCheck.childID(
            parent: parent.spec.id, template: request.idPrefixTemplate, now: now, suffix: UInt32.random(in: 0...UInt32.max, using: &random))
        let child = DispatchCheck.child(of: parent.spec, id: id, request: request)
        let command = JobDispatchCommand(
            request: request, child: child, evaluation: newEvaluation(for: child, trigger: .jobRegister, now: now), submitTime: now)
        let (outcome, appliedAsLeader) = try await replicate(.dispatchJob(command))
        if appliedAsLeader { await followUp(on: command.registration) }
        return JobDispatch(jobID: id, evaluationID: command.evaluation.id, index: outcome.index)
    }
}

/// What a dispatch produced, for the API's answer: the child job and the evaluation placing it.
public struct JobDispatch: Sendable, Hashable {
    public var jobID: String
    public var evaluationID: EvaluationID
    /// The index at which both the child job and its evaluation were created.
    public var index: UInt64
}
