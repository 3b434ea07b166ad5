import Foundation

/// The summary as the experiment folder keeps it: results.md for a reader, results.json for
/// scripts (`entrannas report` rewrites both from the units' results).
extension ExperimentSummary {
    /// The report's permutation tests (searched against random cells, per method and pooled per
    /// rule, and the two Kendall taus), run once and shared by results.md and results.json.
    public struct PermutationTests {
        public var comparisons: [Comparison]
        public var pooled: [Comparison]
        public var rank: (tau: Double, p: Double, cells: Int)?
        public var size: (tau: Double, p: Double, cells: Int)?
    }

    /// Runs the report's permutation tests.
    public var permutationTests: PermutationTests {
        let comparisons = self.comparisons
        return PermutationTests(comparisons: comparisons, pooled: pooledComparisons(comparisons), rank: rankCorrelation,
                                size: sizeCorrelation)
    }

    /// results.md: settings, the per-method table, the comparisons, the best searched cell, the
    /// goals with verdicts, every unit, and the searched genotypes.
    public var markdown: String { markdown(permutationTests) }

    /// results.md, given the permutation tests already run.
    public func markdown(_ statistics: PermutationTests) -> String {
        let total = plan.units.count
        var lines = ["# Experiment results", ""]
        lines.append(results.count == total ? "All \(total) units finished." : "**Partial**: \(results.count) of \(total) units finished; continue with `entrannas experiment --output DIR --resume`, DIR being this folder.")
        lines.append("")
        lines.append("Settings: " + settings.keys.sorted().map { "\($0) `\(settings[$0]!)`" }.joined(separator: ", ") + ".")
        let perCell = plan.trainSeeds.map { " Each cell is trained with seeds \($0.map(String.init).joined(separator: ", ")), the same for every cell; its accuracy is the mean over them." } ?? ""
        lines += ["", "## Per method (mean ± sample standard deviation over seeds)", "",
                  "| cells | searches | search CPU min | peak GB | skip (normal) | mean max weight | gap (points) | pruned % | last-epoch agreement | in-degree | params M | mult-adds M | trained | test acc % | 95% interval | one training's sd |",
                  "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
        for r in rows {
            func t(_ s: Spread?, _ f: String = "%.2f") -> String { s?.text(f) ?? "-" }
            // A per-search value that only some searches recorded (one resumed from an older
            // checkpoint, a machine without a memory reading) says over how many it is.
            func u(_ s: Spread?, _ f: String = "%.2f") -> String {
                guard let s else { return "-" }
                return s.text(f) + (s.count < r.searches ? " (\(s.count) of \(r.searches))" : "")
            }
            let interval = r.testAccuracyInterval.map { String(format: "[%.2f, %.2f]", $0[0], $0[1]) } ?? "-"
            let noise = r.trainingNoise.map { String(format: "%.2f", $0) } ?? "-"
            lines.append("| \(r.name) | \(r.searches) | \(t(r.searchMinutes, "%.1f")) | \(u(r.peakMemoryGB)) | \(u(r.skipConnections, "%.1f")) | \(u(r.meanMaxWeight, "%.3f")) | \(u(r.gapPoints)) | \(u(r.prunedPercent, "%.1f")) | \(u(r.genotypeAgreement)) | \(u(r.inDegree)) | \(t(r.parametersM, "%.3f")) | \(t(r.multiplyAddsM, "%.1f")) | \(r.trained) | \(t(r.testAccuracy)) | \(interval) | \(noise) |")
        }
        lines += ["", "Gap: validation accuracy of the super-net minus that of the derived network with the inherited weights, both with batch-norm statistics re-estimated. Last-epoch agreement: the last epoch's derived cells against the epoch before's, the Jaccard index of their kept (cell, node, input, op) candidates (1 = unchanged; one candidate changed weighs more in a small cell than in a large one). (k of n): only k of the n searches recorded the value, e.g. a search resumed from an older checkpoint records no agreement for its first epoch after the resume. Random cells are trained exactly as the searched ones." + perCell + " Test accuracy: mean ± standard deviation over cells; the interval is Student's t interval of that mean (95%).", ""]
        let tests = statistics.comparisons
        if !tests.isEmpty {
            lines += ["## Searched against random cells", "",
                      "One-sided permutation test (every split counted up to 200,000 splits, 100,000 random ones beyond) of \"the searched cells are more accurate than the random cells of their rule\", on cell accuracies; p-values Holm-corrected over the \(tests.count) comparison(s). With n searched and m random cells the smallest possible p is 1 / C(n+m, n). The interval is Welch's 95% interval of the difference of the means (not corrected for the number of comparisons): where the test misses, it bounds the advantage the cells still allow.", "",
                      "| method | against | searched cells | random cells | difference (points) | 95% interval | p | Holm p |",
                      "|---|---|---:|---:|---:|---|---:|---:|"]
            for c in tests {
                lines.append(String(format: "| %@ | %@ | %d | %d | %+.2f | %@ | %.3f | %.3f |", c.method, c.rule, c.searched.count,
                                    c.random.count, c.difference, Self.intervalText(c.differenceInterval), c.p, c.pHolm))
            }
            lines.append("")
            for c in statistics.pooled {
                lines += [String(format: "Pooled, exploratory (outside the Holm family): the cells of %@ together, %d against %d %@ cells: %+.2f points, 95%% interval %@, one-sided permutation p = %.3f.",
                                 c.method, c.searched.count, c.random.count, c.rule, c.difference,
                                 Self.intervalText(c.differenceInterval), c.p), ""]
            }
        }
        if let rank = statistics.rank {
            lines += [String(format: "Kendall's tau between the derived network's accuracy with inherited weights and the trained accuracy, over %d searched cells: %.2f (two-sided permutation p = %.3f).", rank.cells, rank.tau, rank.p), ""]
        }
        if let size = statistics.size {
            lines += [String(format: "Kendall's tau between multiply-adds and trained accuracy, over all %d trained cells (searched and random): %.2f (two-sided permutation p = %.3f); a large positive tau means accuracy follows size.", size.cells, size.tau, size.p), ""]
        }
        if let best = bestSearched {
            let scale = best.bestRandom.map { String(format: "; the most accurate random cell reached %.2f%%", $0) } ?? ""
            let trainings = best.trainings == 1 ? "one training" : "the mean of \(best.trainings) trainings"
            let among = best.candidates == 1 ? "the only searched cell with all its trainings so far"
                : "the most accurate of \(best.candidates) searched cells with all their trainings"
            let size = best.parameters.flatMap { p in best.multiplyAdds.map { String(format: " (%.3fM parameters, %.1fM multiply-adds per image, as trained here)", Double(p) / 1e6, Double($0) / 1e6) } } ?? ""
            lines += ["## Best searched cell", "",
                      String(format: "%@ seed %llu (`units/%@/`): %.2f%% test accuracy%@, %@, %@. ",
                             best.method, best.seed, best.search, best.accuracy, size, trainings, among)
                      + "Its genotype is in `\(Experiment.bestGenotypeFile)`, for `entrannas train --genotype \(Experiment.bestGenotypeFile)`. "
                      + "Picked as the best of several, its accuracy overestimates what a fresh training of it gives\(scale).", ""]
        }
        lines += ["## Goals", "", "| goal | verdict |", "|---|---|"]
        for g in goals(comparisons: tests) { lines.append("| \(g.goal) | \(g.verdict) |") }
        // A plan too small for a test to say "met" is told so here too, not only at its start.
        for note in plan.powerNotes() { lines += ["", "Plan: \(note)."] }
        lines += ["", "## Units", "", "Each unit's files are in `units/NAME/`."]
        // The machines column only where some unit recorded its machines (results before did not).
        let machines = self.machines
        if !machines.isEmpty {
            let unrecorded = results.filter { $0.machines == nil }.count
            lines += ["", "CPU and wall minutes compare only within one machine. The units ran on "
                      + machines.enumerated().map { "M\($0 + 1) (\($1))" }.joined(separator: ", ")
                      + (unrecorded == 0 ? "." : "; \(Plural.counted(unrecorded, "unit")) recorded none (older results).")]
        }
        let machineHeader = machines.isEmpty ? ("", "") : (" machine |", "---|")
        lines += ["", "| unit | CPU min | wall min | peak GB | super-net acc % | derived acc % | gap | pruned % | in-degree (normal, reduce) | test acc % |" + machineHeader.0,
                  "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|" + machineHeader.1]
        for r in results {
            func f(_ v: Double?, _ format: String = "%.2f") -> String { v.map { String(format: format, $0) } ?? "-" }
            let degree = r.meanInDegreeNormal.flatMap { n in r.meanInDegreeReduce.map { String(format: "%.2f, %.2f", n, $0) } } ?? "-"
            let machine = machines.isEmpty ? ""
                : " \(r.machines.map { $0.compactMap { m in machines.firstIndex(of: m).map { "M\($0 + 1)" } }.joined(separator: ", ") } ?? "-") |"
            lines.append("| \(r.unit.name) | \(f(r.cpuSeconds.map { $0 / 60 }, "%.1f")) | \(f(r.seconds / 60, "%.1f")) | \(f(r.peakMemoryBytes.map { Double($0) / 1e9 })) | \(f(r.superNetAccuracy.map { 100 * $0 })) | \(f(r.derivedAccuracy.map { 100 * $0 })) | \(f(r.gap)) | \(f(r.prunedFraction.map { 100 * $0 }, "%.1f")) | \(degree) | \(f(r.testAccuracy)) |" + machine)
        }
        lines += ["", "## Searched genotypes", ""]
        for r in results where r.unit.kind == .search {
            lines += ["- \(r.unit.name): `\(r.genotype)`"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "[-0.56, +0.67]", or "-" without an interval.
    static func intervalText(_ interval: [Double]?) -> String {
        interval.map { String(format: "[%+.2f, %+.2f]", $0[0], $0[1]) } ?? "-"
    }

    /// Every machine the units recorded, in the order of the results.
    var machines: [String] { MachineDescription.union(results.flatMap { $0.machines ?? [] }) }

    /// results.json: plan, settings, unit counts, rows, goals, the best searched cell and every
    /// unit result, in snake_case keys.
    public var json: String { json(permutationTests) }

    /// results.json, given the permutation tests already run.
    public func json(_ statistics: PermutationTests) -> String {
        struct Document: Encodable {
            var plan: ExperimentPlan
            var settings: [String: String]
            var finishedUnits: Int
            var totalUnits: Int
            var rows: [Row]
            var comparisons: [Comparison]
            var pooledComparisons: [Comparison]
            var kendallTau: Double?
            var kendallTauP: Double?
            var sizeTau: Double?
            var sizeTauP: Double?
            var goals: [[String: String]]
            var bestSearched: BestCell?
            var units: [UnitResult]
        }
        let rank = statistics.rank, size = statistics.size, tests = statistics.comparisons
        let doc = Document(plan: plan, settings: settings, finishedUnits: results.count, totalUnits: plan.units.count,
                           rows: rows, comparisons: tests, pooledComparisons: statistics.pooled, kendallTau: rank?.tau,
                           kendallTauP: rank?.p, sizeTau: size?.tau, sizeTauP: size?.p,
                           goals: goals(comparisons: tests).map { ["goal": $0.goal, "verdict": $0.verdict] }, bestSearched: bestSearched,
                           units: results)
        return ((try? JSONFormat.text(doc, pretty: true)) ?? "{}") + "\n"
    }
}
