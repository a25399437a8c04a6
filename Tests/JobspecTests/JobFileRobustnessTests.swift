import ClusterModel
import Foundation
import Jobspec
import Testing
import TestSupport

/// Hostile and extreme inputs through the whole pipeline (parse, evaluate, decode): each
/// gives a job or errors, never a crash or a hang.
@Suite struct JobFileRobustnessTests {
    private static let group = """
          group "web-%d" {
            count = 2
            network {
              port "http" { to = 8080 }
            }
            task "server" {
              driver = "raw_exec"
              config {
                command = "/usr/bin/python3"
                args    = ["-m", "http.server", "${NOMAD_PORT_http}"]
              }
              env {
                GROUP = "%d"
              }
              resources {
                cpu    = 200
                memory = 64
              }
            }
          }

        """

    private func largeJob(groups: Int) -> [UInt8] {
        var bytes = Array("job \"large\" {\n".utf8)
        let template = Self.group
        for index in 0..<groups {
            bytes += template.replacingAll("%d", with: String(index)).utf8
        }
        bytes += Array("}\n".utf8)
        return bytes
    }

    @Test func fiftyMegabyteJobDecodesEveryGroup() {
        var groups = 0
        var bytes: [UInt8] = []
        // About 290 bytes a group: enough groups for 50 MB.
        groups = 50_000_000 / 290
        bytes = largeJob(groups: groups)
        #expect(bytes.count >= 50_000_000)
        let file = JobFile.load(SourceFile(name: "large.hcl", bytes: bytes))
        #expect(file.diagnostics.isEmpty, "\(file.diagnostics.prefix(3).map { $0.rendered(in: file.source) })")
        #expect(file.job?.groups.count == groups)
        #expect(file.job?.groups.last?.tasks.first?.env["GROUP"] == String(groups - 1))
    }

    @Test func tenThousandNestedBlocksAreOneError() {
        let text = "job \"x\" {\n" + String(repeating: "group \"g\" {\n", count: 10_000) + String(repeating: "}\n", count: 10_001)
        let file = JobFile.load(SourceFile(name: "deep.hcl", text: text))
        #expect(file.job == nil)
        #expect(file.diagnostics.map(\.message) == ["nesting is too deep (more than 128 levels)"])
    }

    @Test func tenThousandNestedValuesInADriverConfigAreOneError() {
        let value = String(repeating: "{ a = ", count: 10_000) + "1" + String(repeating: " }", count: 10_000)
        let text = "job \"x\" {\n group \"g\" {\n  task \"t\" {\n   driver = \"raw_exec\"\n   config {\n    v = \(value)\n   }\n  }\n }\n}\n"
        let file = JobFile.load(SourceFile(name: "deep.hcl", text: text))
        #expect(file.job == nil)
        #expect(file.diagnostics.first?.message == "nesting is too deep (more than 128 levels)")
        #expect(file.diagnostics.first?.start.line == 6)
    }

    @Test func randomBytesAreRejectedWithoutACrash() {
        var generator = SplitMix64(seed: 0xB1_4A12)
        for length in [1, 7, 100, 4_096, 1 << 20] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            let file = JobFile.load(SourceFile(name: "random.bin", bytes: bytes))
            #expect(file.job == nil)
            #expect(file.hasErrors)
        }
    }

    @Test func everyTruncationOfAnExampleJobFailsOrDecodes() throws {
        let examples = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("jobspecs")
        let bytes = [UInt8](try Data(contentsOf: examples.appendingPathComponent("hello-web.hcl")))
        #expect(JobFile.load(SourceFile(name: "hello-web.hcl", bytes: bytes)).job != nil)
        var failures = 0
        for length in 0..<bytes.count {
            let file = JobFile.load(SourceFile(name: "truncated.hcl", bytes: Array(bytes[..<length])))
            #expect(file.job != nil || file.hasErrors, "prefix of \(length) bytes neither decoded nor failed")
            if file.hasErrors { failures += 1 }
        }
        // Cutting a file almost anywhere leaves a brace open.
        #expect(failures > bytes.count * 9 / 10)
    }
}

extension String {
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
