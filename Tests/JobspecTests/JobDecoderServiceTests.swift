import ClusterModel
import Testing

@testable import Jobspec

@Suite struct JobDecoderServiceTests {
    @Test func anUnnamedServiceIsNamedAfterWhereItIsDeclared() throws {
        let outcome = minimalJob(
            group: { block("service") { attr("port", "http") } },
            task: { block("service") { attr("port", "http") } }
        ).decoded()
        let group = try #require(outcome.job?.groups.first, "\(outcome.report)")
        #expect(group.services.map(\.name) == ["web-app"])
        #expect(group.tasks[0].services.map(\.name) == ["web-app-server"])
        #expect(group.services[0].addressMode == "auto")
    }

    @Test func serviceSettingsAreRead() throws {
        let outcome = minimalJob(task: {
            block("service") {
                attr("name", "api")
                attr("tags", ["a", "b"])
                attr("canary_tags", ["canary"])
                attr("port", 8080)
                attr("provider", "nomad")
                block("meta") { attr("version", 2) }
                block("canary_meta") { attr("canary", "yes") }
            }
        }).decoded()
        let service = try #require(outcome.job?.groups.first?.tasks.first?.services.first, "\(outcome.report)")
        #expect(service.name == "api")
        #expect(service.tags == ["a", "b"])
        #expect(service.canaryTags == ["canary"])
        #expect(service.portLabel == "8080")
        #expect(service.provider == "nomad")
        #expect(service.meta == ["version": "2"])
        #expect(service.canaryMeta == ["canary": "yes"])
    }

    @Test func checksAreReadWithTheirDurations() throws {
        let outcome = minimalJob(task: {
            block("service") {
                attr("port", "http")
                block("check") {
                    attr("type", "http")
                    attr("path", "/health")
                    attr("method", "POST")
                    attr("interval", "10s")
                    attr("timeout", "2s")
                    attr("initial_status", "passing")
                    attr("success_before_passing", 2)
                    block("header") { attr("Authorization", ["Basic abc"]) }
                }
            }
        }).decoded()
        let check = try #require(outcome.job?.groups.first?.tasks.first?.services.first?.checks.first, "\(outcome.report)")
        #expect(check.name == "service: \"web-app-server\" check")
        #expect(check.type == "http")
        #expect(check.path == "/health")
        #expect(check.method == "POST")
        #expect(check.interval == .seconds(10))
        #expect(check.timeout == .seconds(2))
        #expect(check.initialStatus == "passing")
        #expect(check.successBeforePassing == 2)
        #expect(check.header == ["Authorization": ["Basic abc"]])
        #expect(check.onUpdate == "require_healthy")
    }

    @Test func aMisspelledCheckKeyIsAnErrorWithTheRightSuggestion() throws {
        let outcome = minimalJob(task: {
            block("service") {
                block("check") {
                    attr("type", "tcp")
                    attr("nterval", "10s")
                }
            }
        }).decoded()
        #expect(outcome.job == nil)
        let error = try #require(outcome.errors.first)
        #expect(error.message == "unknown attribute \"nterval\" in check")
        #expect(error.hint == "did you mean \"interval\"?")
        #expect(error.start.line == 8)
        #expect(
            error.rendered(in: outcome.source)
                == """
                test.hcl:8:11: error: unknown attribute "nterval" in check
                              nterval = "10s"
                              ^~~~~~~
                    hint: did you mean "interval"?
                """)
    }

    @Test func aCheckNeedsAKnownType() {
        let missing = minimalJob(task: { block("service") { block("check") { attr("interval", "5s") } } }).decoded()
        #expect(missing.error(containing: "check needs a type") != nil)
        let wrong = minimalJob(task: { block("service") { block("check") { attr("type", "htpp") } } }).decoded()
        #expect(wrong.error(containing: "type must be one of")?.hint == "did you mean \"http\"?")
    }

    @Test func serviceCheckRestartIsMergedIntoEachCheck() throws {
        let outcome = minimalJob(task: {
            block("service") {
                block("check_restart") {
                    attr("limit", 3)
                    attr("grace", "90s")
                }
                block("check") { attr("type", "tcp") }
                block("check") {
                    attr("type", "tcp")
                    block("check_restart") { attr("ignore_warnings", true) }
                }
            }
        }).decoded()
        let checks = try #require(outcome.job?.groups.first?.tasks.first?.services.first?.checks, "\(outcome.report)")
        #expect(checks[0].checkRestart == CheckSpec.CheckRestart(limit: 3, grace: .seconds(90)))
        #expect(checks[1].checkRestart == CheckSpec.CheckRestart(limit: 3, grace: .seconds(90), ignoreWarnings: true))
    }

    @Test func aServiceOnUpdateIsTheDefaultOfItsChecks() throws {
        let outcome = minimalJob(group: {
            block("service") {
                attr("on_update", "ignore")
                block("check") { attr("type", "tcp") }
                block("check") {
                    attr("type", "tcp")
                    attr("on_update", "ignore_warnings")
                }
            }
        }).decoded()
        let checks = try #require(outcome.job?.groups.first?.services.first?.checks, "\(outcome.report)")
        #expect(checks.map(\.onUpdate) == ["ignore", "ignore_warnings"])
    }

    @Test func connectIsAcceptedAsAWarning() {
        let outcome = minimalJob(group: {
            block("service") {
                attr("port", "9090")
                block("connect") { block("sidecar_service") {} }
            }
        }).decoded()
        #expect(outcome.job != nil, "\(outcome.report)")
        #expect(outcome.warning(containing: "`connect` block is not supported by Roost yet and is ignored") != nil)
    }

    @Test func constraintsReadAttributeOperatorAndValue() throws {
        let job = try #require(
            minimalJob(job: {
                block("constraint") {
                    attr("attribute", "${attr.kernel.name}")
                    attr("value", "linux")
                }
                block("constraint") {
                    attr("attribute", "${attr.vault.version}")
                    attr("operator", "semver")
                    attr("value", ">= 0.6.1")
                }
            }).decoded().job)
        #expect(
            job.constraints == [
                Constraint(leftTarget: "${attr.kernel.name}", rightTarget: "linux", operand: "="),
                Constraint(leftTarget: "${attr.vault.version}", rightTarget: ">= 0.6.1", operand: "semver"),
            ])
    }

    @Test func constraintShorthandsSetTheOperator() throws {
        let job = try #require(
            minimalJob(job: {
                block("constraint") { attr("distinct_hosts", "true") }
                block("constraint") { attr("distinct_property", "${meta.rack}") }
                block("constraint") {
                    attr("attribute", "${attr.kernel.version}")
                    attr("version", "> 3.19")
                }
                block("constraint") {
                    attr("attribute", "${meta.tags}")
                    attr("set_contains", "a,b")
                }
            }).decoded().job)
        #expect(
            job.constraints == [
                Constraint(operand: "distinct_hosts"),
                Constraint(leftTarget: "${meta.rack}", operand: "distinct_property"),
                Constraint(leftTarget: "${attr.kernel.version}", rightTarget: "> 3.19", operand: "version"),
                Constraint(leftTarget: "${meta.tags}", rightTarget: "a,b", operand: "set_contains"),
            ])
    }

    @Test func aConstraintOperatorIsCheckedAndSuggested() throws {
        let outcome = minimalJob(job: {
            block("constraint") {
                attr("attribute", "${attr.kernel.name}")
                attr("operator", "regex")
                attr("value", "lin.*")
            }
        }).decoded()
        let error = try #require(outcome.error(containing: "operator must be"))
        #expect(error.hint == "did you mean \"regexp\"?")
    }

    @Test func aComparisonWithoutAnAttributeIsAnError() {
        let outcome = minimalJob(job: { block("constraint") { attr("value", "linux") } }).decoded()
        #expect(outcome.error(containing: "constraint with operator \"=\" needs an attribute") != nil)
    }

    @Test func anAttributeThatEvaluatesEmptyIsTheUsersChoice() throws {
        let outcome = minimalJob(job: {
            block("constraint") {
                attr("attribute", "")
                attr("operator", "is_set")
            }
        }).decoded()
        #expect(outcome.job?.constraints == [Constraint(operand: "is_set")], "\(outcome.report)")
    }

    @Test func affinitiesHaveAWeightThatIsNeverZero() throws {
        let job = try #require(
            minimalJob(job: {
                block("affinity") {
                    attr("attribute", "${node.datacenter}")
                    attr("value", "dc2")
                    attr("weight", -50)
                }
                block("affinity") {
                    attr("attribute", "${meta.team}")
                    attr("value", "mobile")
                }
            }).decoded().job)
        #expect(
            job.affinities == [
                Affinity(leftTarget: "${node.datacenter}", rightTarget: "dc2", weight: -50),
                Affinity(leftTarget: "${meta.team}", rightTarget: "mobile", weight: 50),
            ])
        let zero = minimalJob(job: {
            block("affinity") {
                attr("attribute", "${node.datacenter}")
                attr("weight", 0)
            }
        }).decoded()
        #expect(zero.error(containing: "weight must not be 0") != nil)
        let large = minimalJob(job: {
            block("affinity") {
                attr("attribute", "${node.datacenter}")
                attr("weight", 150)
            }
        }).decoded()
        #expect(large.error(containing: "weight must be between -100 and 100, got 150") != nil)
    }

    @Test func spreadsReadTheirTargetsAndCheckTheTotal() throws {
        let job = try #require(
            minimalJob(group: {
                block("spread") {
                    attr("attribute", "${node.datacenter}")
                    attr("weight", 100)
                    block("target", "dc1") { attr("percent", 70) }
                    block("target", "dc2") { attr("percent", 30) }
                }
            }).decoded().job)
        #expect(
            job.groups[0].spreads == [
                Spread(
                    attribute: "${node.datacenter}", weight: 100,
                    targets: [Spread.Target(value: "dc1", percent: 70), Spread.Target(value: "dc2", percent: 30)])
            ])
        let over = minimalJob(group: {
            block("spread") {
                attr("attribute", "${node.datacenter}")
                block("target", "dc1") { attr("percent", 70) }
                block("target", "dc2") { attr("percent", 40) }
            }
        }).decoded()
        #expect(over.error(containing: "add up to more than 100 (110)")?.start.line == 8)
    }
}
