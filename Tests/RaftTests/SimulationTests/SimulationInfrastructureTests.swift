import Raft
import Testing

@Suite struct SimulationInfrastructureTests {
    @Test func theSameSeedGivesTheSameSequenceAndAnotherSeedAnother() {
        var a = SimulationRandom(seed: 42)
        var b = SimulationRandom(seed: 42)
        var c = SimulationRandom(seed: 43)
        let first = (0..<8).map { _ in a.next() }
        #expect(first == (0..<8).map { _ in b.next() })
        #expect(first != (0..<8).map { _ in c.next() })
        var bounded = SimulationRandom(seed: 7)
        for _ in 0..<1_000 {
            #expect(bounded.below(3) < 3)
            let value = bounded.between(5, 9)
            #expect((5...9).contains(value))
        }
    }

    @Test func eventsFireInTimeOrderAndTiesInTheOrderTheyWereScheduled() {
        var queue = SimulationEventQueue<String>()
        queue.schedule(after: 5, "late")
        queue.schedule(after: 1, "first")
        queue.schedule(after: 5, "late-second")
        queue.schedule(after: 3, "middle")
        var fired: [String] = []
        while let (_, event) = queue.next() { fired.append(event) }
        #expect(fired == ["first", "middle", "late", "late-second"])
        #expect(queue.now == 5)
    }

    @Test func aPartitionSwallowsMessagesUntilItHealsAndAOneWayCutLetsRepliesThrough() {
        var network = SimulationNetwork(faults: .calm, random: SimulationRandom(seed: 1))
        let one = RaftNodeID(1), two = RaftNodeID(2), three = RaftNodeID(3)
        network.partition([one], from: [two, three])
        #expect(network.deliveryDelays(from: one, to: two).isEmpty)
        #expect(network.deliveryDelays(from: three, to: one).isEmpty)
        #expect(network.deliveryDelays(from: two, to: three).count == 1)
        network.heal()
        #expect(network.deliveryDelays(from: one, to: two).count == 1)
        network.cutOneWay(from: [one], to: [two])
        #expect(!network.canDeliver(from: one, to: two))
        #expect(network.canDeliver(from: two, to: one))
    }

    @Test func aCrashKeepsSyncedWritesAndLosesOrTearsTheUnsyncedBatch() {
        var disk = SimulationDisk()
        disk.write(.hardState(HardState(term: 1, vote: RaftNodeID(1), commit: 0)))
        disk.write(.entries([LogEntry(term: 1, index: 1), LogEntry(term: 1, index: 2)]))
        disk.sync()
        disk.write(.hardState(HardState(term: 2, vote: RaftNodeID(2), commit: 1)))
        disk.write(.entries((3...6).map { LogEntry(term: 2, index: $0) }))
        #expect(disk.current.lastIndex == 6)
        var random = SimulationRandom(seed: 3)
        var untorn = disk
        untorn.crash(random: &random, tearing: false)
        #expect(untorn.durable.hardState.term == 1)
        #expect(untorn.durable.lastIndex == 2)
        // Torn crashes keep a prefix: never a later record without the earlier ones.
        var sawPartial = false
        for seed in 0..<64 as Range<UInt64> {
            var copy = disk
            var random = SimulationRandom(seed: seed)
            copy.crash(random: &random, tearing: true)
            let last = copy.durable.lastIndex
            #expect((2...6).contains(last))
            if last > 2 { #expect(copy.durable.hardState.term == 2) }
            if last > 2 && last < 6 { sawPartial = true }
            #expect(copy.current == copy.durable)
        }
        #expect(sawPartial)
    }

    @Test func entriesAtAnIndexAlreadyHeldReplaceTheRestOfTheLogAndSnapshotsCompactIt() {
        var contents = SimulationDisk.Contents()
        contents.append((1...5).map { LogEntry(term: 1, index: $0) })
        contents.append([LogEntry(term: 2, index: 3)])
        #expect(contents.lastIndex == 3)
        #expect(contents.term(at: 3) == 2)
        let configuration = RaftConfiguration(voters: [RaftNodeID(1)])
        contents.install(SnapshotMetadata(index: 2, term: 1, configuration: configuration), data: [1])
        #expect(contents.firstIndex == 3)
        #expect(contents.entries.map(\.index) == [3])
        // A snapshot the log disagrees with replaces the log entirely.
        contents.install(SnapshotMetadata(index: 3, term: 9, configuration: configuration), data: [2])
        #expect(contents.entries.isEmpty)
        #expect(contents.lastIndex == 3)
    }

    @Test func commandsAndStoreSnapshotsSurviveTheirEncoding() {
        let commands = [
            SimulationCommand(client: 1, sequence: 2, operation: .put(key: 3, value: 4)),
            SimulationCommand(client: 5, sequence: 6, operation: .get(key: 7)),
            SimulationCommand(client: 8, sequence: 9, operation: .compareAndSwap(key: 1, expected: nil, new: 2)),
            SimulationCommand(client: 8, sequence: 10, operation: .compareAndSwap(key: 1, expected: 2, new: 3)),
        ]
        var store = SimulationKeyValueStore()
        for (offset, command) in commands.enumerated() {
            #expect(SimulationCommand(decoding: command.encoded()) == command)
            _ = store.apply(command, at: UInt64(offset + 1))
        }
        #expect(SimulationCommand(decoding: []) == nil)
        #expect(SimulationCommand(decoding: commands[0].encoded() + [0]) == nil)
        #expect(store.read(1) == 3)
        #expect(SimulationKeyValueStore(snapshot: store.snapshotData()) == store)
        #expect(SimulationKeyValueStore(snapshot: [1, 2, 3]) == nil)
    }
}
