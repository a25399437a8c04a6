import Raft
import Testing

/// The simulation must be able to fail: each test breaks one rule of the shell on purpose and
/// requires that some seed of a small range is caught by the check that guards the rule — and
/// that the same seed passes with the rule kept, so it is the breakage that was caught.
@Suite struct SimulationBreakageTests {
    static let safety: Set<String> = ["election safety", "log matching", "leader completeness", "state-machine safety"]

    /// The first seed in `seeds` whose run with `breakage` fails one of `properties`.
    func firstCaught(_ breakage: SimulationBreakage, by properties: Set<String>, in seeds: ClosedRange<UInt64>) -> (seed: UInt64, violation: String)? {
        for seed in seeds {
            var scenario = SimulationScenario(seed: seed)
            scenario.breakage = breakage
            do {
                try SimulationCluster(scenario: scenario).run()
            } catch let violation as SimulationInvariants.Violation where properties.contains(violation.property) {
                print("\(breakage) caught at seed \(seed): \(violation.property)")
                return (seed, violation.description)
            } catch {
                continue
            }
        }
        return nil
    }

    func passesUnbroken(_ seed: UInt64) -> Bool {
        (try? SimulationCluster(scenario: SimulationScenario(seed: seed)).run()) != nil
    }

    @Test func readsServedWithoutReadIndexAreCaughtByTheLinearizabilityCheck() {
        let caught = firstCaught(.staleReads, by: ["linearizability"], in: 1...20)
        #expect(caught != nil, "stale reads went unnoticed on 20 seeds")
        if let caught { #expect(passesUnbroken(caught.seed), "seed \(caught.seed) fails even with ReadIndex") }
    }

    @Test func readIndexReadsAnsweredBeforeTheStoreCatchesUpAreCaughtByTheLinearizabilityCheck() {
        let caught = firstCaught(.readBeforeApplied, by: ["linearizability"], in: 1...60)
        #expect(caught != nil, "early ReadIndex answers went unnoticed on 60 seeds")
        if let caught { #expect(passesUnbroken(caught.seed)) }
    }

    @Test func aShellThatNeverFsyncsIsCaughtByTheSafetyInvariants() {
        let caught = firstCaught(.skipSync, by: Self.safety, in: 1...80)
        #expect(caught != nil, "a shell without fsync went unnoticed on 80 seeds")
        if let caught { #expect(passesUnbroken(caught.seed)) }
    }

    @Test func aShellThatSendsBeforeItsWritesAreSyncedIsCaughtByTheSafetyInvariants() {
        let caught = firstCaught(.sendBeforeSync, by: Self.safety, in: 1...120)
        #expect(caught != nil, "sending before the sync went unnoticed on 120 seeds")
        if let caught { #expect(passesUnbroken(caught.seed)) }
    }
}
