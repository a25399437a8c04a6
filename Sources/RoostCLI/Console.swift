/// Where a command's text goes and where standard input comes from. Commands never touch the
/// process's streams directly, so tests can run the whole tool and read what it said.
public protocol Console: AnyObject {
    /// Results: what a script pipes onwards.
    func writeOutput(_ text: String)
    /// Diagnostics, errors and usage messages.
    func writeError(_ text: String)
    /// Standard input, read to its end; fails rather than holding more than `limit` bytes.
    func readInput(limit: Int) throws(FileError) -> [UInt8]
    /// Whether output may carry colour: only a terminal gets it, never a pipe or a file.
    var supportsColor: Bool { get }
}

extension Console {
    public var supportsColor: Bool { false }
}
