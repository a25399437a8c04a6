import Foundation
import SWIM
import Testing

/// Whole clusters from a seed: crashes, loss, partitions and a slow member, against the bounds
/// the settings imply. Figures are printed for the report.
@Suite struct SWIMSimulationTests {
    static let settings = SWIMSettings.lanFast

    /// The longest a crash may take to be known everywhere, from the settings alone: one full
    /// round-robin pass before someone probes the member (every member probes every other
    /// member once per pass), one probe (direct + indirect phase), the longest suspicion, and
    /// the dissemination of the verdict (each update is sent retransmit-limit times, one per
    /// gossip interval at worst, plus a probe interval of slack).
    static func detectionBound(memberCount n: Int, settings: SWIMSettings) -> Duration {
        let pass = settings.probeInterval * (n - 1)
        let probe = settings.probeTimeout * 2
        let suspicion = settings.suspicionTimeoutBounds(memberCount: n).maximum
        let spread = settings.gossipInterval * settings.retransmitLimit(memberCount: n) + settings.probeInterval
        return pass + probe + suspicion + spread
    }

    /// What one crash run measured: per victim, when it was first suspected; per observer and
    /// victim, when the observer declared it failed; and the verdicts against live members.
    struct CrashMeasurement {
        var firstSuspicions: [Double] = []
        var latencies: [Double] = []
        var missing: [String] = []
        var falseFailures = 0
    }

    /// Crashes three members of a converged cluster at once and runs until every live member
    /// declared them failed, or the bound passes.
    static func measureCrash(size: Int, seed: UInt64, hostStaysUp: Bool) -> (CrashMeasurement, bound: Duration) {
        var cluster = SimulatedCluster(size: size, settings: Self.settings, seed: seed)
        cluster.run(for: .seconds(1))
        let crashAt = cluster.now
        let victims = [SWIMNodeID(7), SWIMNodeID(UInt64(size / 2)), SWIMNodeID(UInt64(size - 1))]
        for victim in victims { cluster.crash(victim, hostStaysUp: hostStaysUp) }
        let bound = Self.detectionBound(memberCount: size, settings: Self.settings)
        // Run until every live member knows, or the bound passes.
        while cluster.now < crashAt + bound {
            cluster.run(until: min(cluster.now + .milliseconds(250), crashAt + bound))
            let known = cluster.liveIDs.allSatisfy { observer in
                victims.allSatisfy { cluster.nodes[observer]!.instance.member($0)?.status == .dead }
            }
            if known { break }
        }
        var measured = CrashMeasurement()
        for victim in victims {
            for observer in cluster.liveIDs {
                let failed = cluster.observations.first {
                    $0.observer == observer && $0.event.member.id == victim && $0.event.member.status == .dead
                        && $0.at >= crashAt
                }
                if let failed { measured.latencies.append(seconds(failed.at - crashAt)) } else { measured.missing.append("\(observer) never declared \(victim) failed") }
            }
            if let first = cluster.observations.first(where: { $0.event.member.id == victim && $0.at >= crashAt }) {
                measured.firstSuspicions.append(seconds(first.at - crashAt))
            }
        }
        measured.falseFailures = cluster.observations.filter { !victims.contains($0.event.member.id) && $0.event.member.status == .dead }.count
        measured.latencies.sort()
        return (measured, bound)
    }

    @Test(arguments: SimulationSeeds.sizes(default: [10, 100, 1000]), SimulationSeeds.seeds(default: [1]))
    func everyCrashedMemberIsDeclaredFailedByEveryLiveMemberWithinTheBound(size: Int, seed: UInt64) {
        let (measured, bound) = Self.measureCrash(size: size, seed: seed, hostStaysUp: false)
        #expect(measured.missing.isEmpty, "\(measured.missing.prefix(3)) \(SimulationSeeds.replay(seed, "everyCrashedMember"))")
        #expect(measured.falseFailures == 0, "\(SimulationSeeds.replay(seed, "everyCrashedMember"))")
        let interval = seconds(Self.settings.probeInterval)
        print("""
            SWIM detection (seed \(seed), n=\(size), lanFast): first suspicion mean \(format(mean(measured.firstSuspicions)))s \
            (SWIM paper: first probe after ≈ I·e/(e−1), suspicion a direct and an indirect timeout later: \
            \(format(interval * 1.582 + 2 * seconds(Self.settings.probeTimeout)))s); \
            failed everywhere: median \(format(median(measured.latencies)))s, \
            max \(format(measured.latencies.last ?? 0))s, bound \(format(seconds(bound)))s
            """)
    }

    /// When only the member's process died, its machine answers for the closed ports (ICMP port
    /// unreachable, TCP reset), and the prober needs neither the probe timeout nor the relays:
    /// the suspicion starts a whole probe (direct + indirect timeout) sooner, and the verdict
    /// with it, while the suspicion timeout itself is unchanged.
    @Test(arguments: SimulationSeeds.seeds(default: [11]))
    func aProcessThatDiesOnALiveMachineIsSuspectedAProbeSoonerThanALostMachine(seed: UInt64) {
        let size = 50
        let (refused, _) = Self.measureCrash(size: size, seed: seed, hostStaysUp: true)
        let (silent, _) = Self.measureCrash(size: size, seed: seed, hostStaysUp: false)
        for measured in [refused, silent] {
            #expect(measured.missing.isEmpty, "\(measured.missing.prefix(3)) \(SimulationSeeds.replay(seed, "aProcessThatDies"))")
            #expect(measured.falseFailures == 0, "\(SimulationSeeds.replay(seed, "aProcessThatDies"))")
        }
        let timeout = seconds(Self.settings.probeTimeout)
        #expect(mean(refused.firstSuspicions) <= mean(silent.firstSuspicions) - timeout,
                "\(refused.firstSuspicions) vs \(silent.firstSuspicions). \(SimulationSeeds.replay(seed, "aProcessThatDies"))")
        #expect(median(refused.latencies) < median(silent.latencies), "\(SimulationSeeds.replay(seed, "aProcessThatDies"))")
        print("""
            SWIM crash kind (seed \(seed), n=\(size), lanFast): process died, machine up: first suspicion mean \
            \(format(mean(refused.firstSuspicions)))s, failed everywhere median \(format(median(refused.latencies)))s; \
            machine lost: first suspicion mean \(format(mean(silent.firstSuspicions)))s, \
            failed everywhere median \(format(median(silent.latencies)))s
            """)
    }

    @Test(arguments: SimulationSeeds.seeds(default: [3]))
    func noLiveMemberIsDeclaredFailedUnderTenPercentLoss(seed: UInt64) {
        // Without the TCP fallback, which the simulated loss does not touch and which would
        // otherwise hide every lost datagram.
        var settings = Self.settings
        settings.tcpFallback = false
        var cluster = SimulatedCluster(size: 50, settings: settings, seed: seed)
        cluster.lossRate = 0.10
        cluster.maximumDelay = .milliseconds(10)
        cluster.run(for: .seconds(30))
        let suspicions = cluster.observations.filter { $0.event.member.status == .suspect }.count
        let failures = cluster.observations.filter { $0.event.member.status == .dead }
        #expect(failures.isEmpty, "\(failures.count) false failures. \(SimulationSeeds.replay(seed, "noLiveMember"))")
        let probes = cluster.ids.reduce(0) { $0 + cluster.nodes[$1]!.instance.statistics.probesStarted }
        let failedProbes = cluster.ids.reduce(0) { $0 + cluster.nodes[$1]!.instance.statistics.probesFailed }
        // SWIM's analysis: a probe of a healthy member fails when the direct round trip and
        // all k indirect ones (four datagrams each) lose a datagram.
        let p = cluster.lossRate
        let k = Double(settings.indirectChecks)
        let expected = (1 - (1 - p) * (1 - p)) * pow(1 - pow(1 - p, 4), k)
        print("""
            SWIM 10% loss (seed \(seed), n=50, 30 s, delay 0.2–10 ms, no TCP fallback): \(failedProbes) of \(probes) probes failed \
            (rate \(format(100 * Double(failedProbes) / Double(max(1, probes))))%, SWIM paper expects \(format(100 * expected))%), \
            \(suspicions) suspect events, \(failures.count) false failures
            """)
    }

    @Test(arguments: SimulationSeeds.seeds(default: [4]))
    func membershipConvergesAfterAPartitionHeals(seed: UInt64) {
        let size = 40
        var cluster = SimulatedCluster(size: size, settings: Self.settings, seed: seed)
        cluster.run(for: .seconds(1))
        for id in cluster.ids where id.rawValue % 2 == 0 { cluster.partition[id] = 1 }
        cluster.run(for: .seconds(8))
        let split = cluster.nodes[SWIMNodeID(1)]!.instance.members.filter { $0.status == .dead }.count
        #expect(split == size / 2, "the sides should have declared each other failed. \(SimulationSeeds.replay(seed, "membershipConverges"))")
        cluster.partition = [:]
        let healedAt = cluster.now
        let convergedAt = Self.runUntilConverged(&cluster, step: .milliseconds(500), attempts: 60)
        #expect(convergedAt != nil, "not converged 30 s after healing. \(SimulationSeeds.replay(seed, "membershipConverges"))")
        if let convergedAt { print("SWIM partition heal (seed \(seed), n=\(size)): converged \(format(seconds(convergedAt - healedAt)))s after healing") }
    }

    @Test(arguments: SimulationSeeds.seeds(default: [5]))
    func membersJoiningThroughOneSeedConverge(seed: UInt64) {
        let size = 50
        var cluster = SimulatedCluster(size: size, settings: Self.settings, seed: seed, converged: false)
        for id in cluster.ids.dropFirst() { cluster.join(id, seeds: [SWIMNodeID(1)]) }
        let convergedAt = Self.runUntilConverged(&cluster, step: .milliseconds(250), attempts: 40)
        #expect(convergedAt != nil, "\(SimulationSeeds.replay(seed, "membersJoining"))")
        print("SWIM join (seed \(seed), n=\(size), one seed): converged after \(format(convergedAt.map { seconds($0 - .zero) } ?? -1))s")
    }

    /// A newcomer joins while one member is cut off, so every copy of the news misses it, and
    /// there is no periodic push-pull to fall back on: the member still learns of the newcomer
    /// once the newcomer probes it (an exchange with a sender it never heard of).
    @Test(arguments: SimulationSeeds.seeds(default: [12]))
    func aMemberThatMissedANewcomersNewsLearnsOfItWhenTheNewcomerProbesIt(seed: UInt64) {
        let size = 20
        let cutOff = SWIMNodeID(5)
        let newcomer = SWIMNodeID(UInt64(size))
        var settings = Self.settings
        settings.pushPullInterval = .seconds(600)
        var cluster = SimulatedCluster(size: size, settings: settings, seed: seed, converged: false)
        for id in cluster.ids.dropFirst() where id != newcomer { cluster.join(id, seeds: [SWIMNodeID(1)]) }
        cluster.run(for: .seconds(2))
        cluster.partition[cutOff] = 1
        cluster.join(newcomer, seeds: [SWIMNodeID(1)])
        cluster.run(for: .milliseconds(300))
        #expect(cluster.nodes[cutOff]!.instance.member(newcomer) == nil, "the news reached the cut-off member anyway")
        cluster.partition = [:]
        let healedAt = cluster.now
        let pass = settings.probeInterval * size
        while cluster.now < healedAt + pass * 2, cluster.nodes[cutOff]!.instance.member(newcomer)?.status != .alive {
            cluster.run(for: .milliseconds(50))
        }
        #expect(cluster.nodes[cutOff]!.instance.member(newcomer)?.status == .alive,
                "still unknown two probe passes after healing. \(SimulationSeeds.replay(seed, "aMemberThatMissed"))")
        print("SWIM missed join news (seed \(seed), n=\(size), no periodic push-pull): newcomer known \(format(seconds(cluster.now - healedAt)))s after healing")
    }

    @Test(arguments: SimulationSeeds.seeds(default: [8]))
    func aCrashedMemberThatRestartsIsAliveAgainEverywhere(seed: UInt64) {
        let size = 40
        let phoenix = SWIMNodeID(9)
        var cluster = SimulatedCluster(size: size, settings: Self.settings, seed: seed)
        cluster.run(for: .seconds(1))
        cluster.crash(phoenix)
        cluster.run(for: Self.detectionBound(memberCount: size, settings: Self.settings))
        #expect(cluster.liveIDs.allSatisfy { cluster.nodes[$0]!.instance.member(phoenix)?.status == .dead },
                "\(SimulationSeeds.replay(seed, "aCrashedMemberThatRestarts"))")
        // A fresh process: incarnation 0, below the one the cluster saw die.
        cluster.restart(phoenix, incarnation: 0, seeds: [SWIMNodeID(1)], settings: Self.settings, seed: seed &+ 1000)
        let restartedAt = cluster.now
        let convergedAt = Self.runUntilConverged(&cluster, step: .milliseconds(250), attempts: 40)
        #expect(convergedAt != nil, "\(SimulationSeeds.replay(seed, "aCrashedMemberThatRestarts"))")
        #expect(cluster.nodes[phoenix]!.instance.myself.incarnation > 0)
        if let convergedAt {
            print("SWIM restart (seed \(seed), n=\(size)): alive again everywhere \(format(seconds(convergedAt - restartedAt)))s after restarting")
        }
    }

    @Test(arguments: SimulationSeeds.seeds(default: [6]))
    func aLeavingMemberIsSeenAsLeftByEveryone(seed: UInt64) {
        var cluster = SimulatedCluster(size: 30, settings: Self.settings, seed: seed)
        cluster.run(for: .seconds(1))
        cluster.leave(SWIMNodeID(3))
        cluster.run(for: .seconds(1))
        cluster.crash(SWIMNodeID(3))
        cluster.run(for: .seconds(2))
        for observer in cluster.liveIDs {
            #expect(cluster.nodes[observer]!.instance.member(SWIMNodeID(3))?.status == .left,
                    "\(observer) does not see 3 as left. \(SimulationSeeds.replay(seed, "aLeavingMember"))")
        }
        #expect(!cluster.observations.contains { $0.event.member.id == SWIMNodeID(3) && $0.event.member.status == .dead })
    }

    /// The Lifeguard paper's experiment in small: one member handles its datagrams up to
    /// 600 ms late (as under CPU starvation). Without Lifeguard it keeps accusing healthy
    /// members, and the accusations reach everyone; with it, its own failed probes raise its
    /// local health multiplier, so it slows down and waits longer before accusing.
    @Test(arguments: SimulationSeeds.seeds(default: [7]))
    func aSlowMemberCausesFarFewerFalseSuspicionsWithLifeguard(seed: UInt64) {
        let slow = SWIMNodeID(5)
        struct Alarms { var healthySuspected = 0, slowSuspected = 0, failures = 0, bySlow = 0, probes = 0, slowHealth = 0 }
        func falseAlarms(lifeguard: Bool) -> Alarms {
            var settings = Self.settings
            settings.lifeguard = lifeguard
            var cluster = SimulatedCluster(size: 32, settings: settings, seed: seed)
            cluster.nodes[slow]!.slowness = .milliseconds(600)
            cluster.run(for: .seconds(30))
            var alarms = Alarms()
            for observation in cluster.observations {
                switch observation.event.member.status {
                case .suspect:
                    if observation.event.member.id == slow { alarms.slowSuspected += 1 } else { alarms.healthySuspected += 1 }
                    if observation.observer == slow { alarms.bySlow += 1 }
                case .dead: alarms.failures += 1
                default: break
                }
            }
            alarms.probes = cluster.ids.reduce(0) { $0 + cluster.nodes[$1]!.instance.statistics.probesStarted }
            alarms.slowHealth = cluster.nodes[slow]!.instance.localHealth
            return alarms
        }
        let with = falseAlarms(lifeguard: true)
        let without = falseAlarms(lifeguard: false)
        for (name, alarms) in [("with Lifeguard", with), ("without", without)] {
            print("""
                SWIM slow member (seed \(seed), n=32, 30 s, one member up to 600 ms late) \(name): \
                suspect events about healthy members \(alarms.healthySuspected), raised by the slow member \(alarms.bySlow), \
                about the slow member \(alarms.slowSuspected), false failures \(alarms.failures), \
                probes \(alarms.probes), slow member's health score \(alarms.slowHealth)
                """)
        }
        #expect(with.healthySuspected * 4 <= without.healthySuspected, "\(SimulationSeeds.replay(seed, "aSlowMember"))")
        #expect(with.failures <= without.failures, "\(SimulationSeeds.replay(seed, "aSlowMember"))")
    }

    /// Runs in steps until every live member agrees on the membership; the instant it did, or
    /// nil when `attempts` steps were not enough.
    static func runUntilConverged(_ cluster: inout SimulatedCluster, step: Duration, attempts: Int) -> SWIMInstant? {
        for _ in 0..<attempts {
            cluster.run(for: step)
            if isConverged(cluster) { return cluster.now }
        }
        return nil
    }

    static func isConverged(_ cluster: SimulatedCluster) -> Bool {
        let live = Set(cluster.liveIDs)
        for id in live {
            let instance = cluster.nodes[id]!.instance
            let alive = Set(instance.members.filter { $0.status == .alive }.map(\.id))
            if alive != live.subtracting([id]) { return false }
        }
        return true
    }
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func mean(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count) }

/// The middle value of sorted `values` (0 for none).
func median(_ values: [Double]) -> Double { values.isEmpty ? 0 : values.sorted()[values.count / 2] }

func format(_ value: Double) -> String {
    let scaled = (value * 100).rounded() / 100
    return "\(scaled)"
}
