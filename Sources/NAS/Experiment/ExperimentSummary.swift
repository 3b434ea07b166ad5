import Foundation

/// Mean and spread over seeds per method, next to the random cells, and the goals of
/// docs/experiment.md#goals, each marked met, missed or pending; written as results.md and results.json.
public struct ExperimentSummary: Sendable {
    /// The experiment's plan, for the method order and the unit count.
    public let plan: ExperimentPlan
    /// The settings the units ran with, printed at the top.
    public let settings: [String: String]
    /// The results of the finished units so far.
    public let results: [UnitResult]

    /// Mean and sample standard deviation (nil below two values).
    public struct Spread: Codable, Equatable, Sendable {
        /// Arithmetic mean.
        public var mean: Double
        /// Sample standard deviation (n - 1); nil for a single value.
        public var std: Double?
        /// Number of values.
        public var count: Int

        /// The spread of `values`; nil when there are none.
        public init?(_ values: [Double]) {
            guard !values.isEmpty else { return nil }
            count = values.count
            mean = values.reduce(0, +) / Double(values.count)
            std = values.count < 2 ? nil
                : (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(values.count - 1)).squareRoot()
        }

        func text(_ format: String = "%.2f") -> String {
            String(format: format, mean) + (std.map { " ± " + String(format: format, $0) } ?? "")
        }
    }

    /// One row per method (searched cells) and per random rule.
    public struct Row: Codable, Equatable, Sendable {
        /// Method name, or "random (DARTS rule)" / "random (DST in-degree)".
        public var name: String
        /// Finished searches.
        public var searches: Int
        /// Finished trainings.
        public var trained: Int
        /// Search time in CPU minutes (wall minutes when CPU time is unknown).
        public var searchMinutes: Spread?
        /// Peak resident memory of a search, in GB.
        public var peakMemoryGB: Spread?
        /// `skip_connect` ops in the derived normal cell.
        public var skipConnections: Spread?
        /// Mean largest op weight per edge at the end of the search (1/K uniform, 1 one-hot).
        public var meanMaxWeight: Spread?
        /// Consistency gap in points: super-net minus derived-net validation accuracy.
        public var gapPoints: Spread?
        /// Percent of candidate (edge, op) pairs pruned (EnTranNAS-DST).
        public var prunedPercent: Spread?
        /// Mean inputs per intermediate node of the derived cells.
        public var inDegree: Spread?
        /// Top-1 test accuracy of the trained cells, in percent.
        public var testAccuracy: Spread?
    }

    /// A summary of `results` under `plan`.
    public init(plan: ExperimentPlan, settings: [String: String], results: [UnitResult]) {
        self.plan = plan
        self.settings = settings
        // Plan order, whichever order the units finished in (several jobs), so the files compare.
        let order = Dictionary(uniqueKeysWithValues: plan.units.enumerated().map { ($1.name, $0) })
        self.results = results.sorted { order[$0.unit.name, default: .max] < order[$1.unit.name, default: .max] }
    }

    /// One row per method in plan order, then one per random rule that has results.
    public var rows: [Row] {
        var rows = plan.methods.map { method -> Row in
            let searches = results.filter { $0.unit.kind == .search && $0.unit.method == method }
            let trains = results.filter { $0.unit.kind == .train && $0.unit.method == method }
            return Row(name: method.rawValue, searches: searches.count, trained: trains.count,
                       searchMinutes: Spread(searches.map { ($0.cpuSeconds ?? $0.seconds) / 60 }),
                       peakMemoryGB: Spread(searches.compactMap { $0.peakMemoryBytes.map { Double($0) / 1e9 } }),
                       skipConnections: Spread(searches.compactMap { $0.skipConnections.map(Double.init) }),
                       meanMaxWeight: Spread(searches.compactMap(\.meanMaxWeight)),
                       gapPoints: Spread(searches.compactMap(\.gap)),
                       prunedPercent: Spread(searches.compactMap { $0.prunedFraction.map { 100 * $0 } }),
                       inDegree: Spread(searches.compactMap(\.meanInDegree)),
                       testAccuracy: Spread(trains.compactMap(\.testAccuracy)))
        }
        for kind in [ExperimentUnit.Kind.randomDarts, .randomDST] {
            let trains = results.filter { $0.unit.kind == kind }
            guard !trains.isEmpty else { continue }
            rows.append(Row(name: kind == .randomDarts ? "random (DARTS rule)" : "random (DST in-degree)", searches: 0,
                            trained: trains.count,
                            inDegree: Spread(trains.compactMap(\.meanInDegree)),
                            testAccuracy: Spread(trains.compactMap(\.testAccuracy))))
        }
        return rows
    }

    /// The goals (docs/experiment.md#goals), checked against the numbers so far.
    public var goals: [(goal: String, verdict: String)] {
        let byName = Dictionary(uniqueKeysWithValues: rows.map { ($0.name, $0) })
        func verdict(_ ok: Bool?) -> String { ok.map { $0 ? "met" : "missed" } ?? "pending" }
        let dst = byName[SearchMethod.entrannasDST.rawValue]
        let ent = byName[SearchMethod.entrannas.rawValue]
        let darts = byName[SearchMethod.darts.rawValue]
        /// Each method against the random cells drawn by its own rule (DST: matched in-degree).
        func randomMean(for method: String) -> Double? {
            let rule = method == SearchMethod.entrannasDST.rawValue ? "random (DST in-degree)" : "random (DARTS rule)"
            return byName[rule]?.testAccuracy?.mean
        }
        var out: [(String, String)] = []
        if plan.methods.contains(.entrannasDST) {
            out.append(("EnTranNAS-DST prunes at least half of the candidates",
                        dst?.prunedPercent.map { verdict($0.mean >= 50) + String(format: " (%.1f%%)", $0.mean) } ?? "pending"))
            out.append(("EnTranNAS-DST consistency gap at most 2 points",
                        dst?.gapPoints.map { verdict($0.mean <= 2) + String(format: " (%.2f)", $0.mean) } ?? "pending"))
        }
        if plan.methods.contains(.entrannas) && plan.methods.contains(.darts) {
            let e = ent?.gapPoints?.mean, d = darts?.gapPoints?.mean
            out.append(("EnTranNAS gap smaller than DARTS'",
                        e.flatMap { e in d.map { verdict(e < $0) + String(format: " (%.2f vs %.2f)", e, $0) } } ?? "pending"))
        }
        for row in rows where !row.name.hasPrefix("random") {
            let goal = "\(row.name) cells beat the mean of the random cells of the same rule"
            if let acc = row.testAccuracy?.mean, let r = randomMean(for: row.name) {
                out.append((goal, verdict(acc > r) + String(format: " (%.2f%% vs %.2f%%)", acc, r)))
            } else {
                out.append((goal, "pending"))
            }
        }
        return out
    }

    /// results.md: settings, the per-method table, the goals with verdicts, every unit, and the
    /// searched genotypes.
    public var markdown: String {
        let total = plan.units.count
        var lines = ["# Experiment results", ""]
        lines.append(results.count == total ? "All \(total) units finished." : "**Partial**: \(results.count) of \(total) units finished; continue with the same command plus `--resume`.")
        lines.append("")
        lines.append("Settings: " + settings.keys.sorted().map { "\($0) `\(settings[$0]!)`" }.joined(separator: ", ") + ".")
        lines += ["", "## Per method (mean ± sample standard deviation over seeds)", "",
                  "| cells | searches | search CPU min | peak GB | skip (normal) | mean max weight | gap (points) | pruned % | in-degree | trained | test acc % |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for r in rows {
            func t(_ s: Spread?, _ f: String = "%.2f") -> String { s?.text(f) ?? "-" }
            lines.append("| \(r.name) | \(r.searches) | \(t(r.searchMinutes, "%.1f")) | \(t(r.peakMemoryGB)) | \(t(r.skipConnections, "%.1f")) | \(t(r.meanMaxWeight, "%.3f")) | \(t(r.gapPoints)) | \(t(r.prunedPercent, "%.1f")) | \(t(r.inDegree)) | \(r.trained) | \(t(r.testAccuracy)) |")
        }
        lines += ["", "Gap: validation accuracy of the super-net minus that of the derived network with the inherited weights, both with batch-norm statistics re-estimated. Random cells are trained exactly as the searched ones.", "",
                  "## Goals", "", "| goal | verdict |", "|---|---|"]
        for g in goals { lines.append("| \(g.goal) | \(g.verdict) |") }
        lines += ["", "## Units", "", "Each unit's files are in `units/NAME/`.", "",
                  "| unit | CPU min | wall min | peak GB | super-net acc % | derived acc % | gap | pruned % | in-degree (normal, reduce) | test acc % |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
        for r in results {
            func f(_ v: Double?, _ format: String = "%.2f") -> String { v.map { String(format: format, $0) } ?? "-" }
            let degree = r.meanInDegreeNormal.flatMap { n in r.meanInDegreeReduce.map { String(format: "%.2f, %.2f", n, $0) } } ?? "-"
            lines.append("| \(r.unit.name) | \(f(r.cpuSeconds.map { $0 / 60 }, "%.1f")) | \(f(r.seconds / 60, "%.1f")) | \(f(r.peakMemoryBytes.map { Double($0) / 1e9 })) | \(f(r.superNetAccuracy.map { 100 * $0 })) | \(f(r.derivedAccuracy.map { 100 * $0 })) | \(f(r.gap)) | \(f(r.prunedFraction.map { 100 * $0 }, "%.1f")) | \(degree) | \(f(r.testAccuracy)) |")
        }
        lines += ["", "## Searched genotypes", ""]
        for r in results where r.unit.kind == .search {
            lines += ["- \(r.unit.name): `\(r.genotype)`"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// results.json: plan, settings, unit counts, rows, goals and every unit result, in snake_case keys.
    public var json: String {
        struct Document: Encodable {
            var plan: ExperimentPlan
            var settings: [String: String]
            var finishedUnits: Int
            var totalUnits: Int
            var rows: [Row]
            var goals: [[String: String]]
            var units: [UnitResult]
        }
        let doc = Document(plan: plan, settings: settings, finishedUnits: results.count, totalUnits: plan.units.count,
                           rows: rows, goals: goals.map { ["goal": $0.goal, "verdict": $0.verdict] }, units: results)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return ((try? String(decoding: encoder.encode(doc), as: UTF8.self)) ?? "{}") + "\n"
    }
}
