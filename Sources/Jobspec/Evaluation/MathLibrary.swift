/// The two libm routines the numeric functions need. Jobspec may not import Glibc (it is a
/// layer-0 target), but the package links libm for it, so the C symbols are declared here.
enum MathLibrary {
    static func naturalLogarithm(_ value: Double) -> Double { c_log(value) }
    static func power(_ base: Double, _ exponent: Double) -> Double { c_pow(base, exponent) }
}

@_silgen_name("log")
private func c_log(_ value: Double) -> Double

@_silgen_name("pow")
private func c_pow(_ base: Double, _ exponent: Double) -> Double
