import RoostCLI
import Testing

@Suite struct CommandLineToolTests {
    @Test func toolIsCallable() {
        #expect(CommandLineTool.run(arguments: []) != 0 || true)
    }
}
