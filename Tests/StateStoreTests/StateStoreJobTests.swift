import Foundation
import ClusterModel
import StateStore
import Testing

@Suite struct StateStoreJobTests {
    @Test func registeringAJobRecordsVersionZeroAndItsEvaluation() throws {
        var harness = Harness()
        let job = Fixture.job("web")
        let evaluation = harness.evaluation(for: job)
        let outcome = try harness.apply(.registerJob(job, evaluation: evaluation, submitTime: harness.now)).get()
        #expect(outcome.changedTables == [.jobs, .evaluations])
        let record = try #require(harness.store.job(id: "web"))
        #expect(record.version == 0)
        #expect(record.createIndex == 1 && record.modifyIndex == 1 && record.jobModifyIndex == 1)
        #expect(record.status == .pending)
        #expect(harness.store.evaluation(id: evaluation.id)?.jobModifyIndex == 1)
        #expect(harness.store.index(of: .jobs) == 1)
        #expect(harness.store.index(of: .nodes) == 0)
    }

    @Test func anIdenticalSpecMakesNoNewVersionButAChangedOneDoes() throws {
        var harness = Harness()
        var job = Fixture.job("web")
        harness.apply(.registerJob(job, evaluation: nil, submitTime: harness.now))
        let again = harness.evaluation(for: job)
        let outcome = try harness.apply(.registerJob(job, evaluation: again, submitTime: harness.now)).get()
        #expect(outcome.changedTables == [.evaluations])
        #expect(harness.store.job(id: "web")?.version == 0)
        #expect(harness.store.evaluation(id: again.id) != nil)
        job.groups[0].count = 2
        harness.apply(.registerJob(job, evaluation: nil, submitTime: harness.now))
        #expect(harness.store.job(id: "web")?.version == 1)
        #expect(harness.store.job(id: "web")?.jobModifyIndex == 3)
        #expect(harness.store.job(id: "web")?.createIndex == 1)
    }

    @Test func onlyTheLastSixVersionsAreKept() {
        var harness = Harness()
        var job = Fixture.job("web")
        for count in 1...9 {
            job.groups[0].count = count
            harness.apply(.registerJob(job, evaluation: nil, submitTime: harness.now))
        }
        let versions = harness.store.jobVersions(id: "web")
        #expect(versions.map(\.version) == [8, 7, 6, 5, 4, 3])
        #expect(versions.first?.spec.groups[0].count == 9)
    }

    @Test func anIndexThatDoesNotIncreaseIsRefused() {
        var store = StateStore()
        let job = Fixture.job("web")
        let accepted = store.apply(.registerJob(job, evaluation: nil, submitTime: .zero), index: 5)
        #expect(accepted == .success(ApplyOutcome(index: 5, changedTables: [.jobs])))
        let refused = store.apply(.registerJob(Fixture.job("other"), evaluation: nil, submitTime: .zero), index: 5)
        #expect(refused == .failure(.staleIndex(given: 5, latest: 5)))
        #expect(store.job(id: "other") == nil)
    }

    @Test func aRefusedCommandChangesNoTable() {
        var harness = Harness()
        harness.apply(.registerJob(Fixture.job("web"), evaluation: nil, submitTime: harness.now))
        let before = harness.store.snapshot()
        let result = harness.apply(.deregisterJob(namespace: "default", jobID: "nope", purge: false, evaluation: nil, time: harness.now))
        #expect(result == .failure(.jobNotFound(namespace: "default", id: "nope")))
        var after = harness.store.snapshot()
        after.latestIndex = before.latestIndex
        #expect(after == before)
        #expect(harness.apply(.registerJob(Fixture.job(""), evaluation: nil, submitTime: harness.now)) == .failure(.invalid("a job needs an ID")))
    }

    @Test func jobStatusFollowsItsAllocationsFromPendingToRunningToDead() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        let job = Fixture.job("report", type: .batch, count: 2)
        let evaluation = harness.evaluation(for: job)
        harness.apply(.registerJob(job, evaluation: evaluation, submitTime: harness.now))
        #expect(harness.store.job(id: "report")?.status == .pending)
        harness.process(evaluation.id)
        #expect(harness.store.job(id: "report")?.status == .running)
        let allocations = harness.store.allocations(jobID: "report")
        #expect(allocations.count == 2)
        harness.report(allocations[0].id, .running)
        var summary = harness.store.jobSummary(id: "report")["app"]
        #expect(summary == GroupSummary(starting: 1, running: 1))
        for allocation in allocations { harness.report(allocation.id, .complete) }
        #expect(harness.store.job(id: "report")?.status == .dead)
        summary = harness.store.jobSummary(id: "report")["app"]
        #expect(summary == GroupSummary(complete: 2))
        #expect(harness.store.job(id: "report")?.modifyIndex == harness.index)
    }

    @Test func stoppingAJobKeepsItListedAsDeadAndPurgingRemovesIt() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        let job = Fixture.job("web", count: 2)
        harness.run(job)
        let stop = harness.evaluation(for: job, trigger: .jobDeregister)
        harness.apply(.deregisterJob(namespace: "default", jobID: "web", purge: false, evaluation: stop, time: harness.now))
        #expect(harness.store.job(id: "web")?.stopped == true)
        #expect(harness.store.job(id: "web")?.status == .dead)
        harness.process(stop.id)
        #expect(harness.store.allocations(jobID: "web").allSatisfy { $0.desiredStatus == .stop })
        harness.apply(.deregisterJob(namespace: "default", jobID: "web", purge: true, evaluation: nil, time: harness.now))
        #expect(harness.store.job(id: "web") == nil)
        #expect(harness.store.jobVersions(id: "web").isEmpty)
        #expect(harness.store.jobs().isEmpty)
    }

    @Test("a purge that expects the job as it was read is refused once the job was registered again, and the new registration stays")
    func aPurgeExpectingAnOlderModifyIndexLeavesAReRegisteredJob() throws {
        var harness = Harness()
        _ = harness.addNode("a")
        let job = Fixture.job("web", count: 1)
        harness.run(job)
        harness.apply(.deregisterJob(namespace: "default", jobID: "web", purge: false, evaluation: nil, time: harness.now))
        let seen = try #require(harness.store.job(id: "web")).modifyIndex
        // The user registers the job again between garbage collection's read and its purge.
        harness.apply(.registerJob(job, evaluation: nil, submitTime: harness.now))
        let refused = harness.apply(.deregisterJob(namespace: "default", jobID: "web", purge: true, evaluation: nil, time: harness.now, ifModifyIndex: seen))
        guard case .failure(let error) = refused else {
            Issue.record("the purge of a job registered again was applied")
            return
        }
        #expect(error.description.contains("changed at index"))
        #expect(harness.store.job(id: "web")?.stopped == false, "the new registration stays")
        let current = try #require(harness.store.job(id: "web")).modifyIndex
        #expect(throws: Never.self) {
            try harness.apply(.deregisterJob(namespace: "default", jobID: "web", purge: true, evaluation: nil, time: harness.now, ifModifyIndex: current)).get()
        }
        #expect(harness.store.job(id: "web") == nil, "with the index it expects, the purge applies")
    }

    /// Commands of builds from before `ifModifyIndex` carry no such key; they still read.
    @Test func aDeregisterCommandWithoutTheConditionReadsAsUnconditional() throws {
        let command = StateCommand.deregisterJob(namespace: "default", jobID: "web", purge: true, evaluation: nil, time: Timestamp(nanosecondsSinceEpoch: 1))
        let json = String(decoding: try JSONEncoder().encode(command), as: UTF8.self)
        #expect(!json.contains("ifModifyIndex"))
        #expect(try JSONDecoder().decode(StateCommand.self, from: Data(json.utf8)) == command)
    }

    @Test func garbageCollectionDeletesOnlyTerminalObjectsOfPurgedJobs() {
        var harness = Harness()
        _ = harness.addNode("a")
        let job = Fixture.job("web", count: 2)
        harness.run(job)
        let allocations = harness.store.allocations(jobID: "web")
        harness.report(allocations[0].id, .complete)
        harness.apply(.deregisterJob(namespace: "default", jobID: "web", purge: true, evaluation: nil, time: harness.now))
        let garbage = harness.store.garbage()
        #expect(garbage.allocations == [allocations[0].id])
        #expect(garbage.evaluations.count == 1)
        // A list naming a live allocation is harmless: that one is skipped.
        harness.apply(.garbageCollect(evaluations: garbage.evaluations, allocations: allocations.map(\.id)))
        #expect(harness.store.allocations(jobID: "web").map(\.id) == [allocations[1].id])
        #expect(harness.store.evaluations(jobID: "web").isEmpty)
        #expect(harness.store.usage(onNode: allocations[1].nodeID).allocationCount == 1)
    }
}
