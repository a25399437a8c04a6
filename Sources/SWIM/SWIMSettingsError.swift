/// A setting out of its documented range.
public enum SWIMSettingsError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalid(String)

    public var description: String {
        switch self {
        case .invalid(let reason): "invalid SWIM settings: \(reason)"
        }
    }
}
