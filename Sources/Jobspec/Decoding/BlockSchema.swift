/// What one kind of jobspec block may contain. Each table is written once (see
/// `BlockSchema+Catalog.swift`) and serves twice: to reject keys the block does not know,
/// and to suggest the name the user probably meant.
///
/// A class so that every opened block shares one table instead of copying eight sets.
final class BlockSchema: Sendable {
    /// How the schema knows a key; `role(of:)` answers with one hash lookup, which matters
    /// because every key of every block of a file goes through it.
    enum Role: Sendable {
        case attribute
        /// A free-form map that may be written as an attribute or as one block (`meta`).
        case mapBlock
        case singleBlock
        case repeatedBlock
        case unsupportedAttribute
        case unsupportedBlock
        /// What to say is in `deprecatedAttributes`; no payload keeps lookups free of reference counting.
        case deprecatedAttribute
    }

    /// The block's name as users write it, used in messages ("unknown attribute … in check").
    let name: String
    /// What the block's one label means ("name", "value"), or nil when it takes no label.
    let label: String?
    let attributes: Set<String>
    /// Blocks that may appear at most once.
    let singleBlocks: Set<String>
    /// Blocks that may repeat (`task`, `constraint`, `port`, …).
    let repeatedBlocks: Set<String>
    /// Blocks whose body is a free-form map (`meta`, `env`): they may also be written as an
    /// attribute holding a map, `meta = { … }`, as Nomad allows.
    let mapBlocks: Set<String>
    /// Nomad features Roost accepts but does not run yet: a warning, never an error.
    let unsupportedAttributes: Set<String>
    let unsupportedBlocks: Set<String>
    /// Keys Nomad once accepted and now ignores, with what to say about each.
    let deprecatedAttributes: [String: String]
    /// Well-known mistakes with a better hint than "did you mean".
    let mistakes: [String: String]

    init(
        _ name: String, label: String? = nil, attributes: [String] = [], singleBlocks: [String] = [], repeatedBlocks: [String] = [],
        mapBlocks: [String] = [], unsupportedAttributes: [String] = [], unsupportedBlocks: [String] = [],
        deprecatedAttributes: [String: String] = [:], mistakes: [String: String] = [:]
    ) {
        self.name = name
        self.label = label
        self.attributes = Set(attributes)
        self.singleBlocks = Set(singleBlocks).union(mapBlocks)
        self.repeatedBlocks = Set(repeatedBlocks)
        self.mapBlocks = Set(mapBlocks)
        self.unsupportedAttributes = Set(unsupportedAttributes)
        self.unsupportedBlocks = Set(unsupportedBlocks)
        self.deprecatedAttributes = deprecatedAttributes
        self.mistakes = mistakes
        var roles: [String: Role] = [:]
        for name in repeatedBlocks { roles[name] = .repeatedBlock }
        for name in singleBlocks { roles[name] = .singleBlock }
        for name in unsupportedBlocks { roles[name] = .unsupportedBlock }
        for name in deprecatedAttributes.keys { roles[name] = .deprecatedAttribute }
        for name in unsupportedAttributes { roles[name] = .unsupportedAttribute }
        for name in attributes { roles[name] = .attribute }
        for name in mapBlocks { roles[name] = .mapBlock }
        self.table = SchemaKeyTable(roles.keys.sorted().enumerated().compactMap { slot, name in
            roles[name].map { (name, Key(role: $0, slot: slot)) }
        })
    }

    /// A known name: its role, and a number unique within this schema so that `open` can
    /// remember which keys it has seen in a bit mask instead of comparing strings.
    struct Key: Sendable {
        let role: Role
        let slot: Int
    }

    private let table: SchemaKeyTable

    /// What `name` is in this block, or nil when the block does not know it.
    func role(of name: String) -> Role? { table[name]?.role }

    /// The role of `name` with its slot, or nil when the block does not know it.
    func key(for name: String) -> Key? { table[name] }

    var blocks: Set<String> { singleBlocks.union(repeatedBlocks) }

    /// Every name a user could have meant, for "did you mean" hints.
    var knownNames: [String] {
        Array(attributes.union(blocks).union(unsupportedAttributes).union(unsupportedBlocks)).sorted()
    }
}
