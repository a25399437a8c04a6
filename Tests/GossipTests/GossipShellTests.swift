import Foundation
import Gossip
import Platform
import SWIM
import Sodium
import Testing

/// A few real agents on loopback: joining, leaving, restarting, and key rotation.
@Suite struct GossipShellTests {
    @Test func twoAgentsJoinAndEachHearsAJoinedEvent() async throws {
        let keyring = GossipKeyring.generated()
        let first = try GossipShell.start(settings: GossipTestSupport.settings(1, keyring: keyring))
        let events = first.events()
        let second = try GossipShell.start(settings: GossipTestSupport.settings(2, keyring: keyring, join: [first.address]))
        var iterator = events.makeAsyncIterator()
        let event = await iterator.next()
        #expect(event == .joined(first.members.first { $0.id == second.nodeID } ?? second.localMember))
        #expect(await GossipTestSupport.waitFor(within: .seconds(10)) { GossipTestSupport.converged([first, second]) } != nil)
        #expect(second.hasJoined)
        #expect(first.members.first?.metadata.nodeName == "agent-2")
        // The join itself goes over TCP; the first probe over UDP follows within a probe interval.
        #expect(await GossipTestSupport.waitFor(within: .seconds(10)) { first.statistics.packetsReceived > 0 } != nil)
        #expect(first.statistics.droppedTotal == 0)
        await GossipTestSupport.stopAll([first, second])
    }

    @Test func aGracefulLeaveIsSeenAsLeftNotFailed() async throws {
        let shells = try GossipTestSupport.startCluster(count: 4, keyring: .generated())
        #expect(await GossipTestSupport.waitFor(within: .seconds(15)) { GossipTestSupport.converged(shells) } != nil)
        let leaver = shells[3]
        await leaver.leave()
        let seen = await GossipTestSupport.waitFor(within: .seconds(10)) {
            shells.prefix(3).allSatisfy { $0.members.first { $0.id == leaver.nodeID }?.status == .left }
        }
        #expect(seen != nil, "not every member saw the leave")
        await GossipTestSupport.stopAll(Array(shells.prefix(3)))
    }

    @Test func keysRotateWithoutAnyMemberBeingDeclaredFailed() async throws {
        let old = XChaCha20Poly1305.generateKey(), new = XChaCha20Poly1305.generateKey()
        let shells = try GossipTestSupport.startCluster(count: 3, keyring: try GossipKeyring(primary: old))
        #expect(await GossipTestSupport.waitFor(within: .seconds(15)) { GossipTestSupport.converged(shells) } != nil)
        var failures: [Task<Int, Never>] = []
        for shell in shells {
            let events = shell.events()
            failures.append(Task { await events.reduce(0) { count, event in event.member.status == .dead ? count + 1 : count } })
        }
        // The operator's sequence: install everywhere, then use everywhere, then remove everywhere.
        for shell in shells { try shell.installKey(new) }
        for shell in shells {
            try shell.useKey(new)
            let before = shells.map(\.statistics.packetsReceived)
            // Gossip goes on between each step: every member keeps receiving packets it can open.
            #expect(await GossipTestSupport.waitFor(within: .seconds(5)) {
                zip(shells, before).allSatisfy { $0.statistics.packetsReceived > $1 + 5 }
            } != nil)
        }
        for shell in shells { try shell.removeKey(old) }
        let afterRemoval = shells.map(\.statistics.packetsReceived)
        #expect(await GossipTestSupport.waitFor(within: .seconds(5)) {
            zip(shells, afterRemoval).allSatisfy { $0.statistics.packetsReceived > $1 + 5 }
        } != nil)
        #expect(GossipTestSupport.converged(shells))
        #expect(shells.allSatisfy { $0.keyring.keys == [new] })
        #expect(shells.allSatisfy { $0.statistics.dropped(.authenticationFailed) == 0 })
        await GossipTestSupport.stopAll(shells)
        for failure in failures { #expect(await failure.value == 0) }
    }

    @Test func anAgentRestartedWithItsDataDirectoryRejoinsTheMembersItRemembers() async throws {
        let keyring = GossipKeyring.generated()
        let directory = try GossipTestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let seed = try GossipShell.start(settings: GossipTestSupport.settings(1, keyring: keyring))
        let other = try GossipShell.start(settings: GossipTestSupport.settings(2, keyring: keyring, join: [seed.address]))
        var restartable = try GossipShell.start(
            settings: GossipTestSupport.settings(3, keyring: keyring, join: [seed.address], dataDirectory: directory))
        #expect(await GossipTestSupport.waitFor(within: .seconds(15)) { GossipTestSupport.converged([seed, other, restartable]) } != nil)
        // The remembered list is written within a second of a change.
        let membersFile = directory + "/gossip-members"
        #expect(await GossipTestSupport.waitFor(within: .seconds(5)) {
            (FileManager.default.contents(atPath: membersFile)?.count ?? 0) > 0
        } != nil)
        let port = restartable.address.port
        await restartable.stop()
        // No -join this time: only the data directory says where the cluster is.
        var settings = GossipTestSupport.settings(3, keyring: keyring, dataDirectory: directory)
        settings.port = Int(port)
        restartable = try GossipShell.start(settings: settings)
        let rejoined = await GossipTestSupport.waitFor(within: .seconds(15)) {
            GossipTestSupport.converged([seed, other, restartable]) && restartable.hasJoined
        }
        #expect(rejoined != nil)
        #expect(restartable.localMember.incarnation > 0, "a restarted agent comes back with a higher incarnation")
        await GossipTestSupport.stopAll([seed, other, restartable])
    }
}
