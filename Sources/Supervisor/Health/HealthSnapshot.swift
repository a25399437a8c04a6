import ClusterModel

/// What the allocation runner publishes of an allocation's health: the checks by task and
/// the deployment verdict. `version` grows with every snapshot so a late delivery of an older
/// one cannot overwrite a newer one.
struct HealthSnapshot: Sendable, Hashable {
    var version: UInt64
    var checksByTask: [String: [ServiceCheckStatus]]
    var verdict: AllocationDeploymentStatus?
}
