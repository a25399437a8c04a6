import SWIM
import Testing

@Suite struct SWIMProbeTests {
    @Test func roundRobinProbesEveryMemberOncePerPass() throws {
        var driver = Driver(instance: Fixture.instance(others: 9))
        for _ in 0..<3 {
            var targets: [SWIMNodeID] = []
            for _ in 0..<9 {
                let ping = try driver.nextPing()
                targets.append(ping.target)
                _ = driver.ack(ping.sequence, from: ping.target.rawValue)
            }
            #expect(Set(targets) == Set((2...10).map { SWIMNodeID($0) }))
            #expect(targets.count == 9)
        }
    }

    @Test func aMemberThatJoinsMidPassIsProbedWithinTwoPasses() throws {
        var driver = Driver(instance: Fixture.instance(others: 5))
        let first = try driver.nextPing()
        _ = driver.ack(first.sequence, from: first.target.rawValue)
        _ = driver.receive(Fixture.gossip([Fixture.alive(40)]), from: 2)
        var targets: [SWIMNodeID] = []
        for _ in 0..<10 {
            let ping = try driver.nextPing()
            targets.append(ping.target)
            _ = driver.ack(ping.sequence, from: ping.target.rawValue)
        }
        #expect(targets.contains(SWIMNodeID(40)))
    }

    @Test func aSilentTargetIsProbedIndirectlyThroughKOtherMembersAndOverTCP() throws {
        var driver = Driver(instance: Fixture.instance(others: 9))
        let ping = try driver.nextPing()
        let directives = driver.tick(until: driver.now + .milliseconds(50))
        let requests = directives.pingRequests
        #expect(requests.count == 3)
        #expect(Set(requests.map(\.to)).count == 3)
        #expect(!requests.contains { $0.to == Fixture.address(ping.target.rawValue) || $0.to == Fixture.address(1) })
        #expect(requests.allSatisfy { $0.sequence == ping.sequence && $0.target == ping.target && $0.wantsNack })
        #expect(directives.contains {
            if case .probeOverTCP(let sequence, let target, _, _) = $0 { sequence == ping.sequence && target == ping.target } else { false }
        })
        // A relay forwards the target's ack: no suspicion follows.
        _ = driver.ack(ping.sequence, from: 5)
        let later = driver.tick(until: driver.now + .milliseconds(200))
        #expect(!later.events.contains { $0.member.id == ping.target })
    }

    @Test func aTargetReachableOnlyOverTCPIsNotSuspected() throws {
        var driver = Driver(instance: Fixture.instance(others: 4))
        let ping = try driver.nextPing()
        _ = driver.tick(until: driver.now + .milliseconds(60))
        _ = driver.instance.onTCPFallbackResult(sequence: ping.sequence, target: ping.target, outcome: .acknowledged, now: driver.now)
        let later = driver.tick(until: driver.now + .milliseconds(200))
        #expect(!later.events.contains { $0.member.id == ping.target })
        #expect(driver.instance.member(ping.target)?.status == .alive)
    }

    @Test func aDirectPingRefusedByTheTargetsHostStartsTheIndirectPhaseWithoutWaiting() throws {
        var driver = Driver(instance: Fixture.instance(others: 9))
        let ping = try driver.nextPing()
        let directives = driver.instance.onDatagramRefused(by: Fixture.address(ping.target.rawValue), now: driver.now)
        #expect(directives.pingRequests.count == 3)
        #expect(directives.contains {
            if case .probeOverTCP(let sequence, let target, _, _) = $0 { sequence == ping.sequence && target == ping.target } else { false }
        })
        // A refusal is not evidence enough on its own: the target is not suspected yet.
        #expect(!directives.events.contains { $0.member.id == ping.target })
        #expect(driver.instance.member(ping.target)?.status == .alive)
    }

    @Test func aRefusalConcerningAnotherAddressChangesNothing() throws {
        var driver = Driver(instance: Fixture.instance(others: 9))
        let ping = try driver.nextPing()
        let other = ping.target.rawValue == 2 ? 3 : 2
        #expect(driver.instance.onDatagramRefused(by: Fixture.address(UInt64(other)), now: driver.now).isEmpty)
        #expect(driver.instance.onDatagramRefused(by: Fixture.address(1), now: driver.now).isEmpty)
    }

    @Test func aRefusedTCPFallbackMakesTheTargetSuspectAtOnceWithoutLoweringLocalHealth() throws {
        var driver = Driver(instance: Fixture.instance(others: 9))
        let ping = try driver.nextPing()
        _ = driver.instance.onDatagramRefused(by: Fixture.address(ping.target.rawValue), now: driver.now)
        let verdict = driver.instance.onTCPFallbackResult(sequence: ping.sequence, target: ping.target, outcome: .refused, now: driver.now)
        #expect(verdict.events.contains { $0.member.id == ping.target && $0.member.status == .suspect })
        #expect(driver.instance.member(ping.target)?.status == .suspect)
        #expect(driver.instance.localHealth == 0)
        #expect(driver.instance.statistics.probesRefused == 1)
    }

    @Test func aFallbackWithoutAnAnswerLeavesTheVerdictToTheProbeTimeout() throws {
        var driver = Driver(instance: Fixture.instance(others: 9))
        let ping = try driver.nextPing()
        _ = driver.tick(until: driver.now + .milliseconds(60))
        #expect(driver.instance.onTCPFallbackResult(sequence: ping.sequence, target: ping.target, outcome: .noAnswer, now: driver.now).isEmpty)
        #expect(driver.instance.member(ping.target)?.status == .alive)
        // A refusal for an older probe's sequence is ignored too.
        #expect(driver.instance.onTCPFallbackResult(sequence: ping.sequence &- 1, target: ping.target, outcome: .refused, now: driver.now).isEmpty)
        #expect(driver.instance.member(ping.target)?.status == .alive)
    }

    @Test func aMemberStillUnknownTwoProbeIntervalsAfterItsFirstDatagramGetsOneStateExchange() throws {
        var driver = Driver(instance: Fixture.instance(others: 4))
        let interval = driver.instance.settings.probeInterval
        let stranger = SWIMMessage(sender: SWIMNodeID(40), payload: .ping(sequence: 9, target: SWIMNodeID(1)))
        let isExchangeWith40: (SWIMDirective) -> Bool = {
            if case .pushPull(let address, _, false) = $0 { address == Fixture.address(40) } else { false }
        }
        // Not at once: the news of a newcomer usually arrives by gossip within that time.
        #expect(!driver.receive(stranger, from: 40).contains(where: isExchangeWith40))
        #expect(!driver.tick(until: driver.now + interval).contains(where: isExchangeWith40))
        #expect(driver.tick(until: driver.now + interval + .milliseconds(10)).contains(where: isExchangeWith40))
        // Only once.
        _ = driver.receive(stranger, from: 40)
        #expect(!driver.tick(until: driver.now + interval * 3).contains(where: isExchangeWith40))
    }

    @Test func aSenderWhoseNewsArrivesMeanwhileNeedsNoExchange() throws {
        var driver = Driver(instance: Fixture.instance(others: 4))
        let interval = driver.instance.settings.probeInterval
        _ = driver.receive(SWIMMessage(sender: SWIMNodeID(40), payload: .ping(sequence: 9, target: SWIMNodeID(1))), from: 40)
        _ = driver.receive(Fixture.gossip([Fixture.alive(40)]), from: 2)
        #expect(!driver.tick(until: driver.now + interval * 3).contains {
            if case .pushPull(let address, _, false) = $0 { address == Fixture.address(40) } else { false }
        })
    }

    @Test func aRelayForwardsTheTargetsAckOrSendsANackWhenItStaysSilent() throws {
        var driver = Driver(instance: Fixture.instance(others: 4))
        let request = SWIMMessage(sender: SWIMNodeID(2), payload: .pingRequest(
            sequence: 77, target: SWIMNodeID(3), address: Fixture.address(3), wantsNack: true))
        let relayed = try #require(driver.receive(request, from: 2).pings.first)
        #expect(relayed.target == SWIMNodeID(3) && relayed.to == Fixture.address(3))
        let forwarded = driver.ack(relayed.sequence, from: 3).sent
        #expect(forwarded.count == 1 && forwarded[0].to == Fixture.address(2))
        #expect(forwarded.first?.message.payload == .ack(sequence: 77))

        let second = SWIMMessage(sender: SWIMNodeID(2), payload: .pingRequest(
            sequence: 78, target: SWIMNodeID(4), address: Fixture.address(4), wantsNack: true))
        _ = driver.receive(second, from: 2)
        let nacks = driver.tick(until: driver.now + .milliseconds(45)).sent.filter { $0.message.payload == .nack(sequence: 78) }
        #expect(nacks.count == 1 && nacks.first?.to == Fixture.address(2))
    }

    @Test func aPingForAnotherMemberIsNotAnswered() {
        var driver = Driver(instance: Fixture.instance(others: 2))
        let wrong = SWIMMessage(sender: SWIMNodeID(2), payload: .ping(sequence: 5, target: SWIMNodeID(9)))
        #expect(driver.receive(wrong, from: 2).sent.isEmpty)
        let right = SWIMMessage(sender: SWIMNodeID(2), payload: .ping(sequence: 5, target: SWIMNodeID(1)))
        #expect(driver.receive(right, from: 2).sent.first?.message.payload == .ack(sequence: 5))
    }

    @Test func localHealthRisesWithEachMissedNackAndFallsOnAcks() throws {
        var driver = Driver(instance: Fixture.instance(others: 9))
        #expect(driver.instance.localHealth == 0)
        // No ack and no nack from the 3 relays: +1 for each missed nack (memberlist's rule: when
        // relays were asked, the failure itself adds nothing).
        let failed = try driver.nextPing()
        var suspected = false
        var next: (sequence: UInt32, target: SWIMNodeID)?
        while !suspected {
            now(&driver)
            let directives = driver.instance.onTick(now: driver.now)
            suspected = directives.events.contains { $0.member.id == failed.target && $0.member.status == .suspect }
            // The next probe starts at once, in the same tick.
            next = directives.pings.first.map { ($0.sequence, $0.target) }
        }
        #expect(driver.instance.localHealth == 3)
        #expect(driver.instance.currentProbeInterval == .milliseconds(400))
        #expect(driver.instance.currentProbeTimeout == .milliseconds(200))

        // Probes are now spaced by the scaled interval, and each ack lowers the score by one.
        let started = try #require(next)
        var starts: [SWIMInstant] = [driver.now]
        _ = driver.ack(started.sequence, from: started.target.rawValue)
        for _ in 0..<2 {
            let ping = try driver.nextPing()
            starts.append(driver.now)
            _ = driver.ack(ping.sequence, from: ping.target.rawValue)
        }
        #expect(driver.instance.localHealth == 0)
        #expect(starts[2] - starts[1] == .milliseconds(300))
        #expect(starts[1] - starts[0] == .milliseconds(400))
    }

    /// Every relay answered "no answer from the target": this member hears the others fine, so
    /// the failure is the target's alone and local health is untouched.
    @Test func nacksFromRelaysSpareLocalHealth() throws {
        var driver = Driver(instance: Fixture.instance(others: 9))
        let ping = try driver.nextPing()
        let requests = driver.tick(until: driver.now + .milliseconds(50)).pingRequests
        #expect(requests.count == 3)
        for request in requests {
            _ = driver.instance.onMessage(SWIMMessage(sender: SWIMNodeID(0), payload: .nack(sequence: ping.sequence)),
                                          from: request.to, now: driver.now)
        }
        _ = driver.tick(until: driver.now + .milliseconds(50))
        #expect(driver.instance.localHealth == 0)
    }

    @Test func localHealthSaturatesAtTheMaximumMultiplier() throws {
        var driver = Driver(instance: Fixture.instance(others: 9))
        _ = driver.tick(until: driver.now + .seconds(20))
        #expect(driver.instance.localHealth == SWIMSettings.lanFast.awarenessMaxMultiplier - 1)
    }

    @Test func withoutLifeguardLocalHealthStaysAtZeroAndNoNackIsAsked() throws {
        var settings = SWIMSettings.lanFast
        settings.lifeguard = false
        var driver = Driver(instance: Fixture.instance(others: 9, settings: settings))
        _ = try driver.nextPing()
        let requests = driver.tick(until: driver.now + .milliseconds(50)).pingRequests
        #expect(!requests.isEmpty && requests.allSatisfy { !$0.wantsNack })
        _ = driver.tick(until: driver.now + .seconds(2))
        #expect(driver.instance.localHealth == 0)
    }

    private func now(_ driver: inout Driver) {
        driver.now = max(driver.now, driver.instance.nextDeadline)
    }
}
