import RoostCLI

await CommandLineTool.main(agentLauncher: { options, console in
    if options.server { return await ServerAgent.run(options, console: console) }
    if options.worker && !options.dev { return await WorkerNodeAgent.run(options, console: console) }
    return await DevAgent.run(options, console: console)
})
