import Foundation
import Testing

/// A real dev agent and the real CLI on loopback, doing what a user does: run jobs, kill tasks,
/// stop jobs, read logs. Needs root for cgroups (the CI runs as root); says so and skips
/// otherwise.
@Suite(.serialized, .enabled(if: DevAgentProcess.isRoot && DevAgentProcess.executable != nil, "skipped: needs root and a built roost"))
struct JobLifecycleEndToEndTests {
    /// The allocations of a job, as the API lists them.
    static func allocations(_ agent: DevAgentProcess, job: String) throws -> [[String: Any]] {
        try agent.get("/v1/job/\(job)/allocations") as? [[String: Any]] ?? []
    }

    static func running(_ allocations: [[String: Any]]) -> [[String: Any]] {
        allocations.filter { $0["ClientStatus"] as? String == "running" && $0["DesiredStatus"] as? String == "run" }
    }

    static func restarts(_ allocation: [String: Any], task: String) -> Int {
        ((allocation["TaskStates"] as? [String: Any])?[task] as? [String: Any])?["Restarts"] as? Int ?? -1
    }

    /// The PID a task wrote into its allocation directory (`echo $$ > $NOMAD_ALLOC_DIR/pid`).
    static func taskPID(_ agent: DevAgentProcess, allocation: [String: Any]) -> Int32? {
        guard let id = allocation["ID"] as? String,
              let text = try? String(contentsOfFile: "\(agent.dataDirectory)/alloc/\(id)/alloc/pid", encoding: .utf8)
        else { return nil }
        return Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func isAlive(_ pid: Int32) -> Bool {
        // A zombie is dead for our purpose; /proc/<pid>/stat's third field says which.
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        return !stat.contains(") Z ")
    }

    static let serviceJob = """
        job "keeper" {
          group "g" {
            count = 3
            restart {
              attempts = 1
              interval = "10m"
              delay    = "1s"
              mode     = "fail"
            }
            reschedule {
              delay          = "1s"
              delay_function = "constant"
              unlimited      = true
            }
            task "sleeper" {
              driver = "raw_exec"
              config {
                command = "/bin/sh"
                args    = ["-c", "echo $$ > ${NOMAD_ALLOC_DIR}/pid; exec sleep 600"]
              }
              resources {
                cpu    = 20
                memory = 16
              }
            }
          }
        }
        """

    @Test func aServiceStaysAtItsCountWhenATaskIsKilledAndWhenItsRestartsRunOut() throws {
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        let run = try agent.roost("job", "run", try agent.jobFile("keeper.hcl", Self.serviceJob))
        #expect(run.status == 0, "\(run.output)\(run.errors)")
        #expect(Self.running(try Self.allocations(agent, job: "keeper")).count == 3)

        // 1. SIGKILL one task: its restart policy restarts it in place.
        let victim = try #require(Self.running(try Self.allocations(agent, job: "keeper")).first)
        let victimID = try #require(victim["ID"] as? String)
        var pid: Int32?
        try eventually("the task wrote its pid") { pid = Self.taskPID(agent, allocation: victim); return pid != nil }
        kill(try #require(pid), SIGKILL)
        try eventually("the killed task restarted in place") {
            let allocation = try Self.allocations(agent, job: "keeper").first { $0["ID"] as? String == victimID }
            return allocation.map { Self.restarts($0, task: "sleeper") == 1 && $0["ClientStatus"] as? String == "running" } ?? false
        }
        #expect(Self.running(try Self.allocations(agent, job: "keeper")).count == 3)

        // 2. Kill it again: restarts are exhausted, the allocation fails and is replaced.
        var newPID: Int32?
        try eventually("the restarted task wrote a new pid") {
            newPID = Self.taskPID(agent, allocation: victim)
            return newPID != nil && newPID != pid && Self.isAlive(newPID!)
        }
        kill(try #require(newPID), SIGKILL)
        try eventually("the failed allocation was replaced and three run again") {
            let allocations = try Self.allocations(agent, job: "keeper")
            let failed = allocations.first { $0["ID"] as? String == victimID }
            return failed?["ClientStatus"] as? String == "failed" && failed?["NextAllocation"] as? String != nil
                && Self.running(allocations).count == 3
        }
    }

    @Test func stoppingAJobLeavesNoProcessAndNoCgroupBehind() throws {
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        let run = try agent.roost("job", "run", try agent.jobFile("keeper.hcl", Self.serviceJob))
        #expect(run.status == 0, "\(run.output)\(run.errors)")
        var pids: [Int32] = []
        try eventually("every task wrote its pid") {
            pids = Self.running(try Self.allocations(agent, job: "keeper")).compactMap { Self.taskPID(agent, allocation: $0) }
            return pids.count == 3
        }
        #expect(pids.allSatisfy(Self.isAlive))
        #expect(!agent.taskCgroups().isEmpty)

        let stop = try agent.roost("job", "stop", "keeper")
        #expect(stop.status == 0, "\(stop.output)\(stop.errors)")
        #expect(stop.output.contains("Every allocation of \"keeper\" has stopped"))
        #expect(pids.filter(Self.isAlive).isEmpty, "processes survived the stop: \(pids.filter(Self.isAlive))")
        try eventually("the task cgroups are removed") { agent.taskCgroups().isEmpty }
        let status = try agent.roost("job", "status", "keeper")
        #expect(status.output.contains("dead (stopped)"))
    }

    @Test func aBatchJobCompletesOnceAndItsLogsCanBeReadAndFollowed() throws {
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        let job = """
            job "once" {
              type = "batch"
              group "g" {
                task "count" {
                  driver = "raw_exec"
                  config {
                    command = "/bin/sh"
                    args    = ["-c", "for n in 1 2 3; do echo line $n; sleep 0.3; done; echo oops >&2"]
                  }
                }
              }
            }
            """
        let run = try agent.roost("job", "run", "-detach", try agent.jobFile("once.hcl", job))
        #expect(run.status == 0, "\(run.output)\(run.errors)")
        var allocationID = ""
        try eventually("the allocation is placed") {
            allocationID = try Self.allocations(agent, job: "once").first?["ID"] as? String ?? ""
            return !allocationID.isEmpty
        }
        // Following from the start prints everything and ends when the allocation is done.
        let followed = try agent.roost("alloc", "logs", "-f", String(allocationID.prefix(8)))
        #expect(followed.status == 0, "\(followed.errors)")
        #expect(followed.output == "line 1\nline 2\nline 3\n")
        try eventually("the job is dead") { (try agent.get("/v1/job/once") as? [String: Any])?["Status"] as? String == "dead" }
        let stderr = try agent.roost("alloc", "logs", "-stderr", allocationID, "count")
        #expect(stderr.output == "oops\n")

        let allocations = try Self.allocations(agent, job: "once")
        #expect(allocations.count == 1, "a completed batch allocation must not be replaced")
        #expect(allocations.first?["ClientStatus"] as? String == "complete")
        #expect(Self.restarts(allocations[0], task: "count") == 0)
        let status = try agent.roost("alloc", "status", allocationID)
        #expect(status.output.components(separatedBy: "Started").count == 2, "started exactly once:\n\(status.output)")
    }

    @Test func aBatchJobThatExitsOneIsRetriedPerItsPolicyThenMarkedFailed() throws {
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        let job = """
            job "flaky" {
              type = "batch"
              group "g" {
                restart {
                  attempts = 2
                  interval = "10m"
                  delay    = "1s"
                  mode     = "fail"
                }
                reschedule {
                  attempts  = 0
                  unlimited = false
                }
                task "fail" {
                  driver = "raw_exec"
                  config {
                    command = "/bin/sh"
                    args    = ["-c", "echo trying; exit 1"]
                  }
                }
              }
            }
            """
        let run = try agent.roost("job", "run", try agent.jobFile("flaky.hcl", job))
        #expect(run.status == 1, "job run must fail for a failed batch job: \(run.output)\(run.errors)")
        #expect(run.errors.contains("failed"))
        let allocations = try Self.allocations(agent, job: "flaky")
        #expect(allocations.count == 1, "reschedule attempts = 0: no replacement")
        #expect(allocations.first?["ClientStatus"] as? String == "failed")
        #expect(Self.restarts(allocations[0], task: "fail") == 2)
        let logs = try agent.roost("alloc", "logs", try #require(allocations.first?["ID"] as? String))
        #expect(logs.output == "trying\ntrying\ntrying\n")
        let status = try agent.roost("alloc", "status", try #require(allocations.first?["ID"] as? String))
        #expect(status.output.contains("Not Restarting"))
    }

    @Test func aTaskOverItsMemoryLimitIsReportedAsOOMKilled() throws {
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        let job = """
            job "hungry" {
              type = "batch"
              group "g" {
                restart {
                  attempts = 0
                  mode     = "fail"
                }
                reschedule {
                  attempts  = 0
                  unlimited = false
                }
                task "eat" {
                  driver = "raw_exec"
                  config {
                    command = "/usr/bin/python3"
                    args    = ["-c", "x = bytearray(400 * 1024 * 1024); import time; time.sleep(5)"]
                  }
                  resources {
                    memory = 64
                  }
                }
              }
            }
            """
        let run = try agent.roost("job", "run", try agent.jobFile("hungry.hcl", job))
        #expect(run.status == 1, "\(run.output)\(run.errors)")
        let allocation = try #require(try Self.allocations(agent, job: "hungry").first)
        let status = try agent.roost("alloc", "status", try #require(allocation["ID"] as? String))
        #expect(status.output.contains("OOM"), "the OOM kill must be named:\n\(status.output)")
    }

    @Test func aTaskWhoseCommandDoesNotExistFailsWithExecutableNotFound() throws {
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        let job = """
            job "typo" {
              type = "batch"
              group "g" {
                reschedule {
                  attempts  = 0
                  unlimited = false
                }
                task "t" {
                  driver = "raw_exec"
                  config {
                    command = "slep"
                    args    = ["1"]
                  }
                }
              }
            }
            """
        let run = try agent.roost("job", "run", try agent.jobFile("typo.hcl", job))
        #expect(run.status == 1, "\(run.output)\(run.errors)")
        let allocation = try #require(try Self.allocations(agent, job: "typo").first)
        #expect(allocation["ClientStatus"] as? String == "failed")
        let status = try agent.roost("alloc", "status", try #require(allocation["ID"] as? String))
        #expect(status.output.contains("executable not found"), "\(status.output)")
    }

    @Test func aGroupThatCannotBePlacedExitsTwoAndStatusSaysWhy() throws {
        let agent = try DevAgentProcess()
        defer { agent.stop() }
        let job = """
            job "huge" {
              group "g" {
                task "t" {
                  driver = "raw_exec"
                  config {
                    command = "/bin/sleep"
                    args    = ["600"]
                  }
                  resources {
                    memory = 100000000
                  }
                }
              }
              group "windows" {
                constraint {
                  attribute = "${attr.kernel.name}"
                  value     = "windows"
                }
                task "t" {
                  driver = "raw_exec"
                  config {
                    command = "/bin/sleep"
                  }
                }
              }
            }
            """
        let run = try agent.roost("job", "run", try agent.jobFile("huge.hcl", job))
        #expect(run.status == 2, "\(run.output)\(run.errors)")
        #expect(run.output.contains("Placement failure for group \"g\": 0/1 nodes: 1 memory exhausted"), "\(run.output)")
        let status = try agent.roost("job", "status", "huge")
        #expect(status.output.contains("Placement Failure"), "\(status.output)")
        #expect(status.output.contains("Task Group \"windows\": 0/1 nodes: 1 constraint ${attr.kernel.name} = windows"), "\(status.output)")
    }
}
