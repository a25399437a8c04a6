/// The `roost` command tree. (Stub: being written.)
public enum CommandLineTool {
    /// Runs one invocation and returns the process exit code (0 ok, 1 failure, 64 usage).
    public static func run(arguments: [String]) -> Int32 {
        print("roost: not written yet")
        return 1
    }
}
