import OCIMonitor
import Platform

/// The agent's side of a container's monitor (`OCIMonitorProgram`, in its own Glibc-only
/// module): how the agent names it on a command line, and how it reads the exit file the
/// monitor leaves in the bundle.
public enum OCIContainerMonitor {
    /// `roost oci-monitor …`: the agent's own binary as the monitor, where the small
    /// `roost-oci-monitor` executable is not installed beside it. Not listed in the CLI's help.
    public static let subcommand = "oci-monitor"
    /// The small monitor executable the agent looks for next to its own binary.
    public static let executableName = "roost-oci-monitor"
    /// A standby monitor's only argument (it reads its orders from stdin).
    static let standbyFlag = OCIMonitorProgram.standbyFlag

    typealias Invocation = OCIMonitorInvocation

    /// The monitor's main (for `roost oci-monitor`); returns its exit code.
    public static func main(_ arguments: [String]) -> Int32 {
        OCIMonitorProgram.main(arguments)
    }

    /// Decodes the exit file: `exit <code> <signal>` (signal 0: exited by itself).
    static func parseExit(_ text: String) -> ProcessExitStatus? {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\n" })
        guard fields.count == 3, fields[0] == "exit", let code = Int(fields[1]), let signal = Int(fields[2]),
            (0...255).contains(code), (0...64).contains(signal)
        else { return nil }
        return ProcessExitStatus(code: code, signal: signal == 0 ? nil : signal)
    }
}
