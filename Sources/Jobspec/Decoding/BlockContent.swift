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
    /// Few per block, so a linear search beats hashing.
    private let attributes: [EvaluatedAttribute]
    /// Known blocks in source order; for single blocks only the first is kept.
    private let knownBlocks: [EvaluatedBlock]

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
    }

    /// The attribute, unless absent or `null` (HCL's way of leaving a setting unset).
    subscript(_ name: String) -> EvaluatedAttribute? {
        guard let attribute = attributes.first(where: { $0.name == name }), attribute.value != .null else { return nil }
        return attribute
    }

    func has(_ name: String) -> Bool { self[name] != nil }

    func blocks(_ type: String) -> [EvaluatedBlock] {
        knownBlocks.filter { $0.type == type }
    }

    func block(_ type: String) -> EvaluatedBlock? {
        knownBlocks.first { $0.type == type }
    }

    /// Every block in source order, for bodies where the order of kinds matters (groups and
    /// legacy job-level tasks keep their relative order).
    var allBlocks: [EvaluatedBlock] { knownBlocks }
}
