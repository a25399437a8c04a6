/// The port labels met so far in one namespace, compared ignoring case. A group declares a
/// few ports, so a list searched in order is cheapest; past `hashedFrom` labels a dictionary
/// keeps a file with thousands of ports linear.
struct PortLabelSet {
    private var uses: [DecodingSession.PortLabelUse] = []
    private var byLowercasedLabel: [String: DecodingSession.PortLabelUse] = [:]
    private static let hashedFrom = 8

    func use(clashingWith label: String) -> DecodingSession.PortLabelUse? {
        if uses.count < Self.hashedFrom {
            return uses.first { Self.sameIgnoringCase($0.label, label) }
        }
        return byLowercasedLabel[label.lowercased()]
    }

    /// The labels in the order they were inserted.
    var all: [DecodingSession.PortLabelUse] { uses }

    /// Only for a label that clashes with none already in the set.
    mutating func insert(_ use: DecodingSession.PortLabelUse) {
        // Room for a typical network's ports at once, rather than growing one by one.
        if uses.isEmpty { uses.reserveCapacity(4) }
        uses.append(use)
        if uses.count == Self.hashedFrom {
            for earlier in uses { byLowercasedLabel[earlier.label.lowercased()] = earlier }
        } else if uses.count > Self.hashedFrom {
            byLowercasedLabel[use.label.lowercased()] = use
        }
    }

    /// What `left.lowercased() == right.lowercased()` says, without building two strings
    /// when both are ASCII (valid port labels always are).
    static func sameIgnoringCase(_ left: String, _ right: String) -> Bool {
        let answer: Bool?? = left.utf8.withContiguousStorageIfAvailable { leftBytes in
            right.utf8.withContiguousStorageIfAvailable { rightBytes in sameIgnoringASCIICase(leftBytes, rightBytes) } ?? nil
        }
        if let answer = answer ?? nil { return answer }
        return left.lowercased() == right.lowercased()
    }

    /// nil unless both are ASCII.
    private static func sameIgnoringASCIICase(_ left: UnsafeBufferPointer<UInt8>, _ right: UnsafeBufferPointer<UInt8>) -> Bool? {
        guard left.allSatisfy({ $0 < 0x80 }), right.allSatisfy({ $0 < 0x80 }) else { return nil }
        guard left.count == right.count else { return false }
        for index in 0..<left.count where asciiLowercase(left[index]) != asciiLowercase(right[index]) {
            return false
        }
        return true
    }

    private static func asciiLowercase(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }
}
