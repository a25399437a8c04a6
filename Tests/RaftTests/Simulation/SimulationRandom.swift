/// The only source of randomness in a simulation run: xoshiro256** seeded through SplitMix64.
/// Everything a run decides (delays, drops, crashes, client choices) draws from one of these,
/// so one 64-bit seed replays the whole run bit for bit. It is written here rather than taken
/// from the standard library because the stdlib's generator is not seedable and the algorithms
/// behind `random(in:using:)` are not promised to stay the same across toolchains.
struct SimulationRandom: RandomNumberGenerator {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    init(seed: UInt64) {
        var mixer = seed
        func splitMix() -> UInt64 {
            mixer &+= 0x9E37_79B9_7F4A_7C15
            var z = mixer
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (splitMix(), splitMix(), splitMix(), splitMix())
    }

    mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    /// A number in `0..<bound`, without modulo bias (Lemire's multiply-and-reject).
    mutating func below(_ bound: UInt64) -> UInt64 {
        precondition(bound > 0, "below(0) has no answer")
        var product = next().multipliedFullWidth(by: bound)
        if product.low < bound {
            let threshold = (0 &- bound) % bound
            while product.low < threshold {
                product = next().multipliedFullWidth(by: bound)
            }
        }
        return product.high
    }

    /// A number in the closed range.
    mutating func between(_ lower: UInt64, _ upper: UInt64) -> UInt64 {
        precondition(lower <= upper, "empty range \(lower)...\(upper)")
        if upper - lower == UInt64.max { return next() }
        return lower + below(upper - lower + 1)
    }

    /// True with the given probability (0 never, 1 always).
    mutating func chance(_ probability: Double) -> Bool {
        if probability <= 0 { return false }
        if probability >= 1 { return true }
        return Double(next() >> 11) * 0x1p-53 < probability
    }

    /// One element of a non-empty array.
    mutating func pick<Element>(_ elements: [Element]) -> Element {
        precondition(!elements.isEmpty, "pick from an empty array")
        return elements[Int(below(UInt64(elements.count)))]
    }

    /// The array in a random order (Fisher–Yates with this generator).
    mutating func shuffled<Element>(_ elements: [Element]) -> [Element] {
        var result = elements
        var index = result.count - 1
        while index > 0 {
            let other = Int(below(UInt64(index + 1)))
            result.swapAt(index, other)
            index -= 1
        }
        return result
    }

    /// A generator for a sub-system whose draws must not shift when another sub-system draws
    /// more or less (adding a fault kind should not change which client operations run).
    mutating func fork() -> SimulationRandom {
        SimulationRandom(seed: next())
    }

    private func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value << count) | (value >> (64 - count))
    }
}
