import Foundation

/// The seeds a simulation test runs: `SWIM_SEED` when set (to replay one failure), otherwise a
/// fixed list so that `swift test` is deterministic.
enum SimulationSeeds {
    static func seeds(default defaults: [UInt64]) -> [UInt64] {
        if let text = ProcessInfo.processInfo.environment["SWIM_SEED"], let seed = UInt64(text) { return [seed] }
        return defaults
    }

    /// Cluster sizes for the crash-detection run: `SWIM_SIZES` (comma-separated, e.g. "1000"
    /// for a soak) when set, otherwise the defaults.
    static func sizes(default defaults: [Int]) -> [Int] {
        guard let text = ProcessInfo.processInfo.environment["SWIM_SIZES"] else { return defaults }
        let sizes = text.split(separator: ",").compactMap { Int($0) }.filter { (4...5000).contains($0) }
        return sizes.isEmpty ? defaults : sizes
    }

    static func replay(_ seed: UInt64, _ test: String) -> String {
        "replay: SWIM_SEED=\(seed) swift test --filter SWIMSimulationTests/\(test)"
    }
}
