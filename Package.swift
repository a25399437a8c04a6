// swift-tools-version:6.0
import PackageDescription

/// Roost builds from the toolchain and libsodium alone: no SwiftPM package dependencies.
/// The layering rules between these targets live in DESIGN.md §2 and are enforced by
/// `contrib/check-layering.sh`.
let package = Package(
    name: "Roost",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "roost", targets: ["roost"]),
        .executable(name: "roost-oci-monitor", targets: ["RoostOCIMonitor"]),
    ],
    targets: [
        // Layer 0: pure value types and protocol cores (standard library only).
        // They may use libm's arithmetic (floor, pow) without importing Glibc.
        .target(name: "ClusterModel", linkerSettings: [.linkedLibrary("m")]),
        .target(name: "Jobspec", dependencies: ["ClusterModel"], linkerSettings: [.linkedLibrary("m")]),

        // System library and its safe wrapper.
        .systemLibrary(
            name: "CSodium",
            pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]
        ),
        .target(name: "Sodium", dependencies: ["CSodium"]),
        // Layer 1: cluster identity — certificates, join tokens, channel and join handshakes.
        .target(name: "ClusterSecurity", dependencies: ["Sodium", "Wire"]),

        // Layer 0: the Raft consensus core (pure: no clock, I/O or unseeded randomness).
        .target(name: "Raft"),
        // Layer 0: SWIM failure detection with Lifeguard (pure: time and randomness come in).
        .target(name: "SWIM", linkerSettings: [.linkedLibrary("m")]),
        // Versioned binary codecs for what managers and agents send each other.
        .target(name: "Wire", dependencies: ["Raft", "ClusterModel"]),

        // Layer 0 cores of the cluster: scheduling, the replicated state machine, task lifecycle.
        .target(name: "Scheduler", dependencies: ["ClusterModel"]),
        .target(name: "StateStore", dependencies: ["ClusterModel", "Scheduler"]),
        .target(name: "Supervision", dependencies: ["ClusterModel"]),

        // Layer 1: the OS edge and HTTP on top of it.
        .target(name: "Platform"),
        .target(name: "HTTP", dependencies: ["Platform"]),

        // The HTTP API's JSON shapes (Nomad's field names), shared by the agent and the CLI.
        .target(name: "API", dependencies: ["ClusterModel", "StateStore"]),

        // Layer 2: OCI images — registry client, content-addressed blob cache, safe layer unpacking.
        .target(name: "Images"),
        // Layer 2: the worker's shell around task supervision (raw_exec and the oci driver).
        // A container's monitor, Glibc only so that its own executable starts in milliseconds.
        .target(name: "OCIMonitor"),
        .executableTarget(name: "RoostOCIMonitor", dependencies: ["OCIMonitor"]),
        .target(name: "Supervisor", dependencies: ["Supervision", "Platform", "ClusterModel", "Images", "HTTP", "OCIMonitor"]),
        // Layer 2: the Raft shell's storage and transport (WAL, snapshot files, TCP frames).
        .target(name: "RaftRuntime", dependencies: ["Wire", "Raft", "Platform", "Sodium", "ClusterSecurity"]),
        // Layer 2: the SWIM shell: encrypted UDP/TCP gossip, keyring, membership events.
        .target(name: "Gossip", dependencies: ["SWIM", "Sodium", "Platform"]),
        // Layer 2: request/response between workers and managers over the authenticated,
        // encrypted channel (handshake, secretstream, capped frames, many calls in flight).
        .target(name: "ClusterRPC", dependencies: ["ClusterModel", "StateStore", "ClusterSecurity", "Sodium", "Platform", "Wire"]),

        // Layer 3: the server and client roles.
        .target(
            name: "Manager",
            dependencies: ["ClusterModel", "Jobspec", "Scheduler", "StateStore", "Platform", "HTTP", "API", "Raft", "RaftRuntime", "Sodium", "Gossip", "SWIM", "ClusterRPC", "ClusterSecurity", "Wire"]
        ),
        .target(
            name: "Worker",
            dependencies: ["ClusterModel", "Supervision", "Supervisor", "Platform", "HTTP", "API", "ClusterRPC", "ClusterSecurity"]
        ),

        // Layer 3 and the executable.
        .target(name: "RoostCLI", dependencies: ["ClusterModel", "Jobspec", "HTTP", "Platform", "API", "StateStore", "ClusterSecurity", "Sodium", "RaftRuntime"]),
        .executableTarget(name: "roost", dependencies: ["RoostCLI", "Manager", "Scheduler", "Worker", "Raft", "RaftRuntime", "ClusterSecurity", "Images"]),

        // Built only by `make fuzz` (with --sanitize=fuzzer); a plain build makes a stub.
        .executableTarget(name: "JobspecFuzzer", dependencies: ["Jobspec"], path: "Fuzz/JobspecFuzzer"),
        .executableTarget(name: "HTTPParserFuzzer", dependencies: ["HTTP"], path: "Fuzz/HTTPParserFuzzer"),
        .executableTarget(name: "WireFuzzer", dependencies: ["Wire", "Raft"], path: "Fuzz/WireFuzzer"),
        .executableTarget(name: "SWIMCodecFuzzer", dependencies: ["SWIM"], path: "Fuzz/SWIMCodecFuzzer"),
        .executableTarget(name: "GossipPacketFuzzer", dependencies: ["Gossip", "SWIM"], path: "Fuzz/GossipPacketFuzzer"),
        // Built only by `make bench`: parse + decode throughput of large job files.
        .executableTarget(name: "JobspecBench", dependencies: ["Jobspec"], path: "contrib/bench/JobspecBench"),
        // WAL group-commit throughput/latency (`contrib/bench/raft/wal-bench.sh`); its
        // `crash-writer` mode is the child that RaftRuntimeTests kills with SIGKILL.
        // Built only by the Raft benchmark: one Raft node serving etcd's put/status calls.
        .executableTarget(
            name: "RaftKVBench", dependencies: ["RaftRuntime", "Raft", "HTTP", "Platform"],
            path: "contrib/bench/raft/RaftKVBench"),
        .executableTarget(name: "RaftWALBench", dependencies: ["RaftRuntime", "Raft"], path: "contrib/bench/raft/RaftWALBench"),
        // Built only by the cluster benchmark: many workers' RPC channels in one process.
        .executableTarget(
            name: "WorkerSwarmBench", dependencies: ["Worker", "ClusterSecurity", "ClusterModel"],
            path: "contrib/bench/cluster/WorkerSwarmBench"),
        // Built only by the scheduler benchmark (contrib/bench/scheduler): a simulated cluster,
        // a million placements through the managers with and without Raft.
        .executableTarget(
            name: "SchedulerBench", dependencies: ["Manager", "Scheduler", "StateStore", "ClusterModel", "Raft", "RaftRuntime"],
            path: "contrib/bench/scheduler/SchedulerBench"),
        // Built only by the gossip benchmark: one gossip member with a small HTTP API, beside Serf.
        .executableTarget(
            name: "GossipBenchAgent", dependencies: ["Gossip", "SWIM", "HTTP", "Platform"],
            path: "contrib/bench/gossip/GossipBenchAgent"),

        // Built only by the oci benchmark (contrib/bench/oci/oci-bench.sh): container start
        // latency against crun by hand, pull + unpack against skopeo + umoci.
        .executableTarget(
            name: "OCIBench", dependencies: ["Supervisor", "Images", "ClusterModel", "Platform"],
            path: "contrib/bench/oci/OCIBench"),

        // Shared by the test targets: the seeded generator their replayable runs draw from.
        .target(name: "TestSupport", path: "Tests/TestSupport"),

        .testTarget(name: "ClusterModelTests", dependencies: ["ClusterModel"]),
        .testTarget(name: "JobspecTests", dependencies: ["Jobspec", "ClusterModel", "TestSupport"]),
        .testTarget(name: "SodiumTests", dependencies: ["Sodium"]),
        .testTarget(name: "ClusterSecurityTests", dependencies: ["ClusterSecurity", "Sodium"]),
        .testTarget(name: "RoostCLITests", dependencies: ["RoostCLI", "Jobspec"]),
        .testTarget(name: "RaftTests", dependencies: ["Raft", "TestSupport"], exclude: ["testdata"]),
        .testTarget(name: "SWIMTests", dependencies: ["SWIM"]),
        .testTarget(name: "GossipTests", dependencies: ["Gossip", "SWIM", "Sodium", "Platform", "Manager", "HTTP", "API"]),
        .testTarget(name: "WireTests", dependencies: ["Wire", "Raft", "TestSupport"]),
        .testTarget(name: "RaftRuntimeTests", dependencies: ["RaftRuntime", "Raft", "Platform", "TestSupport", "ClusterSecurity", "Sodium"]),
        .testTarget(name: "APITests", dependencies: ["API", "ClusterModel", "StateStore"]),
        .testTarget(name: "SchedulerTests", dependencies: ["Scheduler", "ClusterModel", "TestSupport", "StateStore"]),
        .testTarget(name: "StateStoreTests", dependencies: ["StateStore", "Scheduler", "ClusterModel", "TestSupport"]),
        .testTarget(name: "SupervisionTests", dependencies: ["Supervision", "ClusterModel"]),
        .testTarget(name: "PlatformTests", dependencies: ["Platform"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP", "Platform"]),
        // Shared by the image client's and the oci driver's tests: a registry on 127.0.0.1.
        .target(name: "RegistryTestSupport", dependencies: ["Images"], path: "Tests/RegistryTestSupport"),
        .testTarget(name: "SupervisorTests", dependencies: ["Supervisor", "Supervision", "Platform", "ClusterModel", "Images", "RegistryTestSupport", "HTTP", "OCIMonitor"]),
        // The HTTP server stands in for registries with token or basic auth, or that never answer.
        .testTarget(name: "ImagesTests", dependencies: ["Images", "HTTP", "RegistryTestSupport"]),
        .testTarget(name: "ManagerTests", dependencies: ["Manager", "ClusterModel", "HTTP", "Raft", "StateStore", "ClusterSecurity"]),
        .testTarget(name: "WorkerTests", dependencies: ["Worker", "HTTP", "ClusterModel", "ClusterRPC", "ClusterSecurity", "Sodium", "Platform", "Manager", "StateStore"]),
        .testTarget(name: "ClusterRPCTests", dependencies: ["ClusterRPC", "ClusterSecurity", "Sodium", "Platform", "Manager", "ClusterModel", "StateStore"]),
        // Real agent processes and the real CLI on loopback; `roost` must be built beside them.
        .testTarget(name: "EndToEndTests", dependencies: ["HTTP", "ClusterSecurity", "Sodium", "RaftRuntime", "Raft", "Platform", "RegistryTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
