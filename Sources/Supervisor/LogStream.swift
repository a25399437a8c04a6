/// Which output of a task: the file names end in `.stdout.<n>` / `.stderr.<n>` as in Nomad.
public enum LogStream: String, Sendable, Hashable, CaseIterable {
    case stdout
    case stderr
}
