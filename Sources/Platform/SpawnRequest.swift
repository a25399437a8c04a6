/// Everything needed to start a task's process.
public struct SpawnRequest: Sendable, Hashable {
    /// An absolute path (see `ProcessSpawner.resolveExecutable`).
    public var executable: String
    public var arguments: [String]
    /// The complete environment; nothing is inherited from the agent.
    public var environment: [String: String]
    public var workingDirectory: String
    /// `cgroup.procs` files the child writes its own pid to before it runs the executable.
    public var cgroupProcsFiles: [String]

    public init(
        executable: String, arguments: [String] = [], environment: [String: String] = [:],
        workingDirectory: String = "/", cgroupProcsFiles: [String] = []
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.cgroupProcsFiles = cgroupProcsFiles
    }
}
