import Foundation

/// Whether a plan's groups are large enough for its tests to say "met" at all, told before the
/// first unit runs (docs/experiment.md#statistics). An exact permutation test of n against m
/// values cannot go below 1 / C(n + m, n), and Holm over k methods multiplies the smallest p by
/// k: 2 searches against 3 random cells under four methods can only ever read "missed". Such a
/// plan still measures cost, consistency and pruning, but its user should know before paying
/// CPU-days for a comparison that cannot come out.
extension ExperimentPlan {
    /// The smallest Holm-corrected p the plan's best searched-against-random comparison can
    /// reach (nil without random cells). Exact up to 200,000 splits; above, the sampled test's
    /// own floor, 1/100,001, is far below any alpha over the few methods a plan can have.
    public var smallestHolmP: Double? {
        guard randomCells > 0, !seeds.isEmpty, !methods.isEmpty else { return nil }
        return Self.smallestHolmP(searched: seeds.count, random: randomCells, methods: methods.count)
    }

    /// k / C(n + m, n), at most 1.
    static func smallestHolmP(searched n: Int, random m: Int, methods k: Int) -> Double {
        min(1, Double(k) / Statistics.binomial(n + m, n))
    }

    /// One line per goal that this plan's group sizes can never meet, whatever the cells
    /// give, each with the smallest change that can: searched against random cells, and
    /// EnTranNAS' gap against DARTS' (a permutation test over as many gaps as seeds).
    public func powerNotes(alpha: Double = ExperimentSummary.alpha) -> [String] {
        var notes: [String] = []
        let n = seeds.count, m = randomCells, k = methods.count
        if let best = smallestHolmP, best >= alpha {
            let needed = k == 1 ? "needs it below \(alpha)" : String(format: "over %d methods needs the best below %g / %d = %.4f", k, alpha, k, alpha / Double(k))
            let seedsNeeded = Self.smallest(from: n) { Self.smallestHolmP(searched: $0, random: m, methods: k) < alpha }
            let randomNeeded = Self.smallest(from: m) { Self.smallestHolmP(searched: n, random: $0, methods: k) < alpha }
            let splits = Statistics.binomial(n + m, n)
            notes.append(String(format: "no method can be shown to beat the random cells with this plan: %d searched against %d random %@ give a permutation p of at least 1/%.0f = %.3f, and Holm %@; %d seeds (--seeds) or %d random cells (--random-cells) can",
                                n, m, m == 1 ? "cell" : "cells", splits, 1 / splits, needed, seedsNeeded, randomNeeded))
        }
        let gapSplits = Statistics.binomial(2 * n, n)
        if methods.contains(.entrannas), methods.contains(.darts), 1 / gapSplits >= alpha {
            let seedsNeeded = Self.smallest(from: n) { 1 / Statistics.binomial(2 * $0, $0) < alpha }
            notes.append(String(format: "EnTranNAS' gap cannot be shown smaller than DARTS' with %d seeds: %d gaps against %d give a permutation p of at least 1/%.0f = %.3f; %d seeds can",
                                n, n, n, gapSplits, 1 / gapSplits, seedsNeeded))
        }
        return notes
    }

    /// The smallest count above `current` for which `enough` holds (a few steps: C grows fast).
    static func smallest(from current: Int, _ enough: (Int) -> Bool) -> Int {
        var count = max(current, 1) + 1
        while !enough(count) && count < 100_000 { count += 1 }
        return count
    }
}
