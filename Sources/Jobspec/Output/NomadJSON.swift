import ClusterModel

/// Writes a job in the JSON shape of Nomad's `POST /v1/jobs` body. (Stub: being written.)
public enum NomadJSON {
    public static func encode(_ job: JobSpec, pretty: Bool = true) -> String {
        "{}"
    }
}
