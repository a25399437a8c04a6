/// How numbers become text when HCL converts them to strings (`"${2}"`, `meta { v = 1 }`):
/// whole numbers have no fraction (`1`, not `1.0`), others use the shortest exact form.
public enum NumberFormatting {
    public static func string(from value: Double) -> String {
        if let integral = Int64(exactly: value), abs(integral) < 1 << 53 {
            return String(integral)
        }
        return value.description
    }
}
