import ClusterModel
import Foundation
import HTTP
import RegistryTestSupport
import Testing

@testable import Supervisor

/// Containers of bridge-mode groups on the kernel: the allocation's namespace on a bridge of the
/// test's own, the host port mapped to the `to` port inside, all of it gone after the stop.
@Suite(
    "Containers on the bridge", .serialized,
    .enabled(if: OCITestImage.isAvailable && BridgeNetworkPrerequisites.present, "needs root, crun or runc, busybox-static, ip and iptables"))
struct OCIBridgeNetworkTests {
    static func settings(records: String) throws -> BridgeNetworkSettings {
        let tag = String(UInt32.random(in: 0x1000_0000...0xffff_ffff), radix: 16)
        return BridgeNetworkSettings(
            recordDirectory: records, bridgeName: "rtb" + tag, subnet: try #require(IPv4Subnet("10.252.\(Int.random(in: 0...255)).0/24")),
            chain: "RT-" + tag.uppercased(), namespacePrefix: "rt-" + tag + "-")
    }

    static func allocation(mode: String, task: TaskSpec, ports: [AllocatedPort]) -> Allocation {
        let group = GroupSpec(
            name: "group", tasks: [task], restart: RestartPolicy(attempts: 0, interval: .seconds(60), delay: .milliseconds(50), mode: .fail),
            reschedule: nil, networks: [NetworkSpec(mode: mode)])
        let job = JobSpec(id: "job-\(UUID().uuidString.prefix(4).lowercased())", type: task.name == "web" ? .service : .batch, groups: [group])
        return Allocation(
            id: AllocationID(uuid: UUID().uuidString.lowercased()), evaluationID: EvaluationID(uuid: UUID().uuidString.lowercased()),
            nodeID: NodeID(uuid: "00000000-0000-4000-8000-000000000001"), nodeName: "test-node", job: job, jobVersion: 0,
            groupName: "group", index: 0, taskResources: [task.name: task.resources], ports: ports)
    }

    @Test("a web server in a bridge-mode container answers on its mapped host port, and the stop removes its network")
    func mappedPortReachesTheContainer() async throws {
        let records = FileManager.default.temporaryDirectory.path + "/roost-bridge-records-" + UUID().uuidString.prefix(8)
        let bridge = try Self.settings(records: records)
        defer { try? FileManager.default.removeItem(atPath: records) }
        var network: BridgeNetwork?
        try await SupervisorHarness.run(configure: { $0.bridgeNetwork = bridge }) { harness in
            network = harness.supervisor.bridgeNetwork
            let layout = try OCITestImage.layout(in: harness.dataDirectory)
            let hostPort = try TestRegistry.freePort()
            let task = OCIDriverTests.task(
                "web", image: "oci-layout:\(layout)", command: "/bin/sh",
                args: ["-c", "echo served-from-the-bridge > /local/index.html; exec httpd -f -p ${NOMAD_PORT_http} -h /local"])
            let allocation = Self.allocation(mode: "bridge", task: task, ports: [AllocatedPort(label: "http", value: hostPort, to: 8080)])
            await harness.supervisor.run(allocation)
            await harness.waitFor(allocation.id, "the container runs") { $0.taskStates["web"]?.state == .running }
            let client = try HTTPClient(address: "http://127.0.0.1:\(hostPort)", settings: HTTPClientSettings(connectTimeout: .seconds(1), readTimeout: .seconds(2)))
            var body = ""
            let deadline = ContinuousClock.now + .seconds(60)
            while body.isEmpty, ContinuousClock.now < deadline {
                body = (try? await client.send(.get, "/index.html")).map { String(decoding: $0.body, as: UTF8.self) } ?? ""
                if body.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(body == "served-from-the-bridge\n")
            let attachment = try #require(BridgeAttachment.all(in: records).first)
            #expect(attachment.ports == [BridgePortMapping(hostPort: hostPort, containerPort: 8080)])

            await harness.supervisor.stop(allocation.id)
            await harness.waitFor(allocation.id, "stopped") { $0.isFinished }
            #expect(!FileManager.default.fileExists(atPath: attachment.namespacePath), "the allocation's namespace outlived it")
            #expect(BridgeAttachment.all(in: records).isEmpty)
            let rules = ExternalCommand.run(try #require(ExternalCommand.locate("iptables")), ["-t", "nat", "-S", bridge.chain]).output
            #expect(!rules.contains(allocation.id.uuid), "a port mapping outlived the allocation: \(rules)")
        }
        network?.removeBridge()
        #expect(!ExternalCommand.run(try #require(ExternalCommand.locate("ip")), ["link", "show", "dev", bridge.bridgeName]).succeeded)
    }

    @Test("a container of a group with network mode none sees only loopback")
    func noneModeHasOnlyLoopback() async throws {
        try await SupervisorHarness.run { harness in
            let layout = try OCITestImage.layout(in: harness.dataDirectory)
            let task = OCIDriverTests.task("probe", image: "oci-layout:\(layout)", command: "/bin/cat", args: ["/proc/net/dev"])
            let allocation = Self.allocation(mode: "none", task: task, ports: [])
            await harness.supervisor.run(allocation)
            let final = await harness.waitFor(allocation.id, "the container finishes") { $0.isFinished }
            #expect(final?.clientStatus == .complete)
            let interfaces = await harness.logText(allocation.id, task: "probe").split(separator: "\n").filter { $0.contains(":") }
                .map { $0.split(separator: ":")[0].trimmingCharacters(in: .whitespaces) }
            #expect(interfaces == ["lo"], "interfaces seen: \(interfaces)")
        }
    }
}
