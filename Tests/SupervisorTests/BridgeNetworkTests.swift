import Foundation
import HTTP
import RegistryTestSupport
@testable import Supervisor
import Testing

enum BridgeNetworkPrerequisites {
    static let present = (try? BridgeNetwork.tools().get()) != nil && FileManager.default.isExecutableFile(atPath: "/usr/bin/python3")
}

@Suite struct IPv4SubnetTests {
    @Test func theGatewayIsTheFirstHostAndAllocationsGetTheRest() throws {
        let subnet = try #require(IPv4Subnet("172.26.64.0/20"))
        #expect(subnet.gateway == "172.26.64.1")
        #expect(subnet.allocationAddress(0) == "172.26.64.2")
        #expect(subnet.allocationAddress(255) == "172.26.65.1")
        #expect(subnet.allocatableCount == 4_093)
        #expect(subnet.allocationAddress(4_092) == "172.26.79.254")
        #expect(subnet.allocationAddress(4_093) == nil, "the broadcast address is never handed out")
    }

    @Test func malformedSubnetsAreRefused() {
        for text in ["172.26.64.0", "172.26.64.1/20", "172.26.64.0/31", "300.1.1.0/24", "1.2.3/24", "a.b.c.d/24", "10.0.0.0/x"] {
            #expect(IPv4Subnet(text) == nil, "\(text)")
        }
    }

    @Test func hostInterfaceNamesFitTheKernelsLimitAndDifferForSimilarAllocations() {
        let first = BridgeNetwork.hostInterfaceName("0b8e2f3c-1111-4000-8000-000000000001")
        let second = BridgeNetwork.hostInterfaceName("0b8e2f3c-1111-4000-8000-000000000002")
        #expect(first.count <= 15 && second.count <= 15)
        #expect(first != second)
        #expect(first == BridgeNetwork.hostInterfaceName("0b8e2f3c-1111-4000-8000-000000000001"))
    }
}

/// The bridge, namespaces, veth pairs and port mappings on the real kernel, under names and a
/// subnet of the test's own, all removed at the end.
@Suite(.serialized, .enabled(if: BridgeNetworkPrerequisites.present, "needs root, ip, iptables and python3"))
struct BridgeNetworkTests {
    static func network() throws -> (BridgeNetwork, String) {
        let tag = String(UInt32.random(in: 0x1000_0000...0xffff_ffff), radix: 16)
        let records = FileManager.default.temporaryDirectory.path + "/roost-bridge-test-" + tag
        let octet = Int.random(in: 0...255)
        let settings = BridgeNetworkSettings(
            recordDirectory: records, bridgeName: "rtb" + tag, subnet: try #require(IPv4Subnet("10.251.\(octet).0/24")),
            chain: "RT-" + tag.uppercased(), namespacePrefix: "rt-" + tag + "-")
        switch BridgeNetwork.make(settings) {
        case .success(let network): return (network, records)
        case .failure(let error): throw error
        }
    }

    /// A web server inside the allocation's namespace, as a container would run one.
    static func serve(in namespace: String, port: Int, directory: String) throws -> Process {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: try #require(ExternalCommand.locate("ip")))
        server.arguments = ["netns", "exec", namespace, "/usr/bin/python3", "-m", "http.server", String(port), "--bind", "0.0.0.0", "--directory", directory]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        return server
    }

    static func fetch(_ address: String) async -> String? {
        guard let client = try? HTTPClient(address: "http://" + address, settings: HTTPClientSettings(connectTimeout: .seconds(1), readTimeout: .seconds(2))),
            let response = try? await client.send(.get, "/hello.txt"), response.status == .ok
        else { return nil }
        return String(decoding: response.body, as: UTF8.self)
    }

    static func eventually(_ what: String, _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for: \(what)")
        return false
    }

    @Test func aMappedHostPortOn127001ReachesTheServerInTheAllocationsNamespaceAndDetachRemovesEverything() async throws {
        let (network, records) = try Self.network()
        defer {
            network.removeBridge()
            try? FileManager.default.removeItem(atPath: records)
        }
        let site = records + "-site"
        try FileManager.default.createDirectory(atPath: site, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: site) }
        try "hello from the bridge\n".write(toFile: site + "/hello.txt", atomically: true, encoding: .utf8)

        let hostPort = try TestRegistry.freePort()
        let first = try network.attach(allocationID: "a1-" + UUID().uuidString.lowercased(), ports: [BridgePortMapping(hostPort: hostPort, containerPort: 8080)])
        let second = try network.attach(allocationID: "a2-" + UUID().uuidString.lowercased(), ports: [])
        #expect(first.address != second.address, "two allocations share an address")
        #expect(FileManager.default.fileExists(atPath: first.namespacePath))
        #expect(try network.attach(allocationID: first.allocationID, ports: first.ports) == first, "attaching again changed the allocation's network")

        let server = try Self.serve(in: first.namespaceName, port: 8080, directory: site)
        defer {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        #expect(await Self.eventually("the server answers on the allocation's address") { await Self.fetch(first.address + ":8080") != nil })
        #expect(await Self.fetch("127.0.0.1:\(hostPort)") == "hello from the bridge\n", "the mapped port on 127.0.0.1 does not reach the namespace")

        kill(server.processIdentifier, SIGKILL)
        server.waitUntilExit()
        network.detach(allocationID: first.allocationID)
        #expect(!FileManager.default.fileExists(atPath: first.namespacePath))
        #expect(!ExternalCommand.run(ExternalCommand.locate("ip")!, ["link", "show", "dev", first.hostInterface]).succeeded)
        let rules = ExternalCommand.run(ExternalCommand.locate("iptables")!, ["-t", "nat", "-S", network.settings.chain]).output
        #expect(!rules.contains(first.allocationID), "a port mapping outlived its allocation: \(rules)")
        #expect(!FileManager.default.fileExists(atPath: records + "/" + first.allocationID + ".json"))

        // A restarted agent keeps what it runs and removes the rest.
        network.detachAll(except: [])
        #expect(!FileManager.default.fileExists(atPath: second.namespacePath))
        network.removeBridge()
        #expect(!ExternalCommand.run(ExternalCommand.locate("ip")!, ["link", "show", "dev", network.settings.bridgeName]).succeeded)
        #expect(!ExternalCommand.run(ExternalCommand.locate("iptables")!, ["-t", "nat", "-S", network.settings.chain]).succeeded)
    }
}
