import Foundation

/// The seeds a simulation test runs: `SWIM_SEED` when set (to replay one failure), otherwise a
/// fixed list so that `swift test` is deterministic.
enum SimulationSeeds {
    static func seeds(default defaults: [UInt64]) -> [UInt64] {
        if let text = ProcessInfo.processInfo.environment["SWIM_SEED"], let seed = UInt64(text) { return [seed] }
        return defaults
    }

    static func replay(_ seed: UInt64, _ test: String) -> String {
        "replay: SWIM_SEED=\(seed) swift test --filter SWIMSimulationTests/\(test)"
    }
}
