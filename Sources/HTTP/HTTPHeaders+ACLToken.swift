/// The headers a Roost API call carries its ACL token in: the managers' API and the workers'
/// log API read it the same way, so a client (or a Nomad tool) sends it once.
extension HTTPHeaders {
    /// The token's secret from the first of `X-Roost-Token`, `X-Nomad-Token` and
    /// `Authorization: Bearer` that is present; nil when none is.
    public var aclTokenSecret: String? {
        for name in ["X-Roost-Token", "X-Nomad-Token"] {
            if let value = self[name]?.trimmingSpaces, !value.isEmpty { return value }
        }
        if let authorization = self["Authorization"]?.trimmingSpaces,
           let space = authorization.firstIndex(of: " "),
           authorization[..<space].lowercased() == "bearer" {
            let value = authorization[authorization.index(after: space)...].trimmingSpaces
            if !value.isEmpty { return value }
        }
        return nil
    }
}

extension StringProtocol {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
