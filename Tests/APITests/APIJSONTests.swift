import API
import ClusterModel
import Foundation
import Testing

@Suite struct APIJSONTests {
    static func sampleAllocation() -> Allocation {
        var state = TaskState(state: .running, restarts: 1, startedAt: Timestamp(nanosecondsSinceEpoch: 5))
        state.record(TaskEvent(kind: .restarting, time: Timestamp(nanosecondsSinceEpoch: 4), message: "Restarting in 15s"))
        return Allocation(
            id: AllocationID(uuid: "a1b2c3d4-0000-4000-8000-000000000001"),
            evaluationID: EvaluationID(uuid: "e1b2c3d4-0000-4000-8000-000000000001"),
            nodeID: NodeID(uuid: "n1b2c3d4-0000-4000-8000-000000000001"), nodeName: "dev",
            job: JobSpec(id: "web"), jobVersion: 2, groupName: "frontend", index: 0,
            taskResources: ["server": Resources(cpuMHz: 200, memoryMiB: 64)], clientStatus: .running,
            taskStates: ["server": state])
    }

    @Test func allocationsUseNomadFieldNamesWhileMapKeysStayAsWritten() throws {
        let text = String(decoding: try APIJSON.encode(Self.sampleAllocation()), as: UTF8.self)
        for field in [#""ID":"a1b2c3d4"#, #""EvalID":"#, #""TaskGroup":"frontend""#, #""ClientStatus":"running""#,
                      #""JobID":"web""#, #""NodeName":"dev""#, #""CPU":200"#, #""MemoryMB":64"#,
                      #""DisplayMessage":"Restarting in 15s""#, #""Type":"Restarting""#, #""TaskStates":{"server":"#] {
            #expect(text.contains(field), "missing \(field) in \(text)")
        }
        #expect(!text.contains(#""Server""#), "map keys (task names) must not be capitalised")
    }

    @Test func whatTheAgentEncodesTheCLIDecodesToTheSameValue() throws {
        let allocation = Self.sampleAllocation()
        let decoded = try APIJSON.decode(Allocation.self, from: try APIJSON.encode(allocation))
        #expect(decoded == allocation)
        let evaluation = Evaluation(
            id: EvaluationID(uuid: "e2"), jobType: .batch, triggeredBy: .jobRegister, jobID: "nightly",
            failedGroupAllocations: ["g": AllocationMetrics(nodesEvaluated: 1, dimensionExhausted: ["memory": 1])])
        let evaluationText = String(decoding: try APIJSON.encode(evaluation), as: UTF8.self)
        #expect(evaluationText.contains(#""Type":"batch""#) && evaluationText.contains(#""FailedTGAllocs""#))
        #expect(try APIJSON.decode(Evaluation.self, from: try APIJSON.encode(evaluation)) == evaluation)
    }

    @Test func errorBodiesKeepTheLowerCaseContractAndRoundTrip() {
        let body = APIErrorBody(code: 404, message: "job \"web\" not found")
        #expect(String(decoding: body.encoded(), as: UTF8.self) == #"{"code":404,"message":"job \"web\" not found"}"#)
        #expect(APIErrorBody.decoded(from: body.encoded()) == body)
        #expect(APIErrorBody.decoded(from: Array("<html>".utf8)) == nil)
    }
}
