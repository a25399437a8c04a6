/// How a manager answers `roost join`.
public struct JoinServiceSettings: Sendable {
    /// How long a certificate issued to a joiner is valid (Unix seconds). Nodes renew before
    /// expiry; an expired node must join again.
    public var certificateValidity: Int64
    /// The whole exchange, from the hello to the grant, must fit in this.
    public var exchangeTimeout: Duration
    /// How many older token generations are recognised, to tell a joiner its token was
    /// rotated away rather than simply wrong.
    public var rotatedGenerationsRecognised: UInt64

    public init(certificateValidity: Int64 = 30 * 86_400, exchangeTimeout: Duration = .seconds(15), rotatedGenerationsRecognised: UInt64 = 16) {
        self.certificateValidity = certificateValidity
        self.exchangeTimeout = exchangeTimeout
        self.rotatedGenerationsRecognised = rotatedGenerationsRecognised
    }
}
