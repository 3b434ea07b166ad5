import Foundation

/// The machine a process runs on, in one line ("AMD EPYC (family 23, model 1), 2 cores, AVX2").
/// CPU minutes compare only within one machine: sessions of a long experiment may get machines
/// of different speed (2.3-3x apart in experiment v2, read at first as contention), so every run's
/// log and every experiment unit records where it ran.
public enum MachineDescription {
    /// This machine, from /proc/cpuinfo and the cores this process may use.
    public static let current = describe(cpuinfo: FileManager.default.contents(atPath: "/proc/cpuinfo")
                                            .map { String(decoding: $0, as: UTF8.self) } ?? "",
                                         cores: ProcessInfo.processInfo.activeProcessorCount)

    /// Stands for the machines of a run's earlier processes written by a version that did not
    /// record them (the bash side, `log_machines` in experiments/metrics.sh, writes the same).
    public static let notRecorded = "not recorded"

    /// The machines of `lists` in order of first appearance, each once: how a run, an attempt
    /// record and a report join the machines of several processes.
    public static func union(_ lists: [String]...) -> [String] {
        var out: [String] = []
        for machine in lists.joined() where !out.contains(machine) { out.append(machine) }
        return out
    }

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
        if let family, let model {
            cpu += " (family \(family), model \(model))"
        } else if fields["model name"] == nil, let implementer = fields["CPU implementer"], let part = fields["CPU part"] {
            // An Arm machine names its core by implementer and part numbers, not by name.
            cpu = "Arm CPU (implementer \(implementer.prefix(8)), part \(part.prefix(8)))"
        }
        var parts = [cpu, Plural.counted(max(cores, 0), "core")]
        // x86 lists `flags`, Arm `Features`.
        let flags = Set(((fields["flags"] ?? fields["Features"]) ?? "").split(separator: " "))
        if let simd = [("avx512f", "AVX-512"), ("avx2", "AVX2"), ("sve", "SVE")].first(where: { flags.contains(Substring($0.0)) }) {
            parts.append(simd.1)
        }
        return parts.joined(separator: ", ")
    }

    /// A field's value: printable ASCII only, runs of spaces collapsed.
    private static func clean(_ value: Substring) -> String {
        let printable = value.unicodeScalars.map { $0.isASCII && $0.value >= 0x20 && $0.value < 0x7F ? Character($0) : " " }
        return String(printable).split(separator: " ").joined(separator: " ")
    }
}
