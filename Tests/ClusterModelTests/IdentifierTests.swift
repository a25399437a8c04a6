import ClusterModel
import Testing

@Suite struct IdentifierTests {
    struct CountingGenerator: RandomNumberGenerator {
        var state: UInt64 = 0
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            return state
        }
    }

    @Test func identifiersAreVersion4UUIDTextThatUsersCanShortenToEightCharacters() {
        var generator = CountingGenerator()
        let id = AllocationID.random(using: &generator)
        let parts = id.uuid.split(separator: "-").map(\.count)
        #expect(parts == [8, 4, 4, 4, 12])
        #expect(id.uuid.dropFirst(14).first == "4")
        #expect("89ab".contains(id.uuid.dropFirst(19).first!))
        #expect(id.short == String(id.uuid.prefix(8)))
        #expect(id.uuid == id.uuid.lowercased())
    }

    @Test func theSameSeedGivesTheSameIdentifiersAndDifferentDrawsDiffer() {
        var first = CountingGenerator()
        var second = CountingGenerator()
        let a = NodeID.random(using: &first)
        #expect(a == NodeID.random(using: &second))
        #expect(NodeID.random(using: &first) != a)
    }
}

@Suite struct TimestampTests {
    @Test func addingAHugeDurationSaturatesInsteadOfCrashing() {
        let late = Timestamp(nanosecondsSinceEpoch: .max - 5)
        #expect((late + .seconds(10)).nanosecondsSinceEpoch == .max)
        #expect((Timestamp.zero + .seconds(2)) - Timestamp.zero == .seconds(2))
    }
}

@Suite struct AllocationMetricsTests {
    @Test func summaryNamesEveryReasonMostFrequentFirst() {
        let metrics = AllocationMetrics(
            nodesEvaluated: 3, nodesFiltered: 1,
            constraintFiltered: ["constraint ${attr.kernel.name} = windows": 1],
            nodesExhausted: 2, dimensionExhausted: ["memory": 2]
        )
        #expect(metrics.summary() == "0/3 nodes: 2 memory exhausted, 1 constraint ${attr.kernel.name} = windows")
    }
}
