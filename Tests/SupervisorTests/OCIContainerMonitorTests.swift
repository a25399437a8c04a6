import Foundation
import OCIMonitor
import Platform
import Testing

@testable import Supervisor

/// The monitor's command line and exit file: what one agent writes, the next one reads.
@Suite struct OCIContainerMonitorTests {
    @Test("the monitor reads back the command line the agent gives it, and refuses a malformed one")
    func invocationRoundTrip() {
        let invocation = OCIContainerMonitor.Invocation(
            exitFile: "/d/exit-status", pidFile: "/d/init.pid", pipes: ["/d/stdout.fifo", "/d/stderr.fifo"], runtime: "/usr/bin/crun",
            createArguments: ["--log=/d/runtime.log", "create", "--bundle", "/d", "--pid-file", "/d/init.pid", "roost-a.--start"],
            startArguments: ["--log=/d/runtime.log", "start", "roost-a.--start"])
        #expect(OCIContainerMonitor.Invocation(invocation.arguments) == invocation)
        #expect(OCIContainerMonitor.Invocation([]) == nil)
        #expect(OCIContainerMonitor.Invocation(["a", "b", "c", "d", "e", "--start", "x"]) == nil)
        #expect(OCIContainerMonitor.main(["no", "such", "layout"]) == 2)
    }

    @Test("a waiting monitor reads back the orders the agent sends it, and refuses malformed or oversized ones")
    func ordersRoundTrip() throws {
        let invocation = OCIContainerMonitor.Invocation(
            exitFile: "/d/exit-status", pidFile: "/d/init.pid", pipes: ["/d/stdout.fifo", "/d/stderr.fifo"], runtime: "/usr/bin/crun",
            createArguments: ["run", "--detach", "--bundle", "/d é", "", "roost-a.t"], startArguments: [])
        let orders = try #require(invocation.orders)
        #expect(OCIContainerMonitor.Invocation(try #require(OCIMonitorInvocation.arguments(fromOrders: orders))) == invocation)
        var withNul = invocation
        withNul.createArguments.append("a\u{0}b")
        #expect(withNul.orders == nil, "an argument with a NUL byte cannot be sent")
        #expect(OCIMonitorInvocation.arguments(fromOrders: []) == nil)
        #expect(OCIMonitorInvocation.arguments(fromOrders: Array("no terminator".utf8)) == nil)
        #expect(OCIMonitorInvocation.arguments(fromOrders: [UInt8](repeating: 0, count: OCIMonitorInvocation.maximumOrderBytes + 1)) == nil)
    }

    @Test("a record written while the runtime was still starting the container finds the init through the bundle's pid file")
    func recordWithoutInitPID() throws {
        let bundle = FileManager.default.temporaryDirectory.path + "/roost-record-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: bundle, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: bundle) }
        var record = OCIContainerRecord(
            allocation: SupervisorHarness.allocation(tasks: []), task: "t", containerID: "roost-x.t", runtime: .crun,
            runtimeExecutable: "/usr/bin/crun", bundle: bundle, cgroupName: "x.t", initPID: 0, monitorPID: 42)
        #expect(record.resolvedInitPID() == nil, "no pid file: the container never started")
        try Data("4321\n".utf8).write(to: URL(fileURLWithPath: bundle + "/init.pid"))
        #expect(record.resolvedInitPID() == 4321)
        try record.save()
        #expect(OCIContainerRecord.load(bundle: bundle)?.resolvedInitPID() == 4321)
        record.initPID = 99
        #expect(record.resolvedInitPID() == 99, "a recorded pid wins")
        try Data("garbage".utf8).write(to: URL(fileURLWithPath: bundle + "/init.pid"))
        record.initPID = 0
        #expect(record.resolvedInitPID() == nil)
    }

    @Test("an exit file gives the init's code and signal; anything else counts as no status")
    func exitFile() {
        #expect(OCIContainerMonitor.parseExit("exit 42 0\n") == ProcessExitStatus(code: 42))
        #expect(OCIContainerMonitor.parseExit("exit 137 9\n") == ProcessExitStatus(code: 137, signal: 9))
        for bad in ["", "lost\n", "failed create\n", "exit 300 0", "exit -1 0", "exit 1 99", "exit 1", "exit 1 2 3", "exit x 0"] {
            #expect(OCIContainerMonitor.parseExit(bad) == nil, "\(bad)")
        }
    }
}
