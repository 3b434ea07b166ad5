import Foundation

/// The machine a process runs on, in one line ("AMD EPYC (family 23, model 1), 2 cores, AVX2").
/// CPU minutes compare only within one machine: sessions of a long experiment may get machines
/// of different speed (2.4x apart in experiment v2, read at first as contention), so every run's
/// log and every experiment unit records where it ran.
public enum MachineDescription {
    /// This machine, from /proc/cpuinfo and the cores this process may use.
    public static let current = describe(cpuinfo: (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? "",
                                         cores: ProcessInfo.processInfo.activeProcessorCount)

    /// The description from the text of /proc/cpuinfo (its first processor's block) and a core
    /// count. Fields missing or odd leave their part out; only printable characters are kept,
    /// and at most 80 of the model name.
    static func describe(cpuinfo: String, cores: Int) -> String {
        var fields: [String: String] = [:]
        for line in cpuinfo.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy(\.isWhitespace) { if !fields.isEmpty { break } else { continue } }
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            guard fields[key] == nil else { continue }
            fields[key] = clean(line[line.index(after: colon)...])
        }
        var cpu = fields["model name"].flatMap { $0.isEmpty ? nil : String($0.prefix(80)) } ?? "unknown CPU"
        let family = fields["cpu family"].flatMap { Int($0) }, model = fields["model"].flatMap { Int($0) }
        if let family, let model { cpu += " (family \(family), model \(model))" }
        var parts = [cpu, "\(max(cores, 0)) core\(cores == 1 ? "" : "s")"]
        let flags = Set((fields["flags"] ?? "").split(separator: " "))
        if flags.contains("avx512f") { parts.append("AVX-512") } else if flags.contains("avx2") { parts.append("AVX2") }
        return parts.joined(separator: ", ")
    }

    /// A field's value: printable ASCII only, runs of spaces collapsed.
    private static func clean(_ value: Substring) -> String {
        let printable = value.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : " " }
        return String(printable).split(separator: " ").joined(separator: " ")
    }
}
