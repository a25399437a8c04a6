import Foundation
import Jobspec
import Testing

/// The folder of real Nomad job files (`shared/conformance/nomad-jobspecs`, beside the
/// repository). It is not part of the repository, so a user's clone may not have it: the
/// tests that need it then say plainly that they skipped.
enum ConformanceCorpus {
    static let directory: URL? = {
        var candidates: [URL] = []
        if let override = ProcessInfo.processInfo.environment["ROOST_CONFORMANCE_DIR"] {
            candidates.append(URL(fileURLWithPath: override).appendingPathComponent("nomad-jobspecs"))
            candidates.append(URL(fileURLWithPath: override))
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/nomad-jobspecs"))
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("README.md").path) }
    }()

    static func skipNote(_ test: String) -> String {
        "skipped: \(test): the conformance folder ../shared/conformance/nomad-jobspecs is not beside this repository (set ROOST_CONFORMANCE_DIR to run it)"
    }

    /// Every job file in the folder, sorted by name.
    static func fileNames() throws -> [String] {
        guard let directory else { return [] }
        return try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".hcl") || $0.hasSuffix(".nomad") }
            .sorted()
    }

    static func load(_ name: String, variables: [String: String]? = nil) throws -> JobFile {
        let directory = try #require(directory)
        let bytes = [UInt8](try Data(contentsOf: directory.appendingPathComponent(name)))
        let given = (variables ?? requiredVariables[name] ?? [:]).mapValues { VariableInput.raw($0) }
        return JobFile.load(SourceFile(name: name, bytes: bytes), variables: given)
    }

    /// Files that must fail, with the line the first error must point at (the folder's
    /// README names them NEGATIVE and says why).
    static let negativeFiles: [String: Int] = [
        "bad-artifact.hcl": 12,  // unknown key `bad` inside artifact
        "bad-ports.hcl": 70,  // port "" does not match the label pattern
        "basic_wrong_key.hcl": 74,  // `nterval` in a check
        "multi-network.hcl": 21,  // second network block in one task's resources
        "multi-resource.hcl": 10,  // second ephemeral_disk in a group (a second resources follows)
        "overlapping-ports.hcl": 70,  // port "http" collides with "Http" (labels are case-insensitive)
    ]

    /// Input variables the files declare without defaults (the README's rows 28, 37, 56, 75).
    static let requiredVariables: [String: [String: String]] = [
        "jobspec2-parse_test-functions-and-lookups.hcl": ["env": "prod"],
        "node-meta.nomad.hcl": [
            "foo_key": "foo", "empty_key": "empty", "unset_key": "unset", "foo_constraint": "bar",
            "empty_constraint": "", "unset_constraint": "x",
        ],
        "restart-node.nomad": ["nodeID": "0f1e2d3c"],
        "xyz.hcl": ["X": "hello", "Y": "2", "Z": "true"],
    ]
}
