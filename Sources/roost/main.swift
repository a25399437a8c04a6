import RoostCLI

await CommandLineTool.main(agentLauncher: { options, console in await DevAgent.run(options, console: console) })
