/// What a token is. Kept to one byte so that the lookahead queue stays small.
enum TokenKind: UInt8, Sendable, Hashable {
    case endOfFile
    case newline
    /// `# …`, `// …` (without the newline) or `/* … */`; only produced when asked for.
    case comment

    case identifier
    case number

    case openBrace  // {
    case closeBrace  // }
    case openBracket  // [
    case closeBracket  // ]
    case openParenthesis  // (
    case closeParenthesis  // )

    case comma
    case dot
    case ellipsis  // ...
    case colon
    case question
    case equals  // =
    case fatArrow  // =>

    case plus
    case minus
    case star
    case slash
    case percent
    case equalEqual
    case notEqual
    case less
    case lessOrEqual
    case greater
    case greaterOrEqual
    case and  // &&
    case or  // ||
    case bang  // !

    /// A whole quoted string without interpolations or directives, quotes included.
    case quotedString
    /// The `"` that opens a quoted template.
    case openQuote
    /// The `"` that closes it.
    case closeQuote
    /// `<<EOF` or `<<-EOF` with its newline.
    case openHeredoc
    /// The closing marker line of a heredoc (its indentation and marker, not its newline).
    case closeHeredoc
    /// Literal text inside a quoted template or heredoc.
    case templateLiteral
    /// `${` or `${~`
    case templateInterpolation
    /// `%{` or `%{~`
    case templateDirective
    /// The `}` or `~}` that ends an interpolation or directive.
    case templateSequenceEnd

    /// Something the lexer could not make sense of; it has already reported why.
    case invalid

    /// How the token is named in "expected …, found …" messages.
    var displayName: String {
        switch self {
        case .endOfFile: "the end of the file"
        case .newline: "a newline"
        case .comment: "a comment"
        case .identifier: "a name"
        case .number: "a number"
        case .openBrace: "\"{\""
        case .closeBrace: "\"}\""
        case .openBracket: "\"[\""
        case .closeBracket: "\"]\""
        case .openParenthesis: "\"(\""
        case .closeParenthesis: "\")\""
        case .comma: "\",\""
        case .dot: "\".\""
        case .ellipsis: "\"...\""
        case .colon: "\":\""
        case .question: "\"?\""
        case .equals: "\"=\""
        case .fatArrow: "\"=>\""
        case .plus: "\"+\""
        case .minus: "\"-\""
        case .star: "\"*\""
        case .slash: "\"/\""
        case .percent: "\"%\""
        case .equalEqual: "\"==\""
        case .notEqual: "\"!=\""
        case .less: "\"<\""
        case .lessOrEqual: "\"<=\""
        case .greater: "\">\""
        case .greaterOrEqual: "\">=\""
        case .and: "\"&&\""
        case .or: "\"||\""
        case .bang: "\"!\""
        case .quotedString: "a string"
        case .openQuote: "a string"
        case .closeQuote: "the end of a string"
        case .openHeredoc: "a heredoc"
        case .closeHeredoc: "the end of a heredoc"
        case .templateLiteral: "template text"
        case .templateInterpolation: "\"${\""
        case .templateDirective: "\"%{\""
        case .templateSequenceEnd: "\"}\""
        case .invalid: "an invalid character"
        }
    }

    var binaryOperator: BinaryOperator? {
        switch self {
        case .or: .or
        case .and: .and
        case .equalEqual: .equal
        case .notEqual: .notEqual
        case .less: .less
        case .lessOrEqual: .lessOrEqual
        case .greater: .greater
        case .greaterOrEqual: .greaterOrEqual
        case .plus: .add
        case .minus: .subtract
        case .star: .multiply
        case .slash: .divide
        case .percent: .modulo
        default: nil
        }
    }
}

extension BinaryOperator {
    /// Higher binds tighter: `||` < `&&` < equality < comparison < `+ -` < `* / %`.
    var precedence: Int {
        switch self {
        case .or: 1
        case .and: 2
        case .equal, .notEqual: 3
        case .less, .lessOrEqual, .greater, .greaterOrEqual: 4
        case .add, .subtract: 5
        case .multiply, .divide, .modulo: 6
        }
    }
}
