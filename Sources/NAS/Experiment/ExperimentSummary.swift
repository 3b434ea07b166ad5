import Foundation

/// Mean and spread over seeds per method, next to the random cells, and the goals of
/// docs/experiment.md#goals with their verdicts (ExperimentGoals.swift); written as results.md
/// and results.json.
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
        /// The last epoch's derived cells against the epoch before's (1 = unchanged).
        public var genotypeAgreement: Spread?
        /// Mean inputs per intermediate node of the derived cells.
        public var inDegree: Spread?
        /// Top-1 test accuracy of the trained cells, in percent: one value per cell, the mean
        /// over its training seeds.
        public var testAccuracy: Spread?
        /// Student-t 95% interval of the mean cell accuracy ([low, high]).
        public var testAccuracyInterval: [Double]?
        /// Standard deviation of one training: the pooled spread over training seeds within the
        /// cells that have several (nil when none has).
        public var trainingNoise: Double?
        /// Parameters of the trained networks, in millions.
        public var parametersM: Spread?
        /// Multiply-adds of the trained networks per image, in millions.
        public var multiplyAddsM: Spread?
    }

    /// A searched method's cells against the random cells of its rule.
    public struct Comparison: Codable, Equatable, Sendable {
        /// The method.
        public var method: String
        /// The random rule's row name.
        public var rule: String
        /// Cell accuracies (means over training seeds) of the searched cells, in percent.
        public var searched: [Double]
        /// Cell accuracies of the random cells.
        public var random: [Double]
        /// Mean searched minus mean random, in points.
        public var difference: Double
        /// Welch's 95% interval of that difference ([low, high]; nil with fewer than two cells
        /// on a side): how large an advantage the cells still allow where the test misses.
        public var differenceInterval: [Double]?
        /// One-sided permutation test of "the searched cells are better": exact p.
        public var p: Double
        /// p after Holm's correction over all the comparisons of the experiment.
        public var pHolm: Double

        /// The comparison's statistics from its cells; pHolm is p until the family corrects it.
        public init(_ method: String, rule: String, searched: [Double], random: [Double]) {
            self.method = method
            self.rule = rule
            self.searched = searched
            self.random = random
            difference = Statistics.mean(searched) - Statistics.mean(random)
            differenceInterval = Statistics.differenceInterval(searched, random).map { [$0.low, $0.high] }
            p = Statistics.permutationTest(searched, random)
            pHolm = p
        }
    }

    /// The searched cell to take on to a full training, picked as DARTS picks among its searches:
    /// the most accurate over its trainings.
    public struct BestCell: Codable, Equatable, Sendable {
        /// The search that derived it ("search-pc-darts-seed4"); `units/NAME/` holds its files.
        public var search: String
        /// Its search method.
        public var method: String
        /// Its search seed.
        public var seed: UInt64
        /// Test accuracy in percent: the mean over its trainings.
        public var accuracy: Double
        /// Its trainings.
        public var trainings: Int
        /// The searched cells it was picked from (those with all their trainings).
        public var candidates: Int
        /// The most accurate random cell with all its trainings, for scale (nil: none yet).
        public var bestRandom: Double?
        /// DARTS text of the cell, as `entrannas train --genotype` reads it.
        public var genotype: String
        /// Parameters of the network it was trained in (auxiliary head excluded).
        public var parameters: Int?
        /// Multiply-adds of that network per image.
        public var multiplyAdds: Int?
    }

    /// The significance level of the comparisons (after Holm's correction).
    public static let alpha = 0.05

    /// A summary of `results` under `plan`.
    public init(plan: ExperimentPlan, settings: [String: String], results: [UnitResult]) {
        self.plan = plan
        self.settings = settings
        // Plan order, whichever order the units finished in (several jobs), so the files compare.
        let order = Dictionary(uniqueKeysWithValues: plan.units.enumerated().map { ($1.name, $0) })
        self.results = results.sorted { order[$0.unit.name, default: .max] < order[$1.unit.name, default: .max] }
    }

    /// Training results grouped by cell (a search's cell, or a random cell), in plan order:
    /// each cell's accuracies over its training seeds.
    func cells(_ include: (ExperimentUnit) -> Bool) -> [(cell: ExperimentUnit, accuracies: [Double], results: [UnitResult])] {
        var out: [(cell: ExperimentUnit, accuracies: [Double], results: [UnitResult])] = []
        for result in results where result.unit.kind != .search && include(result.unit) {
            guard let accuracy = result.testAccuracy else { continue }
            if let i = out.firstIndex(where: { $0.cell == result.unit.cell }) {
                out[i].accuracies.append(accuracy)
                out[i].results.append(result)
            } else {
                out.append((result.unit.cell, [accuracy], [result]))
            }
        }
        return out
    }

    /// The finished searches of one method, in plan order.
    func searchResults(_ method: SearchMethod) -> [UnitResult] {
        results.filter { $0.unit.kind == .search && $0.unit.method == method }
    }

    /// The cells of `cells(include)` whose trainings are all done: a cell with some of its
    /// training seeds still to run has no accuracy yet.
    func trainedCells(_ include: (ExperimentUnit) -> Bool) -> [(cell: ExperimentUnit, accuracies: [Double], results: [UnitResult])] {
        let trainings = plan.trainSeeds?.count ?? 1
        return cells(include).filter { $0.accuracies.count >= trainings }
    }

    /// The most accurate searched cell over all methods, among those with every training done
    /// (the first in plan order on a tie); nil until one has. Picked as the best of several, its
    /// accuracy is an optimistic estimate of what the cell gives a fresh training.
    public var bestSearched: BestCell? {
        let candidates = trainedCells { $0.kind == .train }
        // max(by:) keeps the first of equal elements: a tie goes to plan order (means equal but
        // for rounding are equal: compared at 1e-9 points).
        func key(_ accuracies: [Double]) -> Double { (Statistics.mean(accuracies) * 1e9).rounded() }
        let best = candidates.max { key($0.accuracies) < key($1.accuracies) }
        guard let best, let method = best.cell.method, let trained = best.results.first else { return nil }
        let random = trainedCells { $0.kind == .randomDarts || $0.kind == .randomDST }.map { Statistics.mean($0.accuracies) }
        return BestCell(search: ExperimentUnit(kind: .search, method: method, seed: best.cell.seed).name,
                        method: method.rawValue, seed: best.cell.seed, accuracy: Statistics.mean(best.accuracies),
                        trainings: best.accuracies.count, candidates: candidates.count, bestRandom: random.max(),
                        genotype: trained.genotype, parameters: trained.parameters, multiplyAdds: trained.multiplyAdds)
    }

    /// The accuracy of each cell of a row with all its trainings done: the mean over its
    /// training seeds. A cell with some seeds still to run is left out until then, so the
    /// paired design holds in every number shown before the end too.
    func cellAccuracies(_ include: (ExperimentUnit) -> Bool) -> [Double] {
        trainedCells(include).map { Statistics.mean($0.accuracies) }
    }

    private func trainingColumns(_ row: inout Row, _ include: (ExperimentUnit) -> Bool) {
        let groups = trainedCells(include)
        let means = groups.map { Statistics.mean($0.accuracies) }
        row.testAccuracy = Spread(means)
        if means.count > 1 {
            let interval = Statistics.meanInterval(means)
            row.testAccuracyInterval = [interval.low, interval.high]
        }
        // Every cell with two trainings or more, complete or not: each pair is a measure of the noise.
        let repeated = cells(include).filter { $0.accuracies.count > 1 }
        if !repeated.isEmpty {
            // Pooled within-cell variance: sum of squared deviations over the degrees of freedom.
            let squares = repeated.reduce(0.0) { sum, group in
                let m = Statistics.mean(group.accuracies)
                return sum + group.accuracies.reduce(0) { $0 + ($1 - m) * ($1 - m) }
            }
            let freedom = repeated.reduce(0) { $0 + $1.accuracies.count - 1 }
            row.trainingNoise = (squares / Double(freedom)).squareRoot()
        }
        let first = groups.compactMap(\.results.first)
        row.parametersM = Spread(first.compactMap { $0.parameters.map { Double($0) / 1e6 } })
        row.multiplyAddsM = Spread(first.compactMap { $0.multiplyAdds.map { Double($0) / 1e6 } })
    }

    /// One row per method in plan order, then one per random rule that has results.
    public var rows: [Row] {
        var rows = plan.methods.map { method -> Row in
            let searches = searchResults(method)
            let trains = results.filter { $0.unit.kind == .train && $0.unit.method == method }
            var row = Row(name: method.rawValue, searches: searches.count, trained: trains.count,
                          searchMinutes: Spread(searches.map { ($0.cpuSeconds ?? $0.seconds) / 60 }),
                          peakMemoryGB: Spread(searches.compactMap { $0.peakMemoryBytes.map { Double($0) / 1e9 } }),
                          skipConnections: Spread(searches.compactMap { $0.skipConnections.map(Double.init) }),
                          meanMaxWeight: Spread(searches.compactMap(\.meanMaxWeight)),
                          gapPoints: Spread(searches.compactMap(\.gap)),
                          prunedPercent: Spread(searches.compactMap { $0.prunedFraction.map { 100 * $0 } }),
                          genotypeAgreement: Spread(searches.compactMap(\.genotypeAgreement)),
                          inDegree: Spread(searches.compactMap(\.meanInDegree)))
            trainingColumns(&row) { $0.kind == .train && $0.method == method }
            return row
        }
        for kind in [ExperimentUnit.Kind.randomDarts, .randomDST] {
            let trains = results.filter { $0.unit.kind == kind }
            guard !trains.isEmpty else { continue }
            var row = Row(name: Self.ruleName(kind), searches: 0, trained: trains.count,
                          inDegree: Spread(cells { $0.kind == kind }.compactMap { $0.results.first?.meanInDegree }))
            trainingColumns(&row) { $0.kind == kind }
            rows.append(row)
        }
        return rows
    }

    /// The row name of a random rule.
    static func ruleName(_ kind: ExperimentUnit.Kind) -> String {
        kind == .randomDarts ? "random (DARTS rule)" : "random (DST in-degree)"
    }

    /// Each method's cells against the random cells of its rule (DST: matched in-degree), where
    /// both have trained cells; p-values Holm-corrected over these comparisons.
    public var comparisons: [Comparison] {
        var out: [Comparison] = []
        for method in plan.methods {
            let kind: ExperimentUnit.Kind = method == .entrannasDST ? .randomDST : .randomDarts
            let searched = cellAccuracies { $0.kind == .train && $0.method == method }
            let random = cellAccuracies { $0.kind == kind }
            guard !searched.isEmpty, !random.isEmpty else { continue }
            out.append(Comparison(method.rawValue, rule: Self.ruleName(kind), searched: searched, random: random))
        }
        for (i, adjusted) in Statistics.holm(out.map(\.p)).enumerated() { out[i].pHolm = adjusted }
        return out
    }

    /// The searched cells of every method that shares a random rule, pooled, against that
    /// rule's random cells, where at least two methods do: "do these searches, as a group, find
    /// better cells than chance?", with more cells than any one method has. Exploratory, asked
    /// after the per-method comparisons, so outside their Holm family (pHolm is p). Takes
    /// `comparisons`' own output, whose comparisons of one rule share its random cells.
    func pooledComparisons(_ comparisons: [Comparison]) -> [Comparison] {
        let groups: [[Comparison]] = Dictionary(grouping: comparisons, by: \.rule).values.filter { $0.count > 1 }
        return groups.sorted { $0[0].rule < $1[0].rule }.map { group -> Comparison in
            let methods = group.map(\.method).joined(separator: " + ")
            let searched: [Double] = group.flatMap(\.searched)
            return Comparison(methods, rule: group[0].rule, searched: searched, random: group[0].random)
        }
    }

    /// Kendall's tau between the derived network's accuracy with inherited weights (the
    /// consistency report) and the cell's stand-alone accuracy, over every searched cell with
    /// both, with its two-sided permutation p-value, and their count: does the super-net rank
    /// cells as training them does?
    public var rankCorrelation: (tau: Double, p: Double, cells: Int)? {
        var inherited: [Double] = [], trained: [Double] = []
        for group in trainedCells({ $0.kind == .train }) {
            let search = ExperimentUnit(kind: .search, method: group.cell.method, seed: group.cell.seed)
            guard let derived = results.first(where: { $0.unit == search })?.derivedAccuracy else { continue }
            inherited.append(derived)
            trained.append(Statistics.mean(group.accuracies))
        }
        guard inherited.count > 2 else { return nil }
        let test = Statistics.kendallTauTest(inherited, trained)
        return (test.tau, test.p, inherited.count)
    }

    /// Kendall's tau between a trained cell's multiply-adds and its accuracy, over every trained
    /// cell (searched and random), with its two-sided permutation p-value: where accuracy
    /// follows size, a search that picks larger ops beats random cells without finding better
    /// structure, and a comparison of accuracies alone would credit it.
    public var sizeCorrelation: (tau: Double, p: Double, cells: Int)? {
        var size: [Double] = [], trained: [Double] = []
        for group in trainedCells({ _ in true }) {
            guard let multiplyAdds = group.results.first?.multiplyAdds else { continue }
            size.append(Double(multiplyAdds))
            trained.append(Statistics.mean(group.accuracies))
        }
        guard size.count > 2 else { return nil }
        let test = Statistics.kendallTauTest(size, trained)
        return (test.tau, test.p, size.count)
    }
}
