@testable import RoostCLI
import Testing

@Suite struct OutputFormattingTests {
    @Test func tableColumnsLineUpAndNoLineEndsInSpaces() async {
        var table = Table("ID", "Node", "Status")
        table.append(["a1b2c3d4", "dev-machine", "running"])
        table.append(["ff", "n", "pending"])
        #expect(table.rendered() == """
            ID        Node         Status
            a1b2c3d4  dev-machine  running
            ff        n            pending

            """)
    }

    @Test func anEmptyLastCellLeavesNoTrailingSpaces() async {
        var table = Table("Name", "Description")
        table.append(["web", ""])
        #expect(!table.rendered().split(separator: "\n").contains { $0.hasSuffix(" ") })
    }

    @Test(arguments: [
        (0, "just now"), (5_000_000_000, "5s ago"), (90_000_000_000, "1m30s ago"),
        (600_000_000_000, "10m ago"), (3_900_000_000_000, "1h5m ago"), (3 * 86_400_000_000_000, "3d ago"),
        (-1, "in the future"),
    ] as [(Int64, String)])
    func relativeTimesUseTheLargestUsefulUnits(elapsed: Int64, expected: String) async {
        #expect(RelativeTime.describe(nanoseconds: elapsed) == expected)
    }

    @Test func durationsReadLikeNomadsRestartDelays() async {
        #expect(RelativeTime.describe(duration: 15_000_000_000) == "15s")
        #expect(RelativeTime.describe(duration: 90_000_000_000) == "1m30s")
        #expect(RelativeTime.describe(duration: 250_000_000) == "250ms")
    }
}
