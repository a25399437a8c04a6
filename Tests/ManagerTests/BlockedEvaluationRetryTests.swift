import ClusterModel
@testable import Manager
import Testing

/// A blocked evaluation retried when capacity appears, that still does not fit, must keep
/// waiting for capacity (and not be forgotten), and must not miss a change that happened
/// while it was being scheduled. Without these, a preempted batch job never ran again.
@Suite struct BlockedEvaluationRetryTests {
    let now = Timestamp(nanosecondsSinceEpoch: 1_000)

    /// The queue with `big`'s blocked evaluation released by a capacity change and handed out.
    func retrying() -> (EvaluationQueue, Evaluation) {
        var queue = EvaluationQueue()
        queue.enqueue(EvaluationQueueTests.evaluation("blocked", job: "big", index: 1, status: .blocked))
        _ = queue.unblockAll()
        let retried = queue.dequeue(now: now)
        #expect(retried?.id.uuid == "blocked")
        return (queue, retried ?? EvaluationQueueTests.evaluation("missing", job: "big", index: 1))
    }

    @Test func aRetriedEvaluationThatIsBlockedAgainWaitsForTheNextCapacityChange() {
        var (queue, retried) = retrying()
        var again = retried
        again.status = .blocked
        queue.enqueue(again)
        queue.acknowledge(retried.id)
        #expect(queue.blockedCount == 1)
        #expect(queue.dequeue(now: now) == nil)
        #expect(queue.unblockAll().map(\.id.uuid) == ["blocked"])
        #expect(queue.dequeue(now: now)?.id.uuid == "blocked")
    }

    @Test func capacityThatAppearedWhileTheRetryWasScheduledRunsItAgainAtOnce() {
        var (queue, retried) = retrying()
        // Capacity changes while the plan (made on the older state) is on its way.
        #expect(queue.unblockAll().isEmpty)
        var again = retried
        again.status = .blocked
        queue.enqueue(again)
        queue.acknowledge(retried.id)
        #expect(queue.blockedCount == 0)
        #expect(queue.dequeue(now: now)?.id.uuid == "blocked")
    }
}
