import ClusterModel
import Foundation
import Jobspec
import Testing

/// Runs the whole folder of real Nomad job files: positive files decode to a job, NEGATIVE
/// ones fail at the right line, and the files whose meaning Nomad's own tests pin down
/// decode to that meaning.
@Suite struct ConformanceTests {
    @Test func everyPositiveFileDecodesToAJob() throws {
        guard ConformanceCorpus.directory != nil else {
            print(ConformanceCorpus.skipNote("everyPositiveFileDecodesToAJob"))
            return
        }
        let names = try ConformanceCorpus.fileNames()
        #expect(names.count == 75)
        for name in names where ConformanceCorpus.negativeFiles[name] == nil {
            let file = try ConformanceCorpus.load(name)
            #expect(file.job != nil, "\(name) did not decode:\n\(file.renderedDiagnostics)")
        }
    }

    @Test func everyNegativeFileFailsAtTheRightLine() throws {
        guard ConformanceCorpus.directory != nil else {
            print(ConformanceCorpus.skipNote("everyNegativeFileFailsAtTheRightLine"))
            return
        }
        for (name, line) in ConformanceCorpus.negativeFiles.sorted(by: { $0.key < $1.key }) {
            let file = try ConformanceCorpus.load(name)
            #expect(file.job == nil, "\(name) must fail")
            let errors = file.diagnostics.filter { $0.severity == .error }
            #expect(errors.first?.start.line == line, "\(name): expected an error at line \(line), got:\n\(file.renderedDiagnostics)")
        }
    }

    @Test func dynamicBlocksExpandIntoThreeGroups() throws {
        guard ConformanceCorpus.directory != nil else { return print(ConformanceCorpus.skipNote("dynamic")) }
        let job = try #require(try ConformanceCorpus.load("jobspec2-parse_test-dynamic.hcl").job)
        #expect(job.groups.map(\.name) == ["groupA", "groupB", "groupC"])
        #expect(job.groups.map(\.count) == [1, 2, 3])
        #expect(job.groups.map { $0.tasks[0].resources.cpuMHz } == [1, 2, 3])
        #expect(job.groups.map { $0.services.first?.portLabel } == ["groupA", "groupB", "groupC"])
        #expect(job.groups[0].tasks[0].config["command"] == .string("groupA"))
        #expect(job.groups[0].tasks[0].meta["VERSION"] == "1")
        #expect(job.groups[0].tasks[0].env["ID"] == "id:1")
    }

    @Test func lookupsFollowTheEnvironmentVariable() throws {
        guard ConformanceCorpus.directory != nil else { return print(ConformanceCorpus.skipNote("lookups")) }
        let name = "jobspec2-parse_test-functions-and-lookups.hcl"
        let prod = try #require(try ConformanceCorpus.load(name, variables: ["env": "prod"]).job)
        #expect(prod.datacenters == ["prod-dc1", "prod-dc2"])
        #expect(prod.groups[0].count == 20)
        #expect(prod.groups[0].tasks[0].config["args"] == .list([.string("-text"), .string("Hello from prod")]))
        let staging = try #require(try ConformanceCorpus.load(name, variables: ["env": "staging"]).job)
        #expect(staging.datacenters == ["dc1"])
        #expect(staging.groups[0].count == 3)
        let missing = try ConformanceCorpus.load(name, variables: [:])
        #expect(missing.job == nil)
        #expect(missing.renderedDiagnostics.contains("env"))
    }

    @Test func localsUseDefaultsOrGivenVariables() throws {
        guard ConformanceCorpus.directory != nil else { return print(ConformanceCorpus.skipNote("locals")) }
        let name = "jobspec2-parse_test-locals.hcl"
        let defaults = try #require(try ConformanceCorpus.load(name).job)
        #expect(defaults.datacenters == ["local_dc"])
        #expect(defaults.region == "default_region.example")
        let given = try #require(try ConformanceCorpus.load(name, variables: ["region_var": "set_region"]).job)
        #expect(given.region == "set_region.example")
    }

    @Test func forExpressionsAndFunctionsEvaluate() throws {
        guard ConformanceCorpus.directory != nil else { return print(ConformanceCorpus.skipNote("functions")) }
        let job = try #require(
            try ConformanceCorpus.load("jobspec2-parse_test-vars-and-functions.hcl", variables: ["region_var": "aug"]).job)
        #expect(job.datacenters == ["DC1", "DC2"])
        #expect(job.region == "aug")
    }

    @Test func portsSplitIntoReservedAndDynamic() throws {
        guard ConformanceCorpus.directory != nil else { return print(ConformanceCorpus.skipNote("ports")) }
        let job = try #require(try ConformanceCorpus.load("parse-ports.hcl").job)
        let network = try #require(job.groups.first?.networks.first)
        #expect(network.reservedPorts == [NetworkSpec.Port(label: "static", value: 9000)])
        #expect(network.dynamicPorts.map(\.label) == ["dynamic"])
    }

    @Test func templateSettingsSurviveDecoding() throws {
        guard ConformanceCorpus.directory != nil else { return print(ConformanceCorpus.skipNote("templates")) }
        let missingKey = try #require(try ConformanceCorpus.load("template-err-missing-key.hcl").job)
        #expect(missingKey.groups[0].tasks[0].templates[0].errorOnMissingKey)
        let wait = try #require(try ConformanceCorpus.load("template-wait-config.hcl").job)
        #expect(wait.groups[0].tasks[0].templates[0].waitMin == .seconds(5))
        #expect(wait.groups[0].tasks[0].templates[0].waitMax == .seconds(60))
    }

    @Test func runtimeReferencesAreKeptVerbatimForWorkers() throws {
        guard ConformanceCorpus.directory != nil else { return print(ConformanceCorpus.skipNote("runtime")) }
        let job = try #require(try ConformanceCorpus.load("xyz.hcl").job)
        #expect(job.constraints.first?.leftTarget == "${attr.kernel.name}")
        #expect(job.groups[0].tasks[0].config["args"] == .list([.string("X hello, Y 2, Z true")]))
    }

    @Test func kitchenSinkFileKeepsWhatTheUserWrote() throws {
        guard ConformanceCorpus.directory != nil else { return print(ConformanceCorpus.skipNote("basic")) }
        let file = try ConformanceCorpus.load("basic.hcl")
        let job = try #require(file.job)
        #expect(job.id == "binstore-storagelocker")
        #expect(job.region == "fooregion")
        #expect(job.namespace == "foonamespace")
        #expect(job.type == .batch)
        #expect(job.priority == 52)
        #expect(job.allAtOnce)
        #expect(job.datacenters == ["us2", "eu1"])
        // The legacy job-level task becomes a group of its own, before the declared group.
        #expect(job.groups.map(\.name) == ["outside", "binsl"])
        let group = job.groups[1]
        #expect(group.count == 5)
        #expect(group.restart == RestartPolicy(attempts: 5, interval: .seconds(600), delay: .seconds(15), mode: .delay))
        #expect(group.ephemeralDisk == EphemeralDisk(sizeMiB: 150, sticky: true))
        #expect(group.meta["elb_interval"] == "10")
        let task = group.tasks[0]
        #expect(task.user == "bob")
        #expect(task.resources.memoryMaxMiB == 256)
        #expect(task.killTimeout == .seconds(22))
        #expect(task.logs == LogConfig(maxFiles: 14, maxFileSizeMiB: 101))
        #expect(task.artifacts.count == 2)
        #expect(task.templates.count == 2)
        #expect(task.services.first?.checks.first?.interval == .seconds(10))
        // The task's `restart { attempts = 10 }` merges onto the group's policy.
        #expect(task.restart?.attempts == 10)
        #expect(task.restart?.mode == .delay)
        // vault and volumes are accepted but not run: each is a warning naming the block.
        let warnings = file.diagnostics.filter { $0.severity == .warning }.map(\.message).joined(separator: "\n")
        #expect(warnings.contains("vault"))
        #expect(warnings.contains("volume"))
    }
}
