/// Spreads allocations across the values of a node attribute (racks, datacenters), optionally
/// with a target percentage per value.
public struct Spread: Sendable, Hashable, Codable {
    public struct Target: Sendable, Hashable, Codable {
        public var value: String
        public var percent: Int
        public init(value: String, percent: Int = 0) {
            self.value = value
            self.percent = percent
        }
    }

    public var attribute: String
    /// 0...100.
    public var weight: Int
    public var targets: [Target]

    public init(attribute: String = "", weight: Int = 50, targets: [Target] = []) {
        self.attribute = attribute
        self.weight = weight
        self.targets = targets
    }
}
