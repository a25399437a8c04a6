/// The random 128-bit identifiers of nodes, allocations and evaluations, written as a UUID
/// (`8-4-4-4-12` lowercase hex) as Nomad does, so users can paste any unique prefix.
/// The randomness comes from the caller: the pure cores take a seeded generator in tests
/// and the shells pass a cryptographic one.
public protocol Identifier: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    var uuid: String { get }
    init(uuid: String)
}

extension Identifier {
    public static func random(using generator: inout some RandomNumberGenerator) -> Self {
        Self(uuid: UUIDText.format(high: generator.next(), low: generator.next()))
    }

    /// The first 8 characters, as the CLI shows them.
    public var short: String { String(uuid.prefix(8)) }
    public var description: String { uuid }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.uuid < rhs.uuid }

    public init(from decoder: any Decoder) throws {
        self.init(uuid: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(uuid)
    }
}

public struct NodeID: Identifier {
    public let uuid: String
    public init(uuid: String) { self.uuid = uuid }
}

public struct AllocationID: Identifier {
    public let uuid: String
    public init(uuid: String) { self.uuid = uuid }
}

public struct EvaluationID: Identifier {
    public let uuid: String
    public init(uuid: String) { self.uuid = uuid }
}

/// Version-4 UUID text from 128 random bits.
enum UUIDText {
    static func format(high: UInt64, low: UInt64) -> String {
        // Set the version (4) and variant (10xx) bits so the text is a valid RFC 9562 UUID.
        let high = (high & 0xFFFF_FFFF_FFFF_0FFF) | 0x0000_0000_0000_4000
        let low = (low & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(36)
        for (index, word) in [high, low].enumerated() {
            for nibble in 0..<16 {
                let position = index * 16 + nibble
                if position == 8 || position == 12 || position == 16 || position == 20 { bytes.append(UInt8(ascii: "-")) }
                bytes.append(digits[Int((word >> UInt64(60 - nibble * 4)) & 0xF)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

public struct DeploymentID: Identifier {
    public let uuid: String
    public init(uuid: String) { self.uuid = uuid }
}
