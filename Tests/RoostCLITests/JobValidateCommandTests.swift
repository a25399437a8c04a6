import Foundation
@testable import RoostCLI
import Testing

@Suite struct JobValidateCommandTests {
    static let minimalJob = """
        job "hello" {
          type = "batch"
          group "g" {
            task "t" {
              driver = "raw_exec"
              config {
                command = "/bin/true"
              }
            }
          }
        }

        """

    @Test func missingFileIsAClearErrorWithStatusOne() async {
        let run = await roost("job", "validate", "/nonexistent/web.hcl")
        #expect(run.status == 1)
        #expect(run.errors == "error: cannot read \"/nonexistent/web.hcl\": No such file or directory\n")
        #expect(run.output.isEmpty)
    }

    @Test func everyUnreadableFileIsReportedNotJustTheFirst() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let run = await roost("job", "validate", "/nonexistent/a.hcl", directory.path, "/nonexistent/b.hcl")
        #expect(run.status == 1)
        #expect(run.errors.contains("cannot read \"/nonexistent/a.hcl\""))
        #expect(run.errors.contains("cannot read \"\(directory.path)\": it is a directory"))
        #expect(run.errors.contains("cannot read \"/nonexistent/b.hcl\""))
    }

    @Test func fileLargerThanTheParseLimitIsRefusedBeforeReading() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("huge.hcl", "")
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: file))
        try handle.truncate(atOffset: UInt64(65 << 20))  // sparse: costs no disk
        try handle.close()
        let run = await roost("job", "validate", file)
        #expect(run.status == 1)
        #expect(run.errors.contains("it is larger than the 64 MiB limit for job files"))
    }

    @Test func dashReadsTheJobFromStandardInput() async {
        let run = await roost("job", "validate", "-", input: "job \"x\" {\n")
        #expect(run.inputReads == 1)
        #expect(run.status == 1)
        #expect(run.errors.contains("<stdin>:"))
    }

    @Test func fileWithErrorsGetsStatusOneAndASummary() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("broken.hcl", "job \"x\" {\n  group \"g\" {\n")
        let run = await roost("job", "validate", file)
        #expect(run.status == 1)
        #expect(run.errors.contains("\(file):"))
        #expect(run.errors.contains(": error: "))
        // The summary line: `FILE: N errors`, after the `FILE:line:col:` diagnostics.
        let summary = run.errors.split(separator: "\n").filter { $0.hasPrefix("\(file): ") }
        #expect(summary.count == 1)
        #expect(summary.first?.contains(" error") == true)
        #expect(run.output.isEmpty)
    }

    @Test
    func validFilePrintsItsJobOnStandardOutput() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("hello.hcl", Self.minimalJob)
        let run = await roost("job", "validate", file)
        #expect(run.status == 0)
        #expect(run.output == "\(file): job \"hello\" is valid\n")
        #expect(run.errors.isEmpty)
    }

    @Test
    func validJobFromStandardInputIsNamedStdin() async {
        let run = await roost("job", "validate", "-", input: Self.minimalJob)
        #expect(run.status == 0)
        #expect(run.output == "<stdin>: job \"hello\" is valid\n")
    }

    @Test
    func unsupportedBlockIsAWarningThatValidationCounts() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let job = Self.minimalJob.replacingOccurrences(
            of: "driver = \"raw_exec\"", with: "driver = \"raw_exec\"\n      vault {\n        policies = [\"p\"]\n      }")
        let file = try directory.file("vault.hcl", job)
        let run = await roost("job", "validate", file)
        #expect(run.status == 0)
        #expect(run.output == "\(file): job \"hello\" is valid (1 warning)\n")
        #expect(run.errors.contains("\(file):6:7: warning: "))
        #expect(run.errors.contains("vault"))
    }

    @Test
    func everyErrorOfAFileIsReportedWithItsLocationAndHint() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let job = Self.minimalJob
            .replacingOccurrences(of: "type = \"batch\"", with: "tpye = \"batch\"")
            .replacingOccurrences(of: "driver = \"raw_exec\"", with: "drivr = \"raw_exec\"")
        let file = try directory.file("typos.hcl", job)
        let run = await roost("job", "validate", file)
        #expect(run.status == 1)
        #expect(run.errors.contains("\(file):2:3: error: "))
        #expect(run.errors.contains("did you mean \"type\"?"))
        #expect(run.errors.contains("\(file):5:7: error: "))
        #expect(run.errors.contains("did you mean \"driver\"?"))
        #expect(run.errors.contains("    ^"))
        #expect(run.output.isEmpty)
    }

    @Test
    func oneBadFileFailsTheRunButTheGoodOnesAreStillReported() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let good = try directory.file("good.hcl", Self.minimalJob)
        let bad = try directory.file("bad.hcl", "job \"x\" {\n")
        let run = await roost("job", "validate", bad, good)
        #expect(run.status == 1)
        #expect(run.output == "\(good): job \"hello\" is valid\n")
        #expect(run.errors.contains("\(bad):"))
    }

    static let jobWithVariable = """
        variable "dc" {
          type = string
        }

        job "hello" {
          datacenters = [var.dc]
          type        = "batch"
          group "g" {
            task "t" {
              driver = "raw_exec"
              config {
                command = "/bin/true"
              }
            }
          }
        }

        """

    @Test
    func requiredVariableComesFromAVarFlag() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("vars.hcl", Self.jobWithVariable)
        #expect(await roost("job", "validate", file).status == 1)
        #expect(await roost("job", "validate", "-var", "dc=eu-west", file).status == 0)
    }

    @Test
    func requiredVariableComesFromTheEnvironment() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("vars.hcl", Self.jobWithVariable)
        let run = await roost("job", "validate", file, environment: ["NOMAD_VAR_dc": "eu-west"])
        #expect(run.status == 0)
    }

    @Test
    func requiredVariableComesFromAnHCLVariableFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("vars.hcl", Self.jobWithVariable)
        let values = try directory.file("prod.vars.hcl", "dc = \"eu-west\"\n")
        #expect(await roost("job", "validate", "-var-file", values, file).status == 0)
    }
}
