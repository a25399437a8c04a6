/// The one place the version lives; `roost version` and `roost --version` print it.
public enum RoostVersion {
    public static let current = "0.1.0-dev"

    /// The compiler that built this binary, for bug reports.
    static let swiftCompiler: String = {
        #if compiler(>=6.5)
        "6.5 or later"
        #elseif compiler(>=6.4)
        "6.4"
        #elseif compiler(>=6.3)
        "6.3"
        #elseif compiler(>=6.2)
        "6.2"
        #elseif compiler(>=6.1)
        "6.1"
        #else
        "6.0"
        #endif
    }()

    static var banner: String { "roost \(current) (built with Swift \(swiftCompiler))" }
}
