@testable import Jobspec
import Testing

@Suite struct FunctionTableTests {
    @Test func everyDocumentedFunctionExists() {
        let documented = """
            abs ceil floor log max min parseint pow signum chomp format formatlist indent join lower upper replace \
            split strrev substr title trim trimprefix trimsuffix trimspace startswith endswith chunklist coalesce \
            coalescelist compact concat contains distinct element flatten index keys length lookup merge range \
            reverse setintersection setproduct setsubtract setunion slice sort sum transpose values zipmap one \
            alltrue anytrue tostring tonumber tobool tolist tomap toset jsonencode jsondecode base64encode \
            base64decode can try
            """.split(separator: " ").map(String.init)
        let known = Set(Functions.allNames)
        #expect(documented.filter { !known.contains($0) } == [])
    }
}
