/// One input variable declared in a file, by a `variable "name" { … }` block or as an
/// attribute of a `variables { … }` block.
struct VariableDeclaration: Sendable {
    struct Validation: Sendable {
        var condition: Expression
        var errorMessage: Expression?
        var span: SourceSpan
    }

    var name: String
    /// `variable "name"` (or the attribute name in `variables {}`): where problems with the
    /// value given from outside are reported.
    var headerSpan: SourceSpan
    var type: VariableType
    var defaultValue: Expression?
    var validations: [Validation]
}
