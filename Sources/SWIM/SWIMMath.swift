/// The logarithms the suspicion and retransmit formulas need. SWIM may not import Glibc (it is a
/// layer-0 target), but the package links libm for it, so the C symbols are declared here.
enum SWIMMath {
    static func log10(_ value: Double) -> Double { c_log10(value) }
    static func naturalLogarithm(_ value: Double) -> Double { c_log(value) }
}

@_silgen_name("log")
private func c_log(_ value: Double) -> Double

@_silgen_name("log10")
private func c_log10(_ value: Double) -> Double
