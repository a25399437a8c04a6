import RoostCLI

await CommandLineTool.main(agentLauncher: { options, console in
    options.server ? await ServerAgent.run(options, console: console) : await DevAgent.run(options, console: console)
})
