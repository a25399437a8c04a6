import ClusterModel
@testable import RoostCLI
import Testing

/// `roost deployment …`, `job history` and `job revert`: what is caught before a request
/// reaches an agent, and how a deployment is shown.
@Suite struct DeploymentCommandTests {
    @Test func deploymentActionsNeedExactlyOneDeployment() async {
        for action in ["status", "promote", "fail", "pause", "resume"] {
            let run = await roost("deployment", action)
            #expect(run.status == 64, "\(action)")
            #expect(run.errors.contains("takes exactly one DEPLOYMENT"), "\(action): \(run.errors)")
        }
    }

    @Test func revertNeedsAWholeVersionNumber() async {
        let run = await roost("job", "revert", "web", "two")
        #expect(run.status == 64)
        #expect(run.errors.contains("VERSION must be a whole number"))
        #expect(await roost("job", "revert", "web").status == 64)
        #expect(await roost("job", "history").status == 64)
    }

    @Test func theHelpListsDeploymentsAndJobHistoryAndRevert() async {
        let top = await roost("--help")
        #expect(top.output.contains("  deployment "))
        let job = await roost("job", "--help")
        #expect(job.output.contains("  history ") && job.output.contains("  revert "))
    }

    @Test func aDeploymentIsShownWithOneRowPerGroupAndItsCanariesWhenItHasThem() {
        var group = DeploymentGroupState(desiredTotal: 5, desiredCanaries: 1, placedAllocations: 3, healthyAllocations: 2,
                                         unhealthyAllocations: 1, progressDeadline: .seconds(600))
        group.requireProgressBy = Timestamp(nanosecondsSinceEpoch: 1_000_000_000_000 + 90_000_000_000)
        let deployment = Deployment(
            id: DeploymentID(uuid: "0b1c2d3e-0000-4000-8000-000000000000"), namespace: "default", jobID: "web", jobVersion: 3,
            taskGroups: ["app": group])
        let text = DeploymentCommand.describe(deployment, in: CommandContext(console: CapturingConsole(), environment: [:], path: ["roost"]), now: Timestamp(nanosecondsSinceEpoch: 1_000_000_000_000))
        #expect(text.contains("Job Version = 3"))
        #expect(text.contains("Task Group  Promoted  Desired  Canaries  Placed  Healthy  Unhealthy  Progress Deadline"))
        #expect(text.contains("app         false     5        1         3       2        1          in 1m30s"), "\(text)")
    }
}
