import Foundation
import Torch

/// An allocation libtorch could not make, said in words a user can act on: which operation
/// asked for how much, what the process held and its limit, and the flags that need less
/// (docs/usage.md#memory). libtorch's own text ("[enforce fail at alloc_cpu.cpp:75] ...
/// DefaultCPUAllocator: can't allocate memory") names none of that.
public enum OutOfMemory {
    /// The one-line error for `error` when it is a failed allocation, else nil.
    public static func explain(_ error: Error) -> RunError? {
        let text = "\(error)"
        let isCPU = text.contains("can't allocate memory"), isCUDA = text.contains("CUDA out of memory")
        guard isCPU || isCUDA else { return nil }
        var what = "an operation"
        if let range = text.range(of: "libtorch: ") {
            let rest = text[range.upperBound...]
            if let colon = rest.firstIndex(of: ":") { what = String(rest[..<colon]) }
        }
        var asked = ""
        if let bytes = requestedBytes(text) { asked = " asked for \(format(bytes)) more" }
        var held = ""
        if isCPU {
            var usage = rusage()
            if getrusage(RUSAGE_SELF.rawValue, &usage) == 0 { held = " after using up to \(format(Double(usage.ru_maxrss) * 1024)) resident" }
            var limit = rlimit()
            if getrlimit(Int32(RLIMIT_AS.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {
                held += " (its address-space limit, ulimit -v, is \(format(Double(limit.rlim_cur))))"
            }
        }
        let device = isCUDA ? "GPU" : "memory"
        return RunError("out of \(device): \(what)\(asked)\(held); lower --batch-size (memory grows with it), "
                        + "--init-channels or --layers, or add --batch-chunks 2 to compute each batch in two pieces")
    }

    /// The size libtorch says it tried to allocate, in bytes.
    static func requestedBytes(_ text: String) -> Double? {
        if let range = text.range(of: #"tried to allocate (\d+) bytes"#, options: .regularExpression) {
            return Double(text[range].split(separator: " ")[3])
        }
        if let range = text.range(of: #"Tried to allocate [\d.]+ [KMG]iB"#, options: .regularExpression) {
            let parts = text[range].split(separator: " ")
            let scale: Double = parts[4] == "GiB" ? 1_073_741_824 : parts[4] == "MiB" ? 1_048_576 : 1024
            return Double(parts[3]).map { $0 * scale }
        }
        return nil
    }

    static func format(_ bytes: Double) -> String {
        bytes >= 1e9 ? String(format: "%.2f GB", bytes / 1e9) : String(format: "%.1f MB", bytes / 1e6)
    }
}
