#if canImport(Glibc)
import Glibc
#endif
import RoostCLI
import Supervisor

// A container's monitor (the agent re-executes itself as one per container): no CLI, no setup.
if CommandLine.arguments.count > 1, CommandLine.arguments[1] == OCIContainerMonitor.subcommand {
    exit(OCIContainerMonitor.main(Array(CommandLine.arguments.dropFirst(2))))
}

await CommandLineTool.main(agentLauncher: { options, console in
    if options.server { return await ServerAgent.run(options, console: console) }
    if options.worker && !options.dev { return await WorkerNodeAgent.run(options, console: console) }
    return await DevAgent.run(options, console: console)
})
