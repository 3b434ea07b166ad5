import Foundation

/// The statistics an experiment reports (docs/experiment.md#statistics): spread and confidence
/// intervals of a group of accuracies, and whether searched cells beat random ones by more than
/// chance, as a permutation test whose p-values are Holm-corrected for the number of comparisons.
/// Everything is deterministic: resampling draws come from a seeded generator.
public enum Statistics {
    /// Arithmetic mean (0 for no values).
    public static func mean(_ values: [Double]) -> Double {
        values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
    }

    /// Sample standard deviation (n - 1 in the denominator; 0 for fewer than two values).
    public static func standardDeviation(_ values: [Double]) -> Double {
        guard values.count > 1 else { return 0 }
        let m = mean(values)
        return (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(values.count - 1)).squareRoot()
    }

    /// Student-t confidence interval of the mean: mean ± t((1 + level) / 2, n - 1) · sd / √n.
    /// Not the percentile bootstrap: with the 4 to 6 cells of a row it covers the mean far less
    /// often than it claims (82% for 4 values, 89% for 6, simulated on normal data), where t's
    /// interval is exact for normal values.
    public static func meanInterval(_ values: [Double], level: Double = 0.95) -> (low: Double, high: Double) {
        let m = mean(values)
        guard values.count > 1 else { return (m, m) }
        let half = studentTQuantile((1 + level) / 2, degrees: Double(values.count - 1))
            * standardDeviation(values) / Double(values.count).squareRoot()
        return (m - half, m + half)
    }

    /// Welch's confidence interval of mean(a) - mean(b): the difference ± t((1 + level) / 2, ν) ·
    /// se, with se² = s_a²/n_a + s_b²/n_b and ν by Welch-Satterthwaite. A test that misses says
    /// only "not shown"; this says how large an advantage the data still allow. Nil when a group
    /// has fewer than two values; the difference itself when both groups are constant.
    public static func differenceInterval(_ a: [Double], _ b: [Double], level: Double = 0.95) -> (low: Double, high: Double)? {
        guard a.count > 1, b.count > 1 else { return nil }
        let difference = mean(a) - mean(b)
        let va = pow(standardDeviation(a), 2) / Double(a.count), vb = pow(standardDeviation(b), 2) / Double(b.count)
        let se2 = va + vb
        guard se2 > 0 else { return (difference, difference) }
        let degrees = se2 * se2 / (va * va / Double(a.count - 1) + vb * vb / Double(b.count - 1))
        let half = studentTQuantile((1 + level) / 2, degrees: degrees) * se2.squareRoot()
        return (difference - half, difference + half)
    }

    /// The p-quantile of Student's t distribution (0 < p < 1), by bisection on its CDF.
    static func studentTQuantile(_ p: Double, degrees: Double) -> Double {
        var low = -1e6, high = 1e6
        for _ in 0..<200 {
            let middle = (low + high) / 2
            if studentTCDF(middle, degrees: degrees) < p { low = middle } else { high = middle }
        }
        return (low + high) / 2
    }

    /// Student's t CDF through the regularized incomplete beta function.
    static func studentTCDF(_ t: Double, degrees: Double) -> Double {
        let tail = 0.5 * regularizedBeta(degrees / (degrees + t * t), a: degrees / 2, b: 0.5)
        return t >= 0 ? 1 - tail : tail
    }

    /// I_x(a, b), by the continued fraction of Numerical Recipes' betai (Lentz's method).
    static func regularizedBeta(_ x: Double, a: Double, b: Double) -> Double {
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        // The fraction converges fast below the mean; above it, by symmetry.
        if x > (a + 1) / (a + b + 2) { return 1 - regularizedBeta(1 - x, a: b, b: a) }
        let logGammas: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
        let logPowers: Double = a * Foundation.log(x) + b * Foundation.log(1 - x)
        let front = Foundation.exp(logGammas + logPowers)
        let tiny = 1e-300
        var c = 1.0, d = 1 - (a + b) * x / (a + 1)
        if Swift.abs(d) < tiny { d = tiny }
        d = 1 / d
        var fraction = d
        for m in 1...300 {
            let m = Double(m)
            let even: Double = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            let odd: Double = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            for numerator in [even, odd] {
                d = 1 + numerator * d
                if Swift.abs(d) < tiny { d = tiny }
                c = 1 + numerator / c
                if Swift.abs(c) < tiny { c = tiny }
                d = 1 / d
                fraction *= d * c
            }
            if Swift.abs(d * c - 1) < 1e-15 { break }
        }
        return front * fraction / a
    }

    /// One-sided two-sample permutation test of "group `a` has the larger mean": the share of
    /// the ways to split the pooled values into groups of a's and b's sizes whose mean
    /// difference is at least the observed one. Exact (every split) up to `exactLimit` splits,
    /// otherwise `resamples` random splits with the observed one counted (p >= 1/(resamples+1)).
    /// The smallest p an exact test can give is 1 / C(n_a + n_b, n_a): 3 against 5 values can
    /// reach 1/56 = 0.018, 2 against 3 only 1/10. Each group is sorted first, so the sampled p
    /// depends on the values only, not on their order (a plan's seed order, a partial run's).
    public static func permutationTest(_ a: [Double], _ b: [Double], exactLimit: Int = 200_000, resamples: Int = 100_000,
                                       seed: UInt64 = 0) -> Double {
        guard !a.isEmpty, !b.isEmpty else { return 1 }
        let a = a.sorted(), b = b.sorted()
        let pooled = a + b, total = pooled.reduce(0, +)
        let n = pooled.count, k = a.count
        // The mean difference grows with the sum of group a, so compare sums (with a tolerance
        // for rounding, so ties count as at least as extreme).
        let observed = a.reduce(0, +)
        let tolerance = 1e-9 * max(1, Swift.abs(total))
        if binomial(n, k) <= Double(exactLimit) {
            var extreme = 0, count = 0
            forEachSubset(of: n, size: k) { indices in
                count += 1
                if indices.reduce(0, { $0 + pooled[$1] }) >= observed - tolerance { extreme += 1 }
            }
            return Double(extreme) / Double(count)
        }
        var generator = SeededGenerator(seed: seed)
        var extreme = 1
        var shuffled = pooled
        for _ in 0..<resamples {
            // Partial Fisher-Yates: the first k entries are a uniform random subset.
            for i in 0..<k {
                let j = i + Int(generator.next() % UInt64(n - i))
                shuffled.swapAt(i, j)
            }
            if shuffled[0..<k].reduce(0, +) >= observed - tolerance { extreme += 1 }
        }
        return Double(extreme) / Double(resamples + 1)
    }

    /// The range `permutationTest` can still take while `missingA` values of `a` and `missingB`
    /// of `b` are unknown. Its p never rises when a value of `a` rises (splits holding it move
    /// with the observed sum, the others fall behind) and never falls when a value of `b` rises,
    /// so the lowest p has the missing values of `a` above everything and those of `b` below,
    /// the highest the reverse. Values far enough out stand in for the infinities. That holds for
    /// the exact test only: above `exactLimit` splits of the final groups the p is a sampled
    /// estimate whose draws fall on other values once the missing ones arrive, so nothing is a
    /// bound and the range is (0, 1).
    public static func permutationTestRange(_ a: [Double], _ b: [Double], missingA: Int, missingB: Int,
                                            exactLimit: Int = 200_000) -> (lowest: Double, highest: Double) {
        let known = a + b
        guard missingA > 0 || missingB > 0 else {
            let p = permutationTest(a, b, exactLimit: exactLimit)
            return (p, p)
        }
        let finalA = a.count + max(missingA, 0), finalB = b.count + max(missingB, 0)
        guard binomial(finalA + finalB, finalA) <= Double(exactLimit) else { return (0, 1) }
        let low = known.min() ?? 0, high = known.max() ?? 0
        // Beyond any sum of the known values' differences: a split with one more far value
        // always has the larger sum.
        let far = (high - low + 1) * Double(known.count + missingA + missingB + 1)
        func values(_ value: Double, _ count: Int) -> [Double] { [Double](repeating: value, count: max(count, 0)) }
        return (permutationTest(a + values(high + far, missingA), b + values(low - far, missingB), exactLimit: exactLimit),
                permutationTest(a + values(low - far, missingA), b + values(high + far, missingB), exactLimit: exactLimit))
    }

    /// Holm's step-down correction: p-values adjusted for testing them all at once, in the
    /// given order. Reject where adjusted p < alpha; the family-wise error stays below alpha.
    public static func holm(_ pValues: [Double]) -> [Double] {
        let order = pValues.indices.sorted { pValues[$0] < pValues[$1] }
        var adjusted = [Double](repeating: 1, count: pValues.count)
        var running = 0.0
        for (rank, index) in order.enumerated() {
            running = max(running, min(1, Double(pValues.count - rank) * pValues[index]))
            adjusted[index] = running
        }
        return adjusted
    }

    /// Kendall's tau-b rank correlation of paired values (ties handled as in tau-b; 0 when
    /// either list is constant or shorter than two). Values equal but for rounding are ties: a
    /// cell's accuracy is a mean of trainings, and (90.55 + 91.04) / 2 and (90.71 + 90.88) / 2
    /// differ in the last bit.
    public static func kendallTau(_ x: [Double], _ y: [Double]) -> Double {
        precondition(x.count == y.count, "kendallTau needs paired values")
        func tolerance(_ v: [Double]) -> Double { 1e-9 * max(1, v.map { Swift.abs($0) }.max() ?? 0) }
        let toleranceX = tolerance(x), toleranceY = tolerance(y)
        var concordant = 0.0, discordant = 0.0, tiesX = 0.0, tiesY = 0.0
        for i in x.indices {
            for j in (i + 1)..<x.count {
                var dx = x[i] - x[j], dy = y[i] - y[j]
                if Swift.abs(dx) <= toleranceX { dx = 0 }
                if Swift.abs(dy) <= toleranceY { dy = 0 }
                if dx == 0 && dy == 0 { continue }
                if dx == 0 { tiesX += 1; continue }
                if dy == 0 { tiesY += 1; continue }
                if (dx > 0) == (dy > 0) { concordant += 1 } else { discordant += 1 }
            }
        }
        let denominator = ((concordant + discordant + tiesX) * (concordant + discordant + tiesY)).squareRoot()
        return denominator > 0 ? (concordant - discordant) / denominator : 0
    }

    /// Kendall's tau-b with a two-sided permutation p-value: the share of the pairings of `y`
    /// with `x` whose |tau| is at least the observed one. Exact (every permutation of `y`) up to
    /// `exactLimit` permutations (n <= 8 by default), otherwise `resamples` random ones with the
    /// observed pairing counted. With n = 4 no pairing can reach p < 1/12; 5 values reach 1/60.
    /// An experiment's summary computes it after every unit, hence the modest defaults.
    public static func kendallTauTest(_ x: [Double], _ y: [Double], exactLimit: Int = 40_320, resamples: Int = 20_000,
                                      seed: UInt64 = 0) -> (tau: Double, p: Double) {
        let observed = kendallTau(x, y)
        guard x.count > 1 else { return (observed, 1) }
        let threshold = Swift.abs(observed) - 1e-12
        let permutations = (1...x.count).reduce(1.0) { $0 * Double($1) }
        if permutations <= Double(exactLimit) {
            var extreme = 0, count = 0
            forEachPermutation(of: y) { permuted in
                count += 1
                if Swift.abs(kendallTau(x, permuted)) >= threshold { extreme += 1 }
            }
            return (observed, Double(extreme) / Double(count))
        }
        var generator = SeededGenerator(seed: seed)
        var shuffled = y, extreme = 1
        for _ in 0..<resamples {
            shuffled.shuffle(using: &generator)
            if Swift.abs(kendallTau(x, shuffled)) >= threshold { extreme += 1 }
        }
        return (observed, Double(extreme) / Double(resamples + 1))
    }

    /// Calls `body` with every ordering of `values` (Heap's algorithm, n! calls).
    static func forEachPermutation(of values: [Double], _ body: ([Double]) -> Void) {
        var a = values, c = [Int](repeating: 0, count: values.count)
        body(a)
        var i = 1
        while i < a.count {
            if c[i] < i {
                a.swapAt(i % 2 == 0 ? 0 : c[i], i)
                body(a)
                c[i] += 1
                i = 1
            } else {
                c[i] = 0
                i += 1
            }
        }
    }

    /// C(n, k) as a double (exact well beyond any group size an experiment has).
    static func binomial(_ n: Int, _ k: Int) -> Double {
        guard k >= 0, k <= n else { return 0 }
        return (0..<min(k, n - k)).reduce(1.0) { $0 * Double(n - $1) / Double($1 + 1) }
    }

    /// Calls `body` with every k-element subset of 0..<n, in lexicographic order.
    static func forEachSubset(of n: Int, size k: Int, _ body: ([Int]) -> Void) {
        var indices = Array(0..<k)
        while true {
            body(indices)
            var i = k - 1
            while i >= 0 && indices[i] == n - k + i { i -= 1 }
            if i < 0 { return }
            indices[i] += 1
            for j in (i + 1)..<k { indices[j] = indices[j - 1] + 1 }
        }
    }
}

/// SplitMix64: a small seeded generator, so resampling gives the same numbers on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
