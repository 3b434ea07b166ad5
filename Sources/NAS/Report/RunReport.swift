import Foundation
import Torch

/// What `entrannas run` reports about one search and the brief training of its derived cell:
/// kept as data in run.json, rendered as report.md and at the top of report.html.
public struct RunReport: Codable, Sendable {
    /// The search method's name.
    public var method: String
    /// The dataset's name.
    public var dataset: String
    /// Preset, schedule and data of the search, seed and threads, as one line.
    public var searchSettings: String
    /// The derived genotype in DARTS text form.
    public var genotype: String
    /// Skip connections in the derived normal cell (DARTS' collapse shows here first).
    public var normalSkipConnections: Int
    /// Architecture weights at the end of the search: one row per cell type and the uniform baseline.
    public var weights: WeightsSummary?
    /// Super-net against derived net on the validation split.
    public var consistency: ConsistencyReport
    /// The training of the derived cell.
    public var training: Training
    /// Wall-clock seconds of the whole run, and of its search.
    public var seconds: Double
    public var searchSeconds: Double

    /// The training part: network size, schedule and test result.
    public struct Training: Codable, Sendable {
        public var layers: Int
        public var initChannels: Int
        /// Parameters in millions, auxiliary head excluded.
        public var parameters: Double
        public var epochs: Int
        public var preset: String
        public var result: EvaluationResult

        public init(layers: Int, initChannels: Int, parameters: Double, epochs: Int, preset: String, result: EvaluationResult) {
            (self.layers, self.initChannels, self.parameters, self.epochs, self.preset, self.result)
                = (layers, initChannels, parameters, epochs, preset, result)
        }
    }

    /// How far the architecture weights moved from uniform, per cell type.
    public struct WeightsSummary: Codable, Sendable {
        public var normal: ArchitectureStatistics
        public var reduce: ArchitectureStatistics
        /// Candidate ops per edge (the uniform weight is 1/k).
        public var candidates: Int
        /// "e0 sep_conv_3x3 0.31, ..." per cell type.
        public var strongestNormal: String
        public var strongestReduce: String

        /// From the search's last epoch.
        public init(_ last: SearchEpochSummary, primitives: [Primitive]) {
            normal = last.normalStatistics
            reduce = last.reduceStatistics
            candidates = last.normalWeights.first?.count ?? primitives.count
            strongestNormal = strongestOps(last.normalWeights, primitives: primitives)
            strongestReduce = strongestOps(last.reduceWeights, primitives: primitives)
        }
    }

    public init(method: String, dataset: String, searchSettings: String, genotype: Genotype, weights: WeightsSummary?,
                consistency: ConsistencyReport, training: Training, seconds: Double, searchSeconds: Double) {
        self.method = method
        self.dataset = dataset
        self.searchSettings = searchSettings
        self.genotype = genotype.dartsText
        normalSkipConnections = genotype.normal.joined().filter { $0.op == .skipConnect }.count
        self.weights = weights
        self.consistency = consistency
        self.training = training
        self.seconds = seconds
        self.searchSeconds = searchSeconds
    }

    /// The report as blocks, for Markdown and HTML alike.
    public var document: ReportDocument {
        let percent = RunReport.percent
        let t = training
        return ReportDocument([
            .heading(level: 1, "entrannas run: \(method) on \(dataset)"),
            .heading(level: 2, "Search"),
            .bullets(["settings: \(searchSettings)", "genotype: `\(genotype)`",
                      "skip connections in the normal cell: \(normalSkipConnections)"]),
            .heading(level: 2, "Architecture weights at the end of the search"),
        ] + weightsBlocks + [
            .heading(level: 2, "Consistency (validation split, end of search)"),
            .table(header: ["network", "accuracy", "loss"], rightAligned: [false, true, true], rows: [
                ["super-net", percent(100 * consistency.superNetAccuracy), String(format: "%.4f", consistency.superNetLoss)],
                ["derived net, inherited weights", percent(100 * consistency.derivedAccuracy), String(format: "%.4f", consistency.derivedLoss)],
            ] + diagnosticRows),
            .heading(level: 2, "Derived architecture trained from scratch"),
            .bullets([
                "\(t.layers) cells, \(t.initChannels) channels, \(String(format: "%.3f", t.parameters))M parameters (auxiliary head excluded), \(Plural.counted(t.epochs, "epoch")) (\(t.preset) preset)",
                "test accuracy: top-1 \(percent(t.result.top1)), top-5 \(percent(t.result.top5)) on \(t.result.count) images",
            ]),
            .paragraph("Total time \(ProgressBar.formatDuration(seconds)) (search \(ProgressBar.formatDuration(searchSeconds))).\n"
                       + "Files: search/ (genotype.json, genotype.txt, metrics.jsonl, log.txt, report.json, normal.svg, reduce.svg), "
                       + "train/ (model.safetensors, metrics.jsonl, log.txt, normal.svg, reduce.svg)."),
        ])
    }

    /// Where the gap comes from, when the search measured it (docs/method.md#consistency).
    private var diagnosticRows: [[String]] {
        let percent = RunReport.percent
        var rows = consistency.derivedAccuracySearchStatistics.map { [["derived net, the search's BN statistics", percent(100 * $0), ""]] } ?? []
        for a in consistency.engineCellAblation ?? [] {
            rows.append(["super-net with Engine-cell \(a.cell) (\(a.reduction ? "reduce" : "normal")) derived", percent(100 * a.accuracy), ""])
        }
        return rows
    }

    /// A value already in percent, as the report prints it ("89.04%").
    private static func percent(_ x: Double) -> String { String(format: "%.2f%%", x) }

    private var weightsBlocks: [ReportDocument.Block] {
        guard let w = weights else { return [.paragraph("(metrics.jsonl has no epoch)")] }
        let k = Double(w.candidates)
        let rows = [("normal", w.normal), ("reduce", w.reduce)].map { name, a in
            [name, String(format: "%.3f", a.meanMaxWeight), String(format: "%.3f", a.meanEntropy),
             a.prunedFraction.map { String(format: "%.0f%%", 100 * $0) } ?? "-", String(format: "%.2f", a.meanInDegree)]
        }
        return [
            .table(header: ["cell", "mean largest op weight", "mean entropy (nats)", "pruned candidates", "mean in-degree"],
                   rightAligned: [false, true, true, true, true],
                   rows: rows + [["uniform weights", String(format: "%.3f", 1 / k), String(format: "%.3f", Foundation.log(k)), "", ""]]),
            .paragraph("Strongest op per edge (normal): " + w.strongestNormal),
            .paragraph("Strongest op per edge (reduce): " + w.strongestReduce),
        ]
    }

    /// `run.json` in a run folder.
    public static func url(in root: URL) -> URL { root.appendingPathComponent("run.json") }

    /// Writes run.json and report.md (each atomically); returns report.md.
    @discardableResult
    public func write(to root: URL) throws -> URL {
        try AtomicFile.write(JSONFormat.text(self) + "\n", to: Self.url(in: root))
        let markdown = root.appendingPathComponent("report.md")
        try AtomicFile.write(document.markdown, to: markdown)
        return markdown
    }

    /// The report of a `run` folder, or nil when it has none yet.
    public static func read(from root: URL) throws -> RunReport? {
        let url = url(in: root)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try JSONFormat.decode(RunReport.self, from: url)
    }
}
