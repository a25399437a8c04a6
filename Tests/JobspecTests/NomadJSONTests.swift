import ClusterModel
import Foundation
import Testing

@testable import Jobspec

@Suite struct NomadJSONTests {
    /// A batch job with one empty group: small enough to compare whole.
    private var smallJob: JobSpec {
        JobSpec(
            id: "hello", type: .batch, datacenters: ["dc1"], meta: ["b": "2", "a": "1"],
            groups: [GroupSpec(name: "g", restart: .defaults(for: .batch), reschedule: nil)])
    }

    @Test func compactOutputIsOneLineInNomadsFieldNames() {
        let expected =
            #"{"Job":{"ID":"hello","Name":"hello","Type":"batch","Priority":50,"AllAtOnce":false,"Datacenters":["dc1"],"#
            + #""Region":"global","Namespace":"default","NodePool":"default","Meta":{"a":"1","b":"2"},"Constraints":[],"#
            + #""Affinities":[],"Spreads":[],"Update":null,"Periodic":null,"ParameterizedJob":null,"TaskGroups":[{"#
            + #""Name":"g","Count":1,"Constraints":[],"Affinities":[],"Spreads":[],"RestartPolicy":{"#
            + #""Interval":86400000000000,"Attempts":3,"Delay":15000000000,"Mode":"fail","RenderTemplates":false},"#
            + #""ReschedulePolicy":null,"Update":null,"Migrate":null,"Networks":[],"Services":[],"#
            + #""EphemeralDisk":{"SizeMB":300,"Sticky":false,"Migrate":false},"Meta":{},"ShutdownDelay":null,"#
            + #""StopAfterClientDisconnect":null,"MaxClientDisconnect":null,"Tasks":[]}]}}"#
        #expect(NomadJSON.encode(smallJob, pretty: false) == expected)
    }

    @Test func prettyOutputIndentsByFourSpaces() {
        let pretty = NomadJSON.encode(JobSpec(id: "x"), pretty: true)
        #expect(pretty.hasPrefix("{\n    \"Job\": {\n        \"ID\": \"x\",\n        \"Name\": \"x\",\n"))
        #expect(pretty.contains("\n        \"Datacenters\": [\n            \"*\"\n        ],\n"))
        #expect(pretty.contains("\n        \"Constraints\": [],\n"))
        #expect(pretty.hasSuffix("\n        \"TaskGroups\": []\n    }\n}"))
    }

    @Test func stringsAreEscapedAsJSONRequires() {
        var job = JobSpec(id: "x")
        job.meta = ["text": "quote \" backslash \\ newline \n tab \t bell \u{07} é 🚀"]
        let json = NomadJSON.encode(job, pretty: false)
        #expect(json.contains(#""text":"quote \" backslash \\ newline \n tab \t bell \u0007 é 🚀""#))
    }

    @Test func theOutputIsValidJSONThatFoundationCanRead() throws {
        let job = try #require(kitchenSinkOutcome().job)
        for pretty in [true, false] {
            let data = Data(NomadJSON.encode(job, pretty: pretty).utf8)
            let object = try JSONSerialization.jsonObject(with: data)
            #expect((object as? [String: Any])?["Job"] != nil)
        }
    }

    @Test func everyValueTheUserWroteAppearsWithDurationsInNanoseconds() throws {
        let outcome = kitchenSinkOutcome()
        let job = try #require(outcome.job, "\(outcome.report)")
        let data = Data(NomadJSON.encode(job).utf8)
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let encoded = try #require(root["Job"] as? [String: Any])
        #expect(encoded["ID"] as? String == "web")
        #expect(encoded["Priority"] as? Int == 70)
        #expect(encoded["Datacenters"] as? [String] == ["dc1"])
        let groups = try #require(encoded["TaskGroups"] as? [[String: Any]])
        let group = groups[0]
        #expect(group["Count"] as? Int == 3)
        let restart = try #require(group["RestartPolicy"] as? [String: Any])
        #expect(restart["Interval"] as? Int64 == 600_000_000_000)
        #expect(restart["Mode"] as? String == "delay")
        let update = try #require(group["Update"] as? [String: Any])
        #expect(update["MaxParallel"] as? Int == 2)
        #expect(update["HealthCheck"] as? String == "task_states")
        let networks = try #require(group["Networks"] as? [[String: Any]])
        let reserved = try #require(networks[0]["ReservedPorts"] as? [[String: Any]])
        #expect(reserved[0]["Label"] as? String == "http")
        #expect(reserved[0]["Value"] as? Int == 80)
        #expect(reserved[0]["To"] as? Int == 8080)
        let spreads = try #require(group["Spreads"] as? [[String: Any]])
        #expect((spreads[0]["SpreadTarget"] as? [[String: Any]])?.first?["Percent"] as? Int == 60)

        let task = try #require((group["Tasks"] as? [[String: Any]])?.first)
        #expect(task["Driver"] as? String == "docker")
        #expect(task["KillTimeout"] as? Int64 == 22_000_000_000)
        let config = try #require(task["Config"] as? [String: Any])
        #expect(config["image"] as? String == "redis:7")
        #expect(config["ports"] as? [String] == ["http"])
        #expect((config["labels"] as? [[String: Any]])?.first?["team"] as? String == "ops")
        #expect(task["Env"] as? [String: String] == ["PORT": "8080"])
        let resources = try #require(task["Resources"] as? [String: Any])
        #expect(resources["CPU"] as? Int == 500)
        #expect(resources["MemoryMB"] as? Int == 256)
        let taskRestart = try #require(task["RestartPolicy"] as? [String: Any])
        #expect(taskRestart["Attempts"] as? Int == 5, "a task without restart shows the group's policy")
        let check = try #require(
            ((task["Services"] as? [[String: Any]])?.first?["Checks"] as? [[String: Any]])?.first)
        #expect(check["Interval"] as? Int64 == 10_000_000_000)
        #expect(check["Timeout"] as? Int64 == 2_000_000_000)
        #expect(check["Header"] as? [String: [String]] == ["X-Check": ["1"]])
        let template = try #require((task["Templates"] as? [[String: Any]])?.first)
        #expect(template["DestPath"] as? String == "local/app.conf")
        #expect((template["Wait"] as? [String: Any])?["Min"] as? Int64 == 5_000_000_000)
        #expect((template["Wait"] as? [String: Any])?["Max"] is NSNull)
        let artifact = try #require((task["Artifacts"] as? [[String: Any]])?.first)
        #expect(artifact["GetterSource"] as? String == "https://example.com/app.tgz")
        #expect(artifact["RelativeDest"] as? String == "local/")
        #expect((task["Lifecycle"] as? [String: Any])?["Hook"] as? String == "prestart")
    }

    @Test func periodicSpecsFollowNomadsSplitOfCronAndCrons() throws {
        var job = JobSpec(id: "p", type: .batch, periodic: PeriodicConfig(specs: ["0 * * * *"]))
        #expect(
            NomadJSON.encode(job, pretty: false).contains(
                #""Periodic":{"Enabled":true,"Spec":"0 * * * *","Specs":[],"SpecType":"cron","ProhibitOverlap":false,"TimeZone":"UTC"}"#))
        job.periodic = PeriodicConfig(specs: ["0 * * * *", "30 * * * *"])
        #expect(NomadJSON.encode(job, pretty: false).contains(#""Spec":"","Specs":["0 * * * *","30 * * * *"]"#))
    }

    @Test func configNumbersStayIntegersWhenWhole() {
        var task = TaskSpec(name: "t")
        task.config = ["port": .number(6379), "ratio": .number(0.25), "huge": .number(1e300), "none": .null]
        var job = JobSpec(id: "x")
        job.groups = [GroupSpec(name: "g", tasks: [task], restart: .defaults(for: .service), reschedule: nil)]
        let json = NomadJSON.encode(job, pretty: false)
        #expect(json.contains(#""Config":{"huge":1e+300,"none":null,"port":6379,"ratio":0.25}"#))
    }

    private func kitchenSinkOutcome() -> DecodeOutcome {
        DecoderFixture {
            block("job", "web") {
                attr("priority", 70)
                attr("datacenters", ["dc1"])
                block("group", "cache") {
                    attr("count", 3)
                    block("restart") {
                        attr("attempts", 5)
                        attr("interval", "10m")
                        attr("mode", "delay")
                    }
                    block("update") {
                        attr("max_parallel", 2)
                        attr("health_check", "task_states")
                    }
                    block("spread") {
                        attr("attribute", "${node.datacenter}")
                        block("target", "dc1") { attr("percent", 60) }
                    }
                    block("network") {
                        block("port", "http") {
                            attr("static", 80)
                            attr("to", 8080)
                        }
                    }
                    block("task", "redis") {
                        attr("driver", "docker")
                        attr("kill_timeout", "22s")
                        block("config") {
                            attr("image", "redis:7")
                            attr("ports", ["http"])
                            block("labels") { attr("team", "ops") }
                        }
                        block("env") { attr("PORT", 8080) }
                        block("resources") {
                            attr("cpu", 500)
                            attr("memory", 256)
                        }
                        block("lifecycle") { attr("hook", "prestart") }
                        block("service") {
                            attr("port", "http")
                            block("check") {
                                attr("type", "http")
                                attr("path", "/")
                                attr("interval", "10s")
                                attr("timeout", "2s")
                                block("header") { attr("X-Check", ["1"]) }
                            }
                        }
                        block("template") {
                            attr("data", "x")
                            attr("destination", "local/app.conf")
                            block("wait") { attr("min", "5s") }
                        }
                        block("artifact") { attr("source", "https://example.com/app.tgz") }
                    }
                }
            }
        }.decoded()
    }
}
