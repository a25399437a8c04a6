#if canImport(Glibc)
import Glibc
#endif
import OCIMonitor

// `roost-oci-monitor`: one container's monitor (see OCIMonitorProgram). The agent starts it
// from beside its own binary; it is not a command for people.
exit(OCIMonitorProgram.main(Array(CommandLine.arguments.dropFirst())))
