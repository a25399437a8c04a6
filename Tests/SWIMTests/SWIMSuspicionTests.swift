import SWIM
import Foundation
import Testing

@Suite struct SWIMSuspicionTests {
    /// Lifeguard's formula, written independently of the implementation.
    static func expectedTimeout(n: Int, confirmations: Int, k: Int, settings: SWIMSettings = .lanFast) -> Double {
        let interval = Double(settings.probeInterval.components.attoseconds) / 1e18
            + Double(settings.probeInterval.components.seconds)
        let minimum = Double(settings.suspicionMultiplier) * max(1, log10(Double(n))) * interval
        let maximum = Double(settings.suspicionMaxTimeoutMultiplier) * minimum
        return max(minimum, maximum - (maximum - minimum) * log(Double(confirmations + 1)) / log(Double(k + 1)))
    }

    @Test func anUnansweredSuspicionBecomesAFailureAtTheMaximumTimeout() throws {
        var driver = Driver(instance: Fixture.instance(others: 9))
        _ = driver.receive(Fixture.gossip([Fixture.fact(.suspect, 4, incarnation: 0, reporter: 2)]), from: 2)
        #expect(driver.instance.member(SWIMNodeID(4))?.status == .suspect)
        let deadline = try #require(driver.instance.suspicionDeadline(of: SWIMNodeID(4)))
        #expect(abs(seconds(deadline - .zero) - Self.expectedTimeout(n: 10, confirmations: 0, k: 2)) < 1e-6)
        let before = driver.tick(until: deadline + .nanoseconds(-1))
        #expect(!before.events.contains { $0.member.id == SWIMNodeID(4) && $0.member.status == .dead })
        let after = driver.tick(until: deadline)
        #expect(after.events.contains { $0.member.id == SWIMNodeID(4) && $0.member.status == .dead })
        #expect(driver.instance.member(SWIMNodeID(4))?.status == .dead)
        // The verdict is disseminated, not only kept.
        let reply = driver.receive(SWIMMessage(sender: SWIMNodeID(2), payload: .ping(sequence: 1, target: SWIMNodeID(1))), from: 2)
        #expect(reply.sent.first?.message.gossip.contains { $0.member == SWIMNodeID(4) && $0.status == .dead } == true)
    }

    @Test func independentConfirmationsShortenTheTimeoutLogarithmically() throws {
        var driver = Driver(instance: Fixture.instance(others: 9))
        _ = driver.receive(Fixture.gossip([Fixture.fact(.suspect, 4, incarnation: 0, reporter: 2)]), from: 2)
        var deadlines: [Double] = []
        for reporter: UInt64 in [3, 3, 5, 6, 7] {
            _ = driver.receive(Fixture.gossip([Fixture.fact(.suspect, 4, incarnation: 0, reporter: reporter)]), from: reporter)
            deadlines.append(seconds(try #require(driver.instance.suspicionDeadline(of: SWIMNodeID(4))) - .zero))
        }
        // A repeated reporter (3) does not count twice; past k = suspicionMultiplier − 2 = 2
        // (memberlist's rule) nothing changes.
        let expected = [1, 1, 2, 3, 3].map { Self.expectedTimeout(n: 10, confirmations: $0, k: 2) }
        for (got, want) in zip(deadlines, expected) { #expect(abs(got - want) < 1e-6, "\(deadlines) vs \(expected)") }
        #expect(deadlines[2] == seconds(SWIMSettings.lanFast.suspicionTimeoutBounds(memberCount: 10).minimum))
    }

    @Test func withoutLifeguardTheTimeoutIsFixedAtTheMinimum() throws {
        var settings = SWIMSettings.lanFast
        settings.lifeguard = false
        var driver = Driver(instance: Fixture.instance(others: 9, settings: settings))
        _ = driver.receive(Fixture.gossip([Fixture.fact(.suspect, 4, incarnation: 0, reporter: 2)]), from: 2)
        let deadline = try #require(driver.instance.suspicionDeadline(of: SWIMNodeID(4)))
        #expect(deadline - .zero == settings.suspicionTimeoutBounds(memberCount: 10).minimum)
    }

    @Test func aMemberRefutesASuspicionAboutItselfWithAHigherIncarnation() throws {
        var driver = Driver(instance: Fixture.instance(others: 3))
        _ = driver.receive(Fixture.gossip([Fixture.fact(.suspect, 1, incarnation: 0, reporter: 2)]), from: 2)
        #expect(driver.instance.myself.incarnation == 1)
        #expect(driver.instance.myself.status == .alive)
        #expect(driver.instance.localHealth == 1)
        let reply = driver.receive(SWIMMessage(sender: SWIMNodeID(2), payload: .ping(sequence: 1, target: SWIMNodeID(1))), from: 2)
        let refutation = try #require(reply.sent.first?.message.gossip.first { $0.member == SWIMNodeID(1) })
        #expect(refutation.status == .alive && refutation.incarnation == 1)
        // A stale suspicion (older incarnation) is ignored.
        _ = driver.receive(Fixture.gossip([Fixture.fact(.suspect, 1, incarnation: 0, reporter: 3)]), from: 3)
        #expect(driver.instance.myself.incarnation == 1)
    }

    @Test func aHigherIncarnationClearsASuspicionAndAnEqualOneDoesNot() {
        var driver = Driver(instance: Fixture.instance(others: 3))
        _ = driver.receive(Fixture.gossip([Fixture.fact(.suspect, 3, incarnation: 0, reporter: 2)]), from: 2)
        _ = driver.receive(Fixture.gossip([Fixture.alive(3, incarnation: 0)]), from: 3)
        #expect(driver.instance.member(SWIMNodeID(3))?.status == .suspect)
        let events = driver.receive(Fixture.gossip([Fixture.alive(3, incarnation: 1)]), from: 3).events
        #expect(events.count == 1)
        #expect(events.first == .alive(driver.instance.member(SWIMNodeID(3))!))
        #expect(driver.instance.suspicionDeadline(of: SWIMNodeID(3)) == nil)
    }

    @Test func aSenderOfAnOutdatedSuspicionIsToldOfTheRefutation() throws {
        var driver = Driver(instance: Fixture.instance(others: 4))
        _ = driver.receive(Fixture.gossip([Fixture.alive(3, incarnation: 2)]), from: 3)
        let reply = driver.receive(Fixture.gossip([Fixture.fact(.suspect, 3, incarnation: 1, reporter: 4)], from: 4), from: 4).sent
        #expect(reply.count == 1 && reply.first?.to == Fixture.address(4))
        #expect(reply.first?.message.gossip.map { "\($0.member) \($0.status) \($0.incarnation)" } == ["3 alive 2"])
        // Current news gets no reply.
        #expect(driver.receive(Fixture.gossip([Fixture.fact(.suspect, 3, incarnation: 2, reporter: 4)], from: 4), from: 4).sent.isEmpty)
    }

    @Test func theBuddySystemTellsASuspectedMemberOnTheNextPing() throws {
        var driver = Driver(instance: Fixture.instance(others: 2))
        _ = driver.receive(Fixture.gossip([Fixture.fact(.suspect, 3, incarnation: 0, reporter: 2)]), from: 2)
        // Drain the queue so that only the buddy entry could carry the news.
        for sequence in 0..<40 { _ = driver.receive(SWIMMessage(sender: SWIMNodeID(2), payload: .ping(sequence: UInt32(sequence), target: SWIMNodeID(1))), from: 2) }
        #expect(driver.instance.pendingGossipCount == 0)
        for _ in 0..<4 {
            let ping = try driver.nextPing()
            if ping.target == SWIMNodeID(3) {
                let first = try #require(ping.directives.pings.first?.message.gossip.first)
                #expect(first.member == SWIMNodeID(3) && first.status == .suspect)
                return
            }
            _ = driver.ack(ping.sequence, from: ping.target.rawValue)
        }
        Issue.record("member 3 was never probed")
    }

    @Test func aFailedMemberIsForgottenAfterTheRetention() {
        var driver = Driver(instance: Fixture.instance(others: 3))
        _ = driver.receive(Fixture.gossip([Fixture.fact(.dead, 3, incarnation: 0, reporter: 2)]), from: 2)
        #expect(driver.instance.member(SWIMNodeID(3))?.status == .dead)
        // Keep the others answering so nothing else changes.
        var now = driver.now
        while now < SWIMInstant.zero + SWIMSettings.lanFast.deadMemberRetention + .seconds(1) {
            now = driver.instance.nextDeadline
            driver.now = now
            for ping in driver.instance.onTick(now: now).pings { _ = driver.ack(ping.sequence, from: ping.target.rawValue) }
        }
        #expect(driver.instance.member(SWIMNodeID(3)) == nil)
        #expect(driver.instance.member(SWIMNodeID(2))?.status == .alive)
    }
}
