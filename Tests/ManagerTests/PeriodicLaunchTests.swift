import ClusterModel
import Foundation
import HTTP
@testable import Manager
import Scheduler
import StateStore
import Testing

/// A periodic job launches children at the times its crons say, on a clock the test moves:
/// one child per due time, never between, never twice, and the most recent missed one only.
@Suite struct PeriodicLaunchTests {
    static func periodicJob(
        _ id: String = "report", crons: [String] = ["*/15 * * * *"], timeZone: String = "UTC", prohibitOverlap: Bool = false,
        enabled: Bool = true
    ) -> JobSpec {
        var job = ManagerServerTests.job(id, count: 1, type: .batch)
        job.periodic = PeriodicConfig(specs: crons, prohibitOverlap: prohibitOverlap, timeZone: timeZone, enabled: enabled)
        return job
    }

    static func childID(_ parent: String, _ time: Timestamp) -> String {
        "\(parent)/periodic-\(PeriodicTestClock.seconds(time))"
    }

    static func children(of parent: String, in manager: ManagerServer) async -> [String] {
        await manager.snapshot().jobs().filter { $0.spec.parentID == parent }.map(\.spec.id).sorted()
    }

    static func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Timestamp {
        PeriodicTestClock.utc(year, month, day, hour, minute, second)
    }

    @Test func childrenAreLaunchedAtEachDueQuarterHourAndNotBetween() async throws {
        let clock = PeriodicTestClock(Self.utc(2026, 4, 1, 10, 0, 30))
        let manager = ManagerServer(clock: clock.read)
        let registration = try await manager.register(Self.periodicJob())
        #expect(registration.evaluationID == nil && registration.warnings.isEmpty)

        clock.set(Self.utc(2026, 4, 1, 10, 14, 59))
        #expect(await manager.launchDuePeriodicJobs() == [])
        clock.set(Self.utc(2026, 4, 1, 10, 15, 0))
        #expect(await manager.launchDuePeriodicJobs() == [Self.childID("report", Self.utc(2026, 4, 1, 10, 15))])
        #expect(await manager.launchDuePeriodicJobs() == [])
        clock.set(Self.utc(2026, 4, 1, 10, 29, 59))
        #expect(await manager.launchDuePeriodicJobs() == [])
        clock.set(Self.utc(2026, 4, 1, 10, 30, 20))
        #expect(await manager.launchDuePeriodicJobs() == [Self.childID("report", Self.utc(2026, 4, 1, 10, 30))])

        let state = await manager.snapshot()
        let child = try #require(state.job(id: Self.childID("report", Self.utc(2026, 4, 1, 10, 15))))
        #expect(child.spec.parentID == "report" && child.spec.periodic == nil && child.spec.type == .batch)
        #expect(child.spec.groups == Self.periodicJob().groups)
        let evaluations = state.evaluations(jobID: child.spec.id)
        #expect(evaluations.count == 1 && evaluations.first?.triggeredBy == .periodicJob)
        #expect(await manager.periodicLaunchEntry(namespace: "default", jobID: "report")?.lastScheduled == Self.utc(2026, 4, 1, 10, 30))
        await manager.shutDown()
    }

    @Test func afterAnOutageOnlyTheMostRecentMissedTimeIsLaunched() async throws {
        let clock = PeriodicTestClock(Self.utc(2026, 4, 1, 10, 0))
        let manager = ManagerServer(clock: clock.read)
        _ = try await manager.register(Self.periodicJob())
        clock.set(Self.utc(2026, 4, 1, 12, 7))
        #expect(await manager.launchDuePeriodicJobs() == [Self.childID("report", Self.utc(2026, 4, 1, 12, 0))])
        #expect(await Self.children(of: "report", in: manager).count == 1)
        await manager.shutDown()
    }

    @Test func aNewYorkScheduleFollowsDaylightSavingBothWays() async throws {
        // 02:30 every night, New York: the night clocks skip 02:00–03:00 it runs at 03:00 EDT;
        // and a 01:30 schedule runs once the night 01:00–02:00 happens twice.
        let clock = PeriodicTestClock(Self.utc(2026, 3, 7, 12))
        let manager = ManagerServer(clock: clock.read)
        _ = try await manager.register(Self.periodicJob("spring", crons: ["30 2 * * *"], timeZone: "America/New_York"))
        var launched: [String] = []
        var time = Self.utc(2026, 3, 7, 12)
        while time < Self.utc(2026, 3, 10, 12) {
            time = time + .seconds(300)
            clock.set(time)
            launched += await manager.launchDuePeriodicJobs()
        }
        #expect(launched == [
            Self.childID("spring", Self.utc(2026, 3, 8, 7, 0)), // 03:00 EDT: the first instant after the gap
            Self.childID("spring", Self.utc(2026, 3, 9, 6, 30)), // 02:30 EDT
            Self.childID("spring", Self.utc(2026, 3, 10, 6, 30)),
        ])

        clock.set(Self.utc(2026, 10, 31, 12))
        _ = try await manager.register(Self.periodicJob("autumn", crons: ["30 1 * * *"], timeZone: "America/New_York"))
        launched = []
        time = Self.utc(2026, 10, 31, 12)
        while time < Self.utc(2026, 11, 2, 12) {
            time = time + .seconds(300)
            clock.set(time)
            launched += await manager.launchDuePeriodicJobs()
        }
        #expect(launched.filter { $0.hasPrefix("autumn/") } == [
            Self.childID("autumn", Self.utc(2026, 11, 1, 5, 30)), // 01:30 EDT; not again at 01:30 EST
            Self.childID("autumn", Self.utc(2026, 11, 2, 6, 30)), // 01:30 EST
        ])
        await manager.shutDown()
    }

    @Test func theSystemTimeZoneDatabaseGivesNewYorkItsOffsets() throws {
        let zone = try #require(PeriodicTimeZone.zone(named: "America/New_York"))
        #expect(zone.offset(PeriodicTestClock.seconds(Self.utc(2026, 1, 15))) == -5 * 3_600)
        #expect(zone.offset(PeriodicTestClock.seconds(Self.utc(2026, 7, 15))) == -4 * 3_600)
        #expect(zone.offset(PeriodicTestClock.seconds(Self.utc(2026, 3, 8, 6, 59, 59))) == -5 * 3_600)
        #expect(zone.offset(PeriodicTestClock.seconds(Self.utc(2026, 3, 8, 7))) == -4 * 3_600)
        #expect(PeriodicTimeZone.zone(named: "Mars/Olympus_Mons") == nil)
        #expect(PeriodicTimeZone.zone(named: "")?.offset(0) == 0)
    }

    @Test func prohibitOverlapSkipsALaunchWhileTheLastChildRunsAndDoesNotMakeItLater() async throws {
        let clock = PeriodicTestClock(Self.utc(2026, 4, 1, 10, 0))
        let manager = ManagerServer(clock: clock.read)
        _ = try await manager.register(Self.periodicJob(prohibitOverlap: true))
        clock.set(Self.utc(2026, 4, 1, 10, 15))
        let first = await manager.launchDuePeriodicJobs()
        #expect(first == [Self.childID("report", Self.utc(2026, 4, 1, 10, 15))])
        // No node: the child waits to be placed, which counts as running.
        clock.set(Self.utc(2026, 4, 1, 10, 30))
        #expect(await manager.launchDuePeriodicJobs() == [])
        #expect(await manager.periodicLaunchEntry(namespace: "default", jobID: "report")?.lastScheduled == Self.utc(2026, 4, 1, 10, 30))
        // Once the child ends, the skipped 10:30 is not launched late; 10:45 is launched on time.
        _ = try await manager.deregister(namespace: "default", jobID: first[0], purge: false)
        clock.set(Self.utc(2026, 4, 1, 10, 44))
        #expect(await manager.launchDuePeriodicJobs() == [])
        clock.set(Self.utc(2026, 4, 1, 10, 45))
        #expect(await manager.launchDuePeriodicJobs() == [Self.childID("report", Self.utc(2026, 4, 1, 10, 45))])
        await manager.shutDown()
    }

    @Test func aDisabledOrStoppedPeriodicJobLaunchesNothing() async throws {
        let clock = PeriodicTestClock(Self.utc(2026, 4, 1, 10, 0))
        let manager = ManagerServer(clock: clock.read)
        _ = try await manager.register(Self.periodicJob("off", enabled: false))
        _ = try await manager.register(Self.periodicJob("stopped"))
        _ = try await manager.deregister(namespace: "default", jobID: "stopped", purge: false)
        clock.set(Self.utc(2026, 4, 1, 11, 0))
        #expect(await manager.launchDuePeriodicJobs() == [])
        do {
            _ = try await manager.forcePeriodicLaunch(namespace: "default", jobID: "off")
            Issue.record("a disabled periodic job was forced")
        } catch {
            #expect(error.description.contains("disabled"))
        }
        await manager.shutDown()
    }

    @Test func forceLaunchesAChildNowThroughTheAPIAndLeavesTheScheduleAlone() async throws {
        let clock = PeriodicTestClock(Self.utc(2026, 4, 1, 10, 0))
        let manager = ManagerServer(clock: clock.read)
        _ = try await manager.register(Self.periodicJob())
        _ = try await manager.register(ManagerServerTests.job("plain", count: 1, type: .batch))
        var router = HTTPRouter()
        ManagerAPI(manager: manager, agentInfo: [:]).register(in: &router)

        clock.set(Self.utc(2026, 4, 1, 10, 7, 12))
        let response = await router.route(HTTPRequest(method: .post, target: "/v1/job/report/periodic/force"))
        #expect(response.status == .ok)
        let body = try #require(try JSONSerialization.jsonObject(with: Data(response.bodyBytes ?? [])) as? [String: Any])
        let evaluationID = try #require(body["EvalID"] as? String)
        let forced = Self.childID("report", Self.utc(2026, 4, 1, 10, 7, 12))
        let state = await manager.snapshot()
        #expect(state.evaluations(jobID: forced).map(\.id.uuid) == [evaluationID])
        #expect(await manager.periodicLaunchEntry(namespace: "default", jobID: "report")?.lastScheduled == nil)
        // The schedule still launches 10:15.
        clock.set(Self.utc(2026, 4, 1, 10, 15))
        #expect(await manager.launchDuePeriodicJobs() == [Self.childID("report", Self.utc(2026, 4, 1, 10, 15))])

        // A force in the very second a launch comes due stands for it: no second child, and
        // the time counts as handled.
        clock.set(Self.utc(2026, 4, 1, 10, 30))
        _ = try await manager.forcePeriodicLaunch(namespace: "default", jobID: "report")
        #expect(await manager.launchDuePeriodicJobs() == [])
        #expect(await manager.periodicLaunchEntry(namespace: "default", jobID: "report")?.lastScheduled == Self.utc(2026, 4, 1, 10, 30))
        #expect(await Self.children(of: "report", in: manager).count == 3)

        // The job list shows the children's parent, as Nomad's ParentID.
        let list = await router.route(HTTPRequest(method: .get, target: "/v1/jobs?prefix=report/"))
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(list.bodyBytes ?? [])) as? [[String: Any]])
        #expect(rows.count == 3 && rows.allSatisfy { $0["ParentID"] as? String == "report" })

        let plain = await router.route(HTTPRequest(method: .post, target: "/v1/job/plain/periodic/force"))
        #expect(plain.status == .badRequest)
        #expect(String(decoding: plain.bodyBytes ?? [], as: UTF8.self).contains("is not periodic"))
        let missing = await router.route(HTTPRequest(method: .post, target: "/v1/job/nope/periodic/force"))
        #expect(missing.status == .notFound)
        await manager.shutDown()
    }

    @Test func badCronsUnknownZonesAndServiceJobsAreRefusedAtRegistrationWithTheReason() async throws {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        func refusal(_ job: JobSpec) async -> String {
            do {
                _ = try await manager.register(job)
                return ""
            } catch {
                return error.description
            }
        }
        #expect(await refusal(Self.periodicJob(crons: ["61 * * * *"])).contains("minute field '61' is out of range 0-59 in `61 * * * *`"))
        #expect(await refusal(Self.periodicJob(timeZone: "America/Nowhere")).contains("time zone \"America/Nowhere\""))
        var service = Self.periodicJob()
        service.type = .service
        #expect(await refusal(service).contains("set `type = \"batch\"`"))
        #expect(await refusal(Self.periodicJob(crons: [])).contains("no cron expression"))
        #expect(await manager.snapshot().jobs().isEmpty)
        await manager.shutDown()
    }

    @Test func aLaunchAppliedTwiceRegistersOneChildAndTheTableSurvivesASnapshot() throws {
        let machine = ManagerStateMachine()
        let parent = Self.periodicJob()
        _ = try machine.applyLocally(.state(.registerJob(parent, evaluation: nil, submitTime: Self.utc(2026, 4, 1)))).get()
        var child = parent
        child.id = Self.childID("report", Self.utc(2026, 4, 1, 0, 15))
        child.periodic = nil
        child.parentID = "report"
        let evaluation = Evaluation(
            id: EvaluationID(uuid: "00000000-0000-4000-8000-000000000015"), namespace: "default", priority: 50, jobType: .batch,
            triggeredBy: .periodicJob, jobID: child.id, createTime: .zero, modifyTime: .zero)
        let launch = PeriodicLaunch(
            parentNamespace: "default", parentID: "report", child: child, evaluation: evaluation,
            scheduledTime: Self.utc(2026, 4, 1, 0, 15), launchTime: Self.utc(2026, 4, 1, 0, 15))
        #expect((try? machine.applyLocally(.periodicLaunch(launch)).get()) != nil)
        let again = machine.applyLocally(.periodicLaunch(launch))
        guard case .failure(let error) = again else {
            Issue.record("a launch for an already launched time was applied again")
            return
        }
        #expect(error.description.contains("already launched"))

        let restored = ManagerStateMachine()
        try restored.restore(machine.snapshot())
        #expect(restored.periodicLaunches.entry(namespace: "default", jobID: "report")?.lastScheduled == Self.utc(2026, 4, 1, 0, 15))
        #expect(restored.store.jobs().filter { $0.spec.parentID == "report" }.count == 1)
    }
}
