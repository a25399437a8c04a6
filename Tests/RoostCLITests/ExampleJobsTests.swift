import Foundation
@testable import RoostCLI
import Testing

/// The job files under jobspecs/ are what users copy first: each must validate as it stands.
@Suite struct ExampleJobsTests {
    static let jobspecsDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("jobspecs").path

    static let exampleFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: jobspecsDirectory)) ?? []
        return names.filter { $0.hasSuffix(".hcl") }.sorted()
    }()

    @Test func repositoryHasAServiceABatchASystemAndAPeriodicExample() async {
        // Without spaces, so that alignment by `roost fmt` does not matter.
        let texts = Self.exampleFiles.compactMap {
            try? String(contentsOfFile: Self.jobspecsDirectory + "/" + $0, encoding: .utf8).filter { $0 != " " }
        }
        #expect(texts.contains { $0.contains("type=\"service\"") })
        #expect(texts.contains { $0.contains("type=\"batch\"") && !$0.contains("periodic{") })
        #expect(texts.contains { $0.contains("type=\"system\"") })
        #expect(texts.contains { $0.contains("type=\"batch\"") && $0.contains("periodic{") })
        #expect(Self.exampleFiles.contains("hello-web.hcl"))
    }

    @Test(arguments: exampleFiles)
    func exampleJobValidatesWithoutWarnings(name: String) async {
        let run = await roost("job", "validate", Self.jobspecsDirectory + "/" + name)
        #expect(run.status == 0, "\(name): \(run.errors)")
        #expect(run.errors.isEmpty)
    }

    @Test(arguments: exampleFiles)
    func exampleJobIsAlreadyFormatted(name: String) async {
        let run = await roost("fmt", "--check", Self.jobspecsDirectory + "/" + name)
        #expect(run.status == 0, "\(name) needs roost fmt: \(run.errors)")
    }
}
