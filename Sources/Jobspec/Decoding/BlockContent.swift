import ClusterModel

/// A block body whose keys were checked against its schema: the decoder looks attributes
/// up by name and blocks by type, knowing that anything unknown was already reported.
struct BlockContent: Sendable {
    let schema: BlockSchema
    /// Where to point when something the block lacks must be reported (its header).
    let headerSpan: SourceSpan
    /// The block's label when its schema takes one and the user wrote it.
    let label: String?
    let labelSpan: SourceSpan
    /// Few per block, so a linear search beats hashing. Usually the body's own array.
    /// Read in place through `index(of:)`: copying an attribute out retains its name and value.
    let attributes: [EvaluatedAttribute]
    /// Known blocks in source order; for single blocks only the first is kept. Read in place
    /// through `blockIndex(of:)` where a copy of the block would only be read once.
    let knownBlocks: [EvaluatedBlock]
    /// The lengths of the attribute names and block types present, one bit per length
    /// (modulo 64): the decoder asks for many keys a block does not have, and most misses
    /// end here without looking at a single name.
    private let attributeLengths: UInt64
    private let blockLengths: UInt64

    init(
        schema: BlockSchema, headerSpan: SourceSpan, label: String?, labelSpan: SourceSpan,
        attributes: [EvaluatedAttribute], blocks: [EvaluatedBlock]
    ) {
        self.schema = schema
        self.headerSpan = headerSpan
        self.label = label
        self.labelSpan = labelSpan
        self.attributes = attributes
        self.knownBlocks = blocks
        var attributeLengths: UInt64 = 0
        for index in attributes.indices { attributeLengths |= Self.lengthBit(attributes[index].name) }
        self.attributeLengths = attributeLengths
        var blockLengths: UInt64 = 0
        for index in blocks.indices { blockLengths |= Self.lengthBit(blocks[index].type) }
        self.blockLengths = blockLengths
    }

    @inline(__always)
    private static func lengthBit(_ name: String) -> UInt64 {
        1 << UInt64(name.utf8.count & 63)
    }

    /// The attribute, unless absent or `null` (HCL's way of leaving a setting unset).
    subscript(_ name: String) -> EvaluatedAttribute? {
        guard attributeLengths & Self.lengthBit(name) != 0 else { return nil }
        for index in attributes.indices where Self.sameName(attributes[index].name, name) {
            if case .null = attributes[index].value { return nil }
            return attributes[index]
        }
        return nil
    }

    /// Where the attribute is, unless absent or `null`; the caller reads its fields in place.
    func index(of name: String) -> Int? {
        guard attributeLengths & Self.lengthBit(name) != 0 else { return nil }
        for index in attributes.indices where Self.sameName(attributes[index].name, name) {
            if case .null = attributes[index].value { return nil }
            return index
        }
        return nil
    }

    func has(_ name: String) -> Bool {
        guard attributeLengths & Self.lengthBit(name) != 0 else { return false }
        for index in attributes.indices where Self.sameName(attributes[index].name, name) {
            if case .null = attributes[index].value { return false }
            return true
        }
        return false
    }

    /// The blocks of one type in source order, read in place rather than copied into a new array.
    func blocks(_ type: String) -> Blocks {
        Blocks(all: blockLengths & Self.lengthBit(type) != 0 ? knownBlocks : [], type: type)
    }

    func blockIndex(of type: String) -> Int? {
        guard blockLengths & Self.lengthBit(type) != 0 else { return nil }
        for index in knownBlocks.indices where Self.sameName(knownBlocks[index].type, type) {
            return index
        }
        return nil
    }

    func block(_ type: String) -> EvaluatedBlock? {
        guard blockLengths & Self.lengthBit(type) != 0 else { return nil }
        for index in knownBlocks.indices where Self.sameName(knownBlocks[index].type, type) {
            return knownBlocks[index]
        }
        return nil
    }

    /// Every block in source order, for bodies where the order of kinds matters (groups and
    /// legacy job-level tasks keep their relative order).
    var allBlocks: [EvaluatedBlock] { knownBlocks }

    /// Key names differ in length far more often than not, and comparing lengths first
    /// spares the general string comparison on each miss.
    @inline(__always)
    static func sameName(_ left: String, _ right: String) -> Bool {
        left.utf8.count == right.utf8.count && left == right
    }

    struct Blocks: Sequence {
        let all: [EvaluatedBlock]
        let type: String

        func makeIterator() -> Iterator { Iterator(all: all, type: type) }

        struct Iterator: IteratorProtocol {
            let all: [EvaluatedBlock]
            let type: String
            var index = 0

            mutating func next() -> EvaluatedBlock? {
                while index < all.count {
                    defer { index += 1 }
                    if BlockContent.sameName(all[index].type, type) { return all[index] }
                }
                return nil
            }
        }
    }
}
