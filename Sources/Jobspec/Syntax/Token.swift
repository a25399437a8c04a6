/// One lexical unit of HCL native syntax: a kind and the bytes it covers. Tokens carry no
/// text of their own, so lexing allocates nothing; the parser makes Strings only for the few
/// tokens whose text it keeps (names and literal values).
struct Token: Sendable, Hashable {
    var kind: TokenKind
    /// Kind-specific detail, see `TokenFlags`.
    var flags: UInt8
    var start: Int
    var end: Int

    init(_ kind: TokenKind, start: Int, end: Int, flags: UInt8 = 0) {
        self.kind = kind
        self.flags = flags
        self.start = start
        self.end = end
    }

    var span: SourceSpan { SourceSpan(start: start, end: end) }
}

/// Details the lexer already knows and the parser would otherwise have to rescan for.
enum TokenFlags {
    /// A template literal contains `\`, `$${` or `%%{` and must be decoded, not copied.
    static let needsDecoding: UInt8 = 1
    /// A number literal has a fraction or an exponent.
    static let fractional: UInt8 = 2
    /// `${~`, `%{~` or `~}`: strip the whitespace of the neighbouring literal.
    static let strip: UInt8 = 4
    /// A heredoc opener in the `<<-` form, whose lines lose their common indentation.
    static let flush: UInt8 = 8
    /// Made up by the lexer to recover from an error (e.g. the missing quote of an
    /// unterminated string); it covers no source text.
    static let synthetic: UInt8 = 16
}
