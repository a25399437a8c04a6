import ClusterModel

/// A value given for an input `variable` from outside the file: `-var name=value` gives raw
/// text, parsed according to the variable's declared `type`; a `-var-file` gives values
/// already evaluated. `NOMAD_VAR_name` also gives raw text, but the environment holds
/// variables for many jobs, so one the file does not declare is ignored rather than an error.
public enum VariableInput: Sendable, Hashable {
    case raw(String)
    case value(DynamicValue)
    case environment(String)
}
