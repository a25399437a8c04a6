/// An IPv4 network such as `172.26.64.0/20`, as the bridge hands out addresses from it: the
/// first host address is the bridge's own (the containers' gateway), the others go to
/// allocations.
public struct IPv4Subnet: Sendable, Hashable, CustomStringConvertible {
    public let network: UInt32
    public let prefixLength: Int

    /// Parses `A.B.C.D/N` with N from 8 to 30; host bits must be zero.
    public init?(_ text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let length = Int(parts[1]), (8...30).contains(length),
            let address = Self.parse(String(parts[0]))
        else { return nil }
        let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << UInt32(32 - length)
        guard address & ~mask == 0 else { return nil }
        network = address
        prefixLength = length
    }

    /// `A.B.C.D` as a number; nil for anything else.
    static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard !octet.isEmpty, octet.count <= 3, octet.allSatisfy(\.isASCII), let byte = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }

    static func format(_ address: UInt32) -> String {
        "\(address >> 24).\(address >> 16 & 0xff).\(address >> 8 & 0xff).\(address & 0xff)"
    }

    public var description: String { Self.format(network) + "/\(prefixLength)" }

    /// The bridge's address: the first host of the network.
    public var gateway: String { Self.format(network + 1) }

    /// How many addresses allocations can get: all hosts but the gateway (and not the
    /// network and broadcast addresses).
    public var allocatableCount: Int { (1 << (32 - prefixLength)) - 3 }

    /// The `index`-th address for allocations (0-based), nil past the end.
    public func allocationAddress(_ index: Int) -> String? {
        guard index >= 0, index < allocatableCount else { return nil }
        return Self.format(network + 2 + UInt32(index))
    }
}
