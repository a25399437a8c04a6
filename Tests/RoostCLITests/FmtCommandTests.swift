@testable import RoostCLI
import Testing

@Suite struct FmtCommandTests {
    /// Already in canonical layout: two-space indents, one attribute, final newline.
    static let formatted = "job \"example\" {\n  type = \"batch\"\n}\n"
    static let unformatted = "job   \"example\"   {\ntype=\"batch\"\n     }\n"

    @Test func formattedFileIsLeftAloneAndNotListed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("ok.hcl", Self.formatted)
        let run = await roost("fmt", file)
        #expect(run.status == 0)
        #expect(run.output.isEmpty)
        #expect(try directory.contents(of: file) == Self.formatted)
    }

    @Test func checkPassesOnAFormattedFile() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("ok.hcl", Self.formatted)
        let run = await roost("fmt", "--check", file)
        #expect(run.status == 0)
        #expect(run.output.isEmpty)
        #expect(run.errors.isEmpty)
    }

    @Test func dashFormatsStandardInputToStandardOutput() async {
        let run = await roost("fmt", "-", input: Self.formatted)
        #expect(run.status == 0)
        #expect(run.inputReads == 1)
        #expect(run.output == Self.formatted)
    }

    @Test func missingFileIsAClearErrorWithStatusOne() async {
        let run = await roost("fmt", "/nonexistent/web.hcl")
        #expect(run.status == 1)
        #expect(run.errors.contains("error: cannot read \"/nonexistent/web.hcl\": No such file or directory"))
    }

    @Test func fmtWithoutFilesIsAUsageError() async {
        let run = await roost("fmt")
        #expect(run.status == 64)
        #expect(run.errors.contains("needs at least one FILE"))
    }

    @Test
    func unformattedFileIsRewrittenInPlaceAndListed() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = try directory.file("messy.hcl", Self.unformatted, permissions: 0o640)
        let run = await roost("fmt", file)
        #expect(run.status == 0)
        #expect(run.output == file + "\n")
        #expect(try directory.contents(of: file) == Self.formatted)
        #expect(try directory.permissions(of: file) == 0o640)
        #expect(try directory.entries() == ["messy.hcl"])
    }

    @Test
    func checkListsUnformattedFilesChangesNothingAndFails() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let messy = try directory.file("messy.hcl", Self.unformatted)
        let tidy = try directory.file("tidy.hcl", Self.formatted)
        let run = await roost("fmt", "--check", messy, tidy)
        #expect(run.status == 1)
        #expect(run.output == messy + "\n")
        #expect(try directory.contents(of: messy) == Self.unformatted)
    }

    @Test
    func writeFalseListsWhatWouldChangeWithoutWriting() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let messy = try directory.file("messy.hcl", Self.unformatted)
        let run = await roost("fmt", "--write=false", messy)
        #expect(run.status == 0)
        #expect(run.output == messy + "\n")
        #expect(try directory.contents(of: messy) == Self.unformatted)
    }

    @Test
    func fileThatDoesNotParseIsReportedAndLeftAlone() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let broken = try directory.file("broken.hcl", "job \"x\" {\n  type =\n")
        let run = await roost("fmt", broken)
        #expect(run.status == 1)
        #expect(run.errors.contains("\(broken):"))
        #expect(run.errors.contains(": error: "))
        #expect(run.output.isEmpty)
        #expect(try directory.contents(of: broken) == "job \"x\" {\n  type =\n")
    }

    @Test
    func checkOnStandardInputFailsWhenItIsNotFormatted() async {
        let run = await roost("fmt", "--check", "-", input: Self.unformatted)
        #expect(run.status == 1)
        #expect(run.output == "<stdin>\n")
    }
}
