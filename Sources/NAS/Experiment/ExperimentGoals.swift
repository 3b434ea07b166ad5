import Foundation

/// The goals of docs/experiment.md#goals, each with a verdict that only a test or an interval
/// gives, never one mean against another: searched against random cells by a permutation test
/// (Holm-corrected), EnTranNAS' gap against DARTS' by a permutation test over the search seeds,
/// EnTranNAS' gap and DST's pruning and gap against their bounds by the t interval of the mean.
extension ExperimentSummary {
    /// The goals, checked against the numbers so far.
    public var goals: [(goal: String, verdict: String)] { goals(comparisons: comparisons) }

    /// The goals, given the searched-against-random `comparisons` already computed (each is a
    /// permutation test: a report that prints both runs them once).
    public func goals(comparisons: [Comparison]) -> [(goal: String, verdict: String)] {
        var out: [(String, String)] = []
        if plan.methods.contains(.entrannasDST) {
            let dst = searchResults(.entrannasDST)
            out.append(("EnTranNAS-DST prunes at least half of the candidates (95% interval of the mean)",
                        boundVerdict(dst, { $0.prunedFraction.map { 100 * $0 } }, bound: 50, atMost: false, unit: "%")))
            out.append(("EnTranNAS-DST consistency gap at most 2 points (95% interval of the mean)",
                        boundVerdict(dst, \.gap, bound: 2, atMost: true, unit: " points")))
            out.append(("EnTranNAS-DST: no node keeps more than half of its candidates (every search)",
                        denseNodeVerdict(dst.map(\.genotype))))
        }
        if plan.methods.contains(.entrannas) {
            out.append(("EnTranNAS consistency gap at most 10 points (95% interval of the mean)",
                        boundVerdict(searchResults(.entrannas), \.gap, bound: 10, atMost: true, unit: " points")))
        }
        if plan.methods.contains(.entrannas) && plan.methods.contains(.darts) {
            out.append(("EnTranNAS gap smaller than DARTS' (permutation test, p < \(Self.alpha))",
                        gapVerdict(entrannas: searchResults(.entrannas), darts: searchResults(.darts))))
        }
        let finished = results.count == plan.units.count
        let tested = Dictionary(uniqueKeysWithValues: comparisons.map { ($0.method, $0) })
        // Each comparison's range of p over the cells still to come, computed once.
        let ranges = finished ? [:] : tested.mapValues { c -> (lowest: Double, highest: Double) in
            let missing = missingCells(c)
            return Statistics.permutationTestRange(c.searched, c.random, missingA: missing.searched, missingB: missing.random)
        }
        let holmFloor = finished ? 0 : holmFloor(ranges.mapValues(\.lowest))
        for method in plan.methods {
            let goal = "\(method.rawValue) cells beat the random cells of the same rule (permutation test, Holm p < \(Self.alpha))"
            guard let c = tested[method.rawValue] else { out.append((goal, "pending")); continue }
            let numbers = String(format: "%+.2f points, p = %.3f, Holm p = %.3f; %d vs %d cells", c.difference, c.p, c.pHolm,
                                 c.searched.count, c.random.count)
            if finished {
                out.append((goal, (c.pHolm < Self.alpha ? "met" : "missed") + " (\(numbers))"))
            } else {
                out.append((goal, partialVerdict(c, numbers: numbers, range: ranges[method.rawValue], holmFloor: holmFloor)))
            }
        }
        return out
    }

    /// A bound on a method's mean over its searches: met when the Student-t 95% interval of the
    /// mean lies on the goal's side of `bound`, missed when it lies beyond it, undecided where it
    /// holds the bound (more seeds would decide) or where one value gives no interval.
    /// "partial: " while searches of the plan are still to run; a finished search without the
    /// value (an old result) is left out and named, not waited for.
    func boundVerdict(_ searches: [UnitResult], _ value: (UnitResult) -> Double?, bound: Double, atMost: Bool,
                      unit: String) -> String {
        let values = searches.compactMap(value)
        guard !values.isEmpty else { return "pending" }
        let mean = Statistics.mean(values)
        let without = searches.count - values.count
        let note = without == 0 ? "" : "; \(without) search\(without == 1 ? "" : "es") without it"
        let partial = searches.count < plan.seeds.count ? "partial: " : ""
        guard values.count > 1 else {
            return partial + String(format: "undecided (%.2f%@; one search, no interval%@)", mean, unit, note)
        }
        let interval = Statistics.meanInterval(values)
        let (near, far) = atMost ? (interval.low, interval.high) : (interval.high, interval.low)
        func within(_ x: Double) -> Bool { atMost ? x <= bound : x >= bound }
        let verdict = within(far) ? "met" : within(near) ? "undecided" : "missed"
        return partial + verdict + String(format: " (%.2f%@, 95%% interval [%.2f, %.2f]; %d searches%@)",
                                          mean, unit, interval.low, interval.high, values.count, note)
    }

    /// DST's pruning node by node: every search's derived cells, their largest kept share of a
    /// node's candidates (`Genotype.largestNodeShare`). Missed as soon as one search has a node
    /// above half (no later search undoes it), met once every search of the plan is below.
    func denseNodeVerdict(_ genotypes: [String]) -> String {
        guard !genotypes.isEmpty else { return "pending" }
        // A genotype that does not parse counts as unknown, not as met.
        let shares = genotypes.map { (try? Genotype(dartsText: $0))?.largestNodeShare() }
        let numbers = "largest share per search: " + shares.map { $0.map { String(format: "%.0f%%", 100 * $0) } ?? "?" }
            .joined(separator: ", ")
        if shares.contains(where: { ($0 ?? 0) > 0.5 }) {
            return (genotypes.count < plan.seeds.count ? "decided: " : "") + "missed (\(numbers))"
        }
        let complete = genotypes.count >= plan.seeds.count && !shares.contains(nil)
        return (complete ? "" : "partial: ") + "met (\(numbers))"
    }

    /// EnTranNAS' gaps against DARTS', one per search seed: a one-sided permutation test of
    /// "DARTS' gaps are larger", on its own (not in the Holm family of the cell comparisons).
    /// Before all searches have run, decided by `earlyVerdict` with no correction. Only missed can
    /// be decided early in practice: a gap still to come can land beyond every other, which keeps
    /// p at or above m / (n + m) for groups of n and m searches (at least 0.5 with the same seeds
    /// for both). A finished search without a gap is left out and named.
    func gapVerdict(entrannas: [UnitResult], darts: [UnitResult]) -> String {
        let e = entrannas.compactMap(\.gap), d = darts.compactMap(\.gap)
        guard !e.isEmpty, !d.isEmpty else { return "pending" }
        let p = Statistics.permutationTest(d, e)
        let without = entrannas.count + darts.count - e.count - d.count
        let numbers = String(format: "%.2f vs %.2f points, p = %.3f; %d vs %d searches", Statistics.mean(e), Statistics.mean(d),
                             p, e.count, d.count) + (without == 0 ? "" : ", \(without) without a gap")
        let missingE = max(plan.seeds.count - entrannas.count, 0), missingD = max(plan.seeds.count - darts.count, 0)
        guard missingE + missingD > 0 else { return (p < Self.alpha ? "met" : "missed") + " (\(numbers))" }
        let left = "\(missingE + missingD) search\(missingE + missingD == 1 ? "" : "es") still to run"
        return earlyVerdict(d, e, missingA: missingD, missingB: missingE, p: p, correction: 1, numbers: numbers, left: left)
    }

    /// The cells a comparison still waits for: searched (one per seed) and random ones, a cell
    /// counting as trained once all its trainings are (`cellAccuracies`).
    private func missingCells(_ c: Comparison) -> (searched: Int, random: Int) {
        (max(plan.seeds.count - c.searched.count, 0), max(plan.randomCells - c.random.count, 0))
    }

    /// The lowest Holm-adjusted p any comparison can still end with, given the lowest p each
    /// comparison so far can still reach. Holm multiplies the family's smallest p by the family's
    /// size and lowers no p below that. The family only grows (comparisons are never dropped), so
    /// its size now is a lower bound on its final size, and its smallest p is at least the
    /// smallest of these lowest p's and of the methods not yet compared (one split in all of
    /// their final groups').
    func holmFloor(_ lowest: [String: Double]) -> Double {
        let pending = plan.methods.contains { lowest[$0.rawValue] == nil }
            ? [1 / Statistics.binomial(plan.seeds.count + plan.randomCells, plan.seeds.count)] : []
        return min(1, Double(lowest.count) * ((Array(lowest.values) + pending).min() ?? 1))
    }

    /// A comparison's verdict before every unit has finished, by `earlyVerdict` over the cells
    /// not yet trained, with the number of methods as the correction (Holm's largest factor).
    /// Missed is decided when the raw p cannot go below alpha, or when `holmFloor`, the lowest
    /// Holm p any comparison can end with, is at least alpha.
    func partialVerdict(_ c: Comparison, numbers: String, range: (lowest: Double, highest: Double)?,
                        holmFloor: Double) -> String {
        let missing = missingCells(c)
        let count = missing.searched + missing.random
        let left = count == 0 ? "every cell trained" : "\(Plural.counted(count, "cell")) still to train"
        let verdict = earlyVerdict(c.searched, c.random, missingA: missing.searched, missingB: missing.random, p: c.pHolm,
                                   correction: Double(plan.methods.count), numbers: numbers, left: left, range: range)
        guard verdict.hasPrefix("partial:"), holmFloor >= Self.alpha else { return verdict }
        return "decided: missed (\(numbers); \(left), Holm p cannot go below " + String(format: "%.3f)", holmFloor)
    }

    /// The verdict of a one-sided permutation test of `a` over `b` while `missingA` and `missingB`
    /// of their values are still to come. It is decided when nothing still to come can change it:
    /// the raw p's range over any values they may take (`Statistics.permutationTestRange`) is the
    /// bound. Missed when even its lowest is at least alpha; met when its highest times
    /// `correction` is below alpha. Otherwise "partial:" and `p`'s verdict so far.
    func earlyVerdict(_ a: [Double], _ b: [Double], missingA: Int, missingB: Int, p: Double, correction: Double,
                      numbers: String, left: String, range known: (lowest: Double, highest: Double)? = nil) -> String {
        let range = known ?? Statistics.permutationTestRange(a, b, missingA: missingA, missingB: missingB)
        if range.lowest >= Self.alpha {
            return "decided: missed (\(numbers); \(left), p cannot go below " + String(format: "%.3f)", range.lowest)
        }
        if range.highest * correction < Self.alpha {
            return "decided: met (\(numbers); \(left), p cannot exceed " + String(format: "%.3f)", range.highest)
        }
        return "partial: " + (p < Self.alpha ? "met" : "missed") + " (\(numbers))"
    }
}
