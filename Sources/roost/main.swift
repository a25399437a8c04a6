import RoostCLI

await CommandLineTool.main()
