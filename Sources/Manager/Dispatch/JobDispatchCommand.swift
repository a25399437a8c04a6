import ClusterModel
import StateStore

/// One dispatch as the Raft log carries it: the request (so the rules can be checked again
/// against the parent as it is at that index), the child job already built, and its
/// evaluation. Applying it registers the child and records the evaluation in one step, so a
/// dispatch either happened completely or not at all, whichever manager received it.
public struct JobDispatchCommand: Sendable, Hashable, Codable {
    public var request: DispatchRequest
    public var child: JobSpec
    public var evaluation: Evaluation
    public var submitTime: Timestamp

    /// The state command that registers the child, for the store and for the broker's follow-up.
    var registration: StateCommand {
        .registerJob(child, evaluation: evaluation, submitTime: submitTime)
    }

    /// Why the command must not be applied to `store`, or nil. Deterministic (it reads only the
    /// store and the command), so every manager reaches the same verdict.
    func refusal(in store: StateStore) -> StateError? {
        guard let parent = store.job(namespace: request.namespace, id: request.jobID) else {
            return .jobNotFound(namespace: request.namespace, id: request.jobID)
        }
        let problems = DispatchCheck.problems(dispatching: request, from: parent)
        if !problems.isEmpty { return .invalid(problems.joined(separator: "; ")) }
        guard child.parentID == parent.spec.id, child.namespace == parent.spec.namespace else {
            return .invalid("the dispatched job \"\(child.id)\" does not belong to job \"\(parent.spec.id)\"")
        }
        if store.job(namespace: child.namespace, id: child.id) != nil {
            return .invalid("a job with ID \"\(child.id)\" already exists: dispatch again for a new ID")
        }
        return nil
    }
}
