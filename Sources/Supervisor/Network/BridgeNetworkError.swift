/// Why an allocation's bridge network could not be set up: the step, the tool's own words,
/// and what to do about it.
public struct BridgeNetworkError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
