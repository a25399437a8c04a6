import ClusterModel
import Platform
import Testing

@testable import Supervisor

@Suite struct RuntimeInterpolatorTests {
    let node = Node(
        id: NodeID(uuid: "11111111-2222-4333-8444-555555555555"), name: "worker-1", datacenter: "east", nodeClass: "big",
        attributes: ["kernel.name": "linux", "cpu.arch": "amd64"], meta: ["rack": "r1"],
        resources: NodeResources(cpuMHz: 1000, cores: 1, memoryMiB: 1024)
    )

    var interpolator: RuntimeInterpolator {
        RuntimeInterpolator(
            environment: ["NOMAD_ALLOC_ID": "abc", "HOME": "/root"], node: node, region: "eu", meta: ["owner": "ops", "rack": "job"]
        )
    }

    @Test func environmentAttributeMetaAndNodeReferencesAreFilledIn() {
        #expect(interpolator.interpolate("${NOMAD_ALLOC_ID}-${env[\"HOME\"]}") == "abc-/root")
        #expect(interpolator.interpolate("${attr.kernel.name}/${attr.cpu.arch}") == "linux/amd64")
        #expect(interpolator.interpolate("${meta.rack} ${meta.owner}") == "r1 ops")
        #expect(interpolator.interpolate("${node.unique.name} ${node.datacenter} ${node.class} ${node.region}") == "worker-1 east big eu")
        #expect(interpolator.interpolate("${node.unique.id}") == "11111111-2222-4333-8444-555555555555")
    }

    @Test func unknownReferencesStayAsWrittenSoTyposAreVisible() {
        #expect(interpolator.interpolate("${NOMAD_NOPE} ${attr.missing} ${node.what}") == "${NOMAD_NOPE} ${attr.missing} ${node.what}")
    }

    @Test func unterminatedAndOverlongReferencesDoNotSwallowText() {
        #expect(interpolator.interpolate("cost: ${5 and more") == "cost: ${5 and more")
        let long = "${" + String(repeating: "x", count: 10_000) + "}"
        #expect(interpolator.interpolate(long) == long)
        #expect(interpolator.interpolate("$${NOMAD_ALLOC_ID}") == "$abc")
    }

    @Test func templateEnvActionsReadTheTaskEnvironment() {
        #expect(interpolator.interpolate("home={{ env \"HOME\" }} missing={{env \"NOPE\"}} other={{ .Data }}") == "home=/root missing= other={{ .Data }}")
    }
}

@Suite struct TaskEnvironmentTests {
    @Test func nomadVariablesAreSetUnderBothPrefixesWithPortsAndLimits() throws {
        let task = TaskSpec(
            name: "web", driver: "raw_exec", env: ["LISTEN": "${NOMAD_ADDR_http}", "NOMAD_DC": "mine"],
            resources: Resources(cpuMHz: 250, memoryMiB: 128, memoryMaxMiB: 256), meta: ["tier": "front"]
        )
        var allocation = SupervisorHarness.allocation(tasks: [task], ports: [AllocatedPort(label: "http", value: 23456, to: 8080)])
        allocation.job.parentID = "nightly"
        let node = Node(id: NodeID(uuid: "n"), name: "w", datacenter: "dc9", resources: NodeResources(cpuMHz: 1, cores: 1, memoryMiB: 1))
        let directory = AllocationDirectory(dataDirectory: "/data", allocationID: allocation.id)
        let (environment, _) = TaskEnvironment.build(
            allocation: allocation, task: task, directory: directory, node: node, region: "global",
            agentEnvironment: ["PATH": "/bin", "SECRET_TOKEN": "x"]
        )
        for prefix in ["NOMAD_", "ROOST_"] {
            #expect(environment[prefix + "ALLOC_ID"] == allocation.id.uuid)
            #expect(environment[prefix + "ALLOC_NAME"] == allocation.name)
            #expect(environment[prefix + "ALLOC_INDEX"] == "0")
            #expect(environment[prefix + "ALLOC_DIR"] == directory.sharedDirectory)
            #expect(environment[prefix + "TASK_DIR"] == directory.localDirectory("web"))
            #expect(environment[prefix + "SECRETS_DIR"] == directory.secretsDirectory("web"))
            #expect(environment[prefix + "TASK_NAME"] == "web")
            #expect(environment[prefix + "GROUP_NAME"] == "group")
            #expect(environment[prefix + "JOB_ID"] == allocation.jobID)
            #expect(environment[prefix + "JOB_NAME"] == allocation.job.name)
            #expect(environment[prefix + "JOB_PARENT_ID"] == "nightly")
            #expect(environment[prefix + "REGION"] == "global")
            #expect(environment[prefix + "NAMESPACE"] == "default")
            #expect(environment[prefix + "CPU_LIMIT"] == "250")
            #expect(environment[prefix + "MEMORY_LIMIT"] == "128")
            #expect(environment[prefix + "MEMORY_MAX_LIMIT"] == "256")
            #expect(environment[prefix + "PORT_http"] == "8080")
            #expect(environment[prefix + "HOST_PORT_http"] == "23456")
            #expect(environment[prefix + "IP_http"] == "127.0.0.1")
            #expect(environment[prefix + "ADDR_http"] == "127.0.0.1:23456")
            #expect(environment[prefix + "META_tier"] == "front")
        }
        #expect(environment["ROOST_DC"] == "dc9")
        #expect(environment["NOMAD_DC"] == "mine", "the task's own env wins")
        #expect(environment["LISTEN"] == "127.0.0.1:23456")
        #expect(environment["PATH"] == "/bin")
        #expect(environment["SECRET_TOKEN"] == nil, "the agent's other variables stay private")
    }
}

@Suite struct NodeFingerprinterTests {
    @Test func theNodeCarriesTheAttributesConstraintsTestAndItsResources() {
        let fingerprint = Fingerprint(
            cpuCores: 2, cpuTotalMHz: 5800, cpuModel: "Xeon", memoryBytes: 4 << 30, kernelName: "linux",
            kernelVersion: "6.1.0", osName: "debian", osVersion: "12", architecture: "amd64", hostname: "box",
            cgroupVersion: .v1
        )
        let node = NodeFingerprinter.node(id: NodeID(uuid: "n"), datacenter: "dc2", fingerprint: fingerprint)
        #expect(node.name == "box")
        #expect(node.datacenter == "dc2")
        #expect(node.attributes["kernel.name"] == "linux")
        #expect(node.attributes["kernel.version"] == "6.1.0")
        #expect(node.attributes["os.name"] == "debian")
        #expect(node.attributes["os.version"] == "12")
        #expect(node.attributes["cpu.arch"] == "amd64")
        #expect(node.attributes["cpu.numcores"] == "2")
        #expect(node.attributes["cpu.totalcompute"] == "5800")
        #expect(node.attributes["memory.totalbytes"] == String(4 << 30))
        #expect(node.attributes["unique.hostname"] == "box")
        #expect(node.attributes["driver.raw_exec"] == "1")
        #expect(node.attributes["os.cgroups.version"] == "1")
        #expect(node.resources == NodeResources(cpuMHz: 5800, cores: 2, memoryMiB: 4096))
        #expect(node.drivers["raw_exec"]?.healthy == true)
    }
}
