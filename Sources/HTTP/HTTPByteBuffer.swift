/// The bytes received but not yet consumed by a parser, read line by line or in counted runs.
///
/// Searching for the end of a line resumes where the previous search stopped, so a head that
/// arrives one byte at a time costs linear, not quadratic, time.
struct HTTPByteBuffer: Sendable {
    enum Line {
        case line(Range<Int>)
        case needMoreData
        case tooLong
    }

    private(set) var bytes: [UInt8] = []
    private(set) var start = 0
    private var scanned = 0

    var count: Int { bytes.count - start }
    var isEmpty: Bool { start == bytes.count }

    mutating func append(_ more: UnsafeRawBufferPointer) {
        compact()
        bytes.append(contentsOf: more)
    }

    mutating func append<C: Collection>(contentsOf more: C) where C.Element == UInt8 {
        compact()
        bytes.append(contentsOf: more)
    }

    /// Drops consumed bytes when that is cheap relative to what remains.
    private mutating func compact() {
        if start == bytes.count {
            if start > 0 {
                bytes.removeAll(keepingCapacity: bytes.capacity <= 1 << 16)
                start = 0
                scanned = 0
            }
        } else if start >= 4096 && start * 2 >= bytes.count {
            bytes.removeSubrange(0..<start)
            scanned -= start
            start = 0
        }
    }

    /// The next line without its LF (and CR before it), if complete and at most `limit` bytes.
    mutating func takeLine(limit: Int) -> Line {
        let from = max(scanned, start)
        if let newline = bytes[from...].firstIndex(of: 0x0A) {
            var end = newline
            if end > start && bytes[end - 1] == 0x0D { end -= 1 }
            guard end - start <= limit else { return .tooLong }
            let range = start..<end
            start = newline + 1
            scanned = start
            return .line(range)
        }
        scanned = bytes.count
        // Allow for the CR that may precede the LF still to come.
        return bytes.count - start > limit + 1 ? .tooLong : .needMoreData
    }

    /// Up to `maximum` bytes from the front.
    mutating func take(upTo maximum: Int) -> ArraySlice<UInt8> {
        let length = min(maximum, count)
        let slice = bytes[start..<(start + length)]
        start += length
        scanned = max(scanned, start)
        return slice
    }

    subscript(range: Range<Int>) -> ArraySlice<UInt8> {
        bytes[range]
    }

    subscript(index: Int) -> UInt8 {
        bytes[index]
    }
}
