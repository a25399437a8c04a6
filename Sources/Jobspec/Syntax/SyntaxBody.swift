/// The generic HCL structure of a file or block body: attributes (`name = expr`) and nested
/// blocks (`type "label" { … }`), each in source order. Nothing job-specific lives here.
public struct SyntaxBody: Sendable {
    public var attributes: [SyntaxAttribute]
    public var blocks: [SyntaxBlock]
    /// From the opening brace to the closing brace (the whole file for the top level).
    public var span: SourceSpan

    public init(attributes: [SyntaxAttribute] = [], blocks: [SyntaxBlock] = [], span: SourceSpan = .none) {
        self.attributes = attributes
        self.blocks = blocks
        self.span = span
    }
}

/// `name = expression`.
public struct SyntaxAttribute: Sendable {
    public var name: String
    public var nameSpan: SourceSpan
    public var value: Expression

    public init(name: String, nameSpan: SourceSpan, value: Expression) {
        self.name = name
        self.nameSpan = nameSpan
        self.value = value
    }

    public var span: SourceSpan { nameSpan.union(value.span) }
}

/// `type "label" label2 { body }`.
public struct SyntaxBlock: Sendable {
    public struct Label: Sendable {
        public var value: String
        public var span: SourceSpan

        public init(value: String, span: SourceSpan) {
            self.value = value
            self.span = span
        }
    }

    public var type: String
    public var typeSpan: SourceSpan
    public var labels: [Label]
    public var body: SyntaxBody

    public init(type: String, typeSpan: SourceSpan, labels: [Label] = [], body: SyntaxBody) {
        self.type = type
        self.typeSpan = typeSpan
        self.labels = labels
        self.body = body
    }

    public var span: SourceSpan { typeSpan.union(body.span) }
}
