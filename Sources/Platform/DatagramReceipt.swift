/// One received datagram: its full length (more than the buffer when it was truncated) and
/// its sender.
public struct DatagramReceipt: Sendable, Hashable {
    public var length: Int
    public var sender: DatagramEndpoint

    public init(length: Int, sender: DatagramEndpoint) {
        self.length = length
        self.sender = sender
    }
}
