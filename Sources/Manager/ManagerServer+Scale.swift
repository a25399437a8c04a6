import ClusterModel

extension ManagerServer {
    /// `roost job scale`: a new version of the job with one group's count changed, registered
    /// like any update, so the scheduler places or stops only the difference. Scaling to the
    /// count the group already has changes nothing and creates no version.
    public func scale(namespace: String, jobID: String, group groupName: String?, count: Int) async throws(ManagerError) -> JobRegistration {
        // A consistent read, so a job registered a moment ago through another manager is found.
        let snapshot = try await self.snapshot(stale: false)
        guard let record = snapshot.job(namespace: namespace, id: jobID) else {
            throw .notFound("job \"\(jobID)\" not found in namespace \(namespace): check the ID with \"roost job status\"")
        }
        let job = record.spec
        guard !record.stopped else {
            throw .invalid("job \"\(jobID)\" is stopped: run it again (roost job run) before scaling it")
        }
        guard job.type == .service || job.type == .batch else {
            throw .invalid("job \"\(jobID)\" is a \(job.type.rawValue) job, which runs one allocation per node: it has no count to scale")
        }
        guard job.periodic == nil, job.parameterized == nil else {
            throw .invalid("job \"\(jobID)\" is \(job.periodic != nil ? "periodic" : "parameterized"): scale the jobs it launches by changing its count in the job file")
        }
        let names = job.groups.map(\.name)
        let position: Int
        if let groupName {
            guard let found = names.firstIndex(of: groupName) else {
                throw .invalid("job \"\(jobID)\" has no group \"\(groupName)\" (its groups: \(names.joined(separator: ", ")))")
            }
            position = found
        } else {
            guard names.count == 1 else {
                throw .invalid("job \"\(jobID)\" has \(names.count) groups (\(names.joined(separator: ", "))): name the one to scale")
            }
            position = 0
        }
        guard count >= 0, count <= JobRegistrationCheck.maximumGroupCount else {
            throw .invalid("the count must be from 0 to \(JobRegistrationCheck.maximumGroupCount), got \(count)")
        }
        guard job.groups[position].count != count else {
            return JobRegistration(
                evaluationID: nil, index: record.jobModifyIndex, jobModifyIndex: record.jobModifyIndex,
                warnings: ["group \"\(names[position])\" already has count \(count): nothing changed"])
        }
        var scaled = job
        scaled.groups[position].count = count
        return try await register(scaled)
    }
}
