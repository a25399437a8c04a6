import ClusterModel

/// A value given for an input `variable` from outside the file: `-var name=value` and
/// `NOMAD_VAR_name` give raw text, parsed according to the variable's declared `type`;
/// a `-var-file` gives values already evaluated.
public enum VariableInput: Sendable, Hashable {
    case raw(String)
    case value(DynamicValue)
}
