/// The HTTP API speaks Nomad's JSON field names (`ID`, `JobID`, `EvalID`, `TaskGroup`,
/// `ClientStatus`…) so Nomad users and clients recognise them, while Swift code keeps Swift
/// names. Most names differ only in the first letter; the table holds the rest. The mapping is
/// one-to-one, so the CLI decodes exactly what the agent encodes.
enum APIKeyMapping {
    /// Swift property name → API field name, where capitalising the first letter is not enough.
    static let exceptions: [String: String] = [
        "id": "ID",
        "evaluationID": "EvalID",
        "groupName": "TaskGroup",
        "followupEvaluationID": "FollowupEvalID",
        "previousEvaluation": "PreviousEval",
        "blockedEvaluation": "BlockedEval",
        "failedGroupAllocations": "FailedTGAllocs",
        "httpAddress": "HTTPAddr",
        "eligibility": "SchedulingEligibility",
        "cpuMHz": "CPU",
        "memoryMiB": "MemoryMB",
        "memoryMaxMiB": "MemoryMaxMB",
        "diskMiB": "DiskMB",
        "message": "DisplayMessage",
        "restartDelay": "StartDelay",
        "oomKilled": "OOMKilled",
        "hostIP": "HostIP",
        "placedAllocations": "PlacedAllocs",
        "healthyAllocations": "HealthyAllocs",
        "unhealthyAllocations": "UnhealthyAllocs",
        "preemptedAllocations": "PreemptedAllocs",
    ]

    static let reverseExceptions: [String: String] = Dictionary(
        uniqueKeysWithValues: exceptions.map { ($0.value, $0.key) })

    static func apiName(for swiftName: String) -> String {
        if let exception = exceptions[swiftName] { return exception }
        guard let first = swiftName.first else { return swiftName }
        return first.uppercased() + swiftName.dropFirst()
    }

    static func swiftName(for apiName: String) -> String {
        if let exception = reverseExceptions[apiName] { return exception }
        guard let first = apiName.first else { return apiName }
        return first.lowercased() + apiName.dropFirst()
    }
}
