import Foundation

/// A finished search read back from its folder (genotype.json, report.json, the last line of
/// metrics.jsonl), for the commands that continue from one: `run --resume`, `experiment`.
public struct FinishedSearch: Sendable {
    /// The derived architecture.
    public var genotype: Genotype
    /// Super-net against derived net at the end of the search.
    public var report: ConsistencyReport
    /// The last epoch's summary (nil when metrics.jsonl cannot give one).
    public var lastEpoch: SearchEpochSummary?

    public init(genotype: Genotype, report: ConsistencyReport, lastEpoch: SearchEpochSummary?) {
        (self.genotype, self.report, self.lastEpoch) = (genotype, report, lastEpoch)
    }

    /// The search in `folder`, or nil while it has no report.json (it has not finished).
    public static func read(from folder: RunDirectory) throws -> FinishedSearch? {
        let reportURL = folder.file("report.json")
        guard FileManager.default.fileExists(atPath: reportURL.path) else { return nil }
        let text: String
        do { text = try String(contentsOf: folder.genotypeJSON, encoding: .utf8) } catch {
            throw RunError("\(folder.genotypeJSON.path) cannot be read (\(SystemReason.of(error))); the search in \(folder.path) is incomplete: run it again")
        }
        return FinishedSearch(genotype: try Genotype(json: text),
                              report: try JSONFormat.decode(ConsistencyReport.self, from: reportURL),
                              lastEpoch: try? MetricsLog.lastRecord(SearchEpochSummary.self, in: folder.metrics))
    }
}
