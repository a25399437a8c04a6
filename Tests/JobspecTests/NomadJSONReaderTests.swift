import ClusterModel
import Jobspec
import Testing

@Suite struct NomadJSONReaderTests {
    @Test func everyPositiveConformanceJobSurvivesTheTripThroughNomadsJSON() throws {
        guard ConformanceCorpus.directory != nil else {
            print(ConformanceCorpus.skipNote("NomadJSON round trip"))
            return
        }
        var checked = 0
        for name in try ConformanceCorpus.fileNames() where ConformanceCorpus.negativeFiles[name] == nil {
            guard let job = try ConformanceCorpus.load(name).job else { continue }
            let written = NomadJSON.encode(job)
            switch NomadJSONReader.decodeJob(written) {
            case .success(let read):
                let rewritten = NomadJSON.encode(read)
                if rewritten != written, let line = zip(rewritten.split(separator: "\n"), written.split(separator: "\n")).first(where: { $0.0 != $0.1 }) {
                    Issue.record("\(name) changed on the way through JSON: \(line.1) became \(line.0)")
                }
            case .failure(let error):
                Issue.record("\(name): \(error)")
            }
            checked += 1
        }
        #expect(checked > 60)
    }

    @Test func aMinimalJobGetsTheDefaultsAJobFileWouldGet() throws {
        let json = #"{"Job":{"ID":"web","TaskGroups":[{"Name":"g","Tasks":[{"Name":"t","Driver":"raw_exec","Config":{"command":"sleep","args":["60"]}}]}]}}"#
        let job = try NomadJSONReader.decodeJob(json).get()
        let fromFile = try #require(
            JobFile.load(SourceFile(name: "web.hcl", text: """
                job "web" {
                  group "g" {
                    task "t" {
                      driver = "raw_exec"
                      config {
                        command = "sleep"
                        args    = ["60"]
                      }
                    }
                  }
                }
                """)).job)
        #expect(NomadJSON.encode(job) == NomadJSON.encode(fromFile))
    }

    @Test func fieldNamesMatchWithoutRegardToCaseAsNomadMatchesThem() throws {
        let json = #"{"job":{"id":"x","taskgroups":[{"name":"g","count":2,"tasks":[{"name":"t","driver":"raw_exec"}]}]}}"#
        let job = try NomadJSONReader.decodeJob(json).get()
        #expect(job.id == "x" && job.groups.first?.count == 2)
    }

    @Test(arguments: [
        (#"{"Job":{"TaskGroups":[]}}"#, "Job.ID: every job needs an ID"),
        (#"{"Job":{"ID":"x","TaskGroups":[{"Name":"g","Count":"3","Tasks":[]}]}}"#,
         #"Job.TaskGroups[0].Count: expected a whole number, got "3""#),
        (#"{"Job":{"ID":"x","TaskGroups":[{"Name":"g","Tasks":[{"Name":"t","Driver":7}]}]}}"#,
         #"Job.TaskGroups[0].Tasks[0].Driver: expected a string, got number"#),
        (#"{"Job":{"ID":"x","TaskGroups":[{"Name":"g","Tasks":[{"Name":"t"},{"Name":"t"}]}]}}"#,
         #"Job.TaskGroups[0].Tasks[1].Name: another task of group "g" is already named "t""#),
        (#"{"Job":{"ID":"x","Type":"cron","TaskGroups":[]}}"#,
         #"Job.Type: "cron" is not one of "service", "batch", "system", "sysbatch""#),
        (#"{"Job":{"ID":"x","Priority":500,"TaskGroups":[]}}"#, "Job.Priority: must be between 1 and 100, got 500"),
        (#"{"Job": "#, "body: not valid JSON: unexpected end of the text at byte 9"),
        (#"[1]"#, #"body: expected a JSON object with a "Job" field"#),
    ] as [(String, String)])
    func brokenJobsNameThePathAndTheProblem(json: String, expected: String) {
        switch NomadJSONReader.decodeJob(json) {
        case .success(let job): Issue.record("accepted \(job.id)")
        case .failure(let error): #expect(error.description == expected)
        }
    }

    @Test func hostileNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        guard case .failure(let error) = NomadJSONReader.decodeJob(#"{"Job":"# + deep + "}") else {
            Issue.record("accepted")
            return
        }
        #expect(error.message.contains("nests deeper"))
    }
}
