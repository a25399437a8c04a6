import RoostCLI

CommandLineTool.main()
