import ClusterModel
@testable import Manager
import Testing

@Suite struct EvaluationQueueTests {
    static func evaluation(
        _ name: String, job: String, priority: Int = 50, index: UInt64, status: EvaluationStatus = .pending,
        waitUntil: Int64? = nil
    ) -> Evaluation {
        Evaluation(
            id: EvaluationID(uuid: name), priority: priority, jobType: .service, triggeredBy: .jobRegister, jobID: job,
            status: status, waitUntil: waitUntil.map { Timestamp(nanosecondsSinceEpoch: $0) }, createIndex: index)
    }

    let now = Timestamp(nanosecondsSinceEpoch: 1_000)

    @Test func higherPriorityGoesFirstThenOlder() {
        var queue = EvaluationQueue()
        queue.enqueue(Self.evaluation("old-low", job: "a", priority: 50, index: 1))
        queue.enqueue(Self.evaluation("new-high", job: "b", priority: 90, index: 3))
        queue.enqueue(Self.evaluation("mid-low", job: "c", priority: 50, index: 2))
        #expect(queue.dequeue(now: now)?.id.uuid == "new-high")
        #expect(queue.dequeue(now: now)?.id.uuid == "old-low")
        #expect(queue.dequeue(now: now)?.id.uuid == "mid-low")
        #expect(queue.dequeue(now: now) == nil)
    }

    @Test func aJobsSecondEvaluationWaitsUntilTheFirstIsAcknowledged() {
        var queue = EvaluationQueue()
        queue.enqueue(Self.evaluation("first", job: "web", index: 1))
        queue.enqueue(Self.evaluation("second", job: "web", index: 2))
        let first = queue.dequeue(now: now)
        #expect(first?.id.uuid == "first")
        #expect(queue.dequeue(now: now) == nil, "two plans for one job must never race")
        queue.acknowledge(first!.id)
        #expect(queue.dequeue(now: now)?.id.uuid == "second")
    }

    @Test func aDelayedRescheduleIsNotHandedOutBeforeItsTime() {
        var queue = EvaluationQueue()
        queue.enqueue(Self.evaluation("later", job: "batch", index: 1, waitUntil: 5_000))
        #expect(queue.dequeue(now: now) == nil)
        #expect(queue.nextWakeup == Timestamp(nanosecondsSinceEpoch: 5_000))
        #expect(queue.dequeue(now: Timestamp(nanosecondsSinceEpoch: 5_000))?.id.uuid == "later")
        #expect(queue.nextWakeup == nil)
    }

    @Test func blockedEvaluationsWaitForCapacityAndTheNewestPerJobWins() {
        var queue = EvaluationQueue()
        queue.enqueue(Self.evaluation("blocked-1", job: "big", index: 1, status: .blocked))
        queue.enqueue(Self.evaluation("blocked-2", job: "big", index: 2, status: .blocked))
        #expect(queue.dequeue(now: now) == nil)
        #expect(queue.blockedCount == 1)
        let released = queue.unblockAll()
        #expect(released.map(\.id.uuid) == ["blocked-2"])
        #expect(released.first?.status == .pending)
        #expect(queue.dequeue(now: now)?.id.uuid == "blocked-2")
    }

    @Test func anEvaluationThatKeepsFailingIsGivenUpAfterTheDeliveryLimit() {
        var queue = EvaluationQueue()
        queue.enqueue(Self.evaluation("flaky", job: "web", index: 1))
        queue.enqueue(Self.evaluation("next", job: "web", index: 2))
        for _ in 1..<EvaluationQueue.maximumDeliveries {
            let delivered = queue.dequeue(now: now)
            #expect(delivered?.id.uuid == "flaky")
            #expect(queue.negativelyAcknowledge(delivered!.id) == nil)
        }
        let last = queue.dequeue(now: now)
        #expect(queue.negativelyAcknowledge(last!.id)?.id.uuid == "flaky")
        #expect(queue.dequeue(now: now)?.id.uuid == "next", "the job's next evaluation must not be stuck behind it")
    }

    @Test func aReplayedEvaluationIsIgnoredAndTerminalOnesAreNeverQueued() {
        var queue = EvaluationQueue()
        queue.enqueue(Self.evaluation("once", job: "a", index: 1))
        queue.enqueue(Self.evaluation("once", job: "a", index: 1))
        queue.enqueue(Self.evaluation("done", job: "b", index: 2, status: .complete))
        #expect(queue.readyCount == 1)
    }
}
