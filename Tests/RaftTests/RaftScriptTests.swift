import Foundation
import Testing

/// The classic scenarios of the Raft paper as datadriven scripts in `testdata/`. Run with
/// `REWRITE=1` to regenerate the expected output (then review the diff).
@Suite struct RaftScriptTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("testdata")

    static var scripts: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { $0.hasSuffix(".txt") }.sorted()
    }

    @Test(arguments: scripts)
    func scriptProducesItsExpectedOutput(_ name: String) throws {
        let url = Self.directory.appendingPathComponent(name)
        let script = RaftScript(text: try String(contentsOf: url, encoding: .utf8))
        var runner = RaftScriptRunner()
        var outputs: [[String]] = []
        for item in script.cases {
            let output = runner.run(item.command)
            outputs.append(output)
            if ProcessInfo.processInfo.environment["REWRITE"] == nil {
                #expect(output == item.expected, "\(name):\(item.line): \(item.command)")
            }
        }
        if ProcessInfo.processInfo.environment["REWRITE"] != nil {
            try script.rendered(outputs: outputs).write(to: url, atomically: true, encoding: .utf8)
        }
    }

    @Test func thereAreScriptsToRun() {
        #expect(Self.scripts.count >= 4)
    }
}
