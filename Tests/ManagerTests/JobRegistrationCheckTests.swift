import ClusterModel
@testable import Manager
import Testing

@Suite struct JobRegistrationCheckTests {
    static func job(networkMode: String) -> JobSpec {
        var job = ManagerServerTests.job("web", count: 1)
        job.groups[0].networks = [NetworkSpec(mode: networkMode, dynamicPorts: [NetworkSpec.Port(label: "http", to: 8080)])]
        return job
    }

    @Test func hostBridgeAndNoneNetworksAreAccepted() {
        for mode in ["host", "bridge", "none"] {
            #expect(JobRegistrationCheck.problems(in: Self.job(networkMode: mode)).isEmpty, "\(mode)")
        }
    }

    @Test func aCNINetworkIsRefusedSayingWhichModesExist() async {
        let manager = ManagerServer(clock: ManagerServerTests.clock)
        do {
            _ = try await manager.register(Self.job(networkMode: "cni/mynet"))
            Issue.record("a job asking for a CNI network was accepted")
        } catch {
            #expect("\(error)".contains("group \"g\" asks for network mode \"cni/mynet\", which Roost does not provide: use \"host\""))
        }
        #expect(await manager.snapshot().job(id: "web") == nil)
    }
}
