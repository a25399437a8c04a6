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

        // Layer 3 and the executable.
        .target(name: "RoostCLI", dependencies: ["ClusterModel", "Jobspec"]),
        .executableTarget(name: "roost", dependencies: ["RoostCLI"]),

        // Built only by `make fuzz` (with --sanitize=fuzzer); a plain build makes a stub.
        .executableTarget(name: "JobspecFuzzer", dependencies: ["Jobspec"], path: "Fuzz/JobspecFuzzer"),
        // Built only by `make bench`: parse + decode throughput of large job files.
        .executableTarget(name: "JobspecBench", dependencies: ["Jobspec"], path: "contrib/bench/JobspecBench"),

        .testTarget(name: "ClusterModelTests", dependencies: ["ClusterModel"]),
        .testTarget(name: "JobspecTests", dependencies: ["Jobspec", "ClusterModel"]),
        .testTarget(name: "SodiumTests", dependencies: ["Sodium"]),
        .testTarget(name: "RoostCLITests", dependencies: ["RoostCLI", "Jobspec"]),
    ],
    swiftLanguageModes: [.v6]
)
