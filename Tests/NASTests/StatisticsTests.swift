import XCTest
@testable import NAS

/// Known inputs give known intervals and p-values.
final class StatisticsTests: XCTestCase {
    func testMeanAndSampleStandardDeviation() {
        XCTAssertEqual(Statistics.mean([1, 2, 3, 4]), 2.5)
        XCTAssertEqual(Statistics.standardDeviation([2, 4, 4, 4, 5, 5, 7, 9]), (32.0 / 7).squareRoot(), accuracy: 1e-12)
        XCTAssertEqual(Statistics.standardDeviation([3]), 0)
    }

    /// Exact permutation p-values, counted by hand: 3 against 3 values has C(6,3) = 20 splits.
    func testExactPermutationTest() {
        // Group a holds the three largest: only the observed split is as extreme.
        XCTAssertEqual(Statistics.permutationTest([3, 4, 5], [0, 1, 2]), 1.0 / 20, accuracy: 1e-12)
        // The other direction: every split is at least as extreme.
        XCTAssertEqual(Statistics.permutationTest([0, 1, 2], [3, 4, 5]), 1, accuracy: 1e-12)
        // a = {1, 4, 5} (sum 10) against {0, 2, 3}: the 3-subsets of {0..5} with sum >= 10 are
        // {3,4,5}, {2,4,5}, {2,3,5} and {1,4,5}: 4 of 20.
        XCTAssertEqual(Statistics.permutationTest([1, 4, 5], [0, 2, 3]), 4.0 / 20, accuracy: 1e-12)
        // Ties count as extreme: all equal gives 1.
        XCTAssertEqual(Statistics.permutationTest([1, 1], [1, 1, 1]), 1, accuracy: 1e-12)
        // The smallest reachable p: 2 against 3 cannot go below 0.1, 3 against 5 reaches 1/56.
        XCTAssertEqual(Statistics.permutationTest([9, 10], [1, 2, 3]), 0.1, accuracy: 1e-12)
        XCTAssertEqual(Statistics.permutationTest([10, 11, 12], [1, 2, 3, 4, 5]), 1.0 / 56, accuracy: 1e-12)
    }

    /// The p a permutation test can still reach with values missing, counted by hand, and
    /// checked against a brute force over values the missing ones might take.
    func testPermutationTestRangeWithMissingValues() {
        // a = {1, x} against {2, 3}: with x above everything the 2-subsets at least as large as
        // {1, x} are {1, x}, {2, x}, {3, x}: 3 of 6; with x below everything, all 6 are.
        let range = Statistics.permutationTestRange([1], [2, 3], missingA: 1, missingB: 0)
        XCTAssertEqual(range.lowest, 0.5, accuracy: 1e-12)
        XCTAssertEqual(range.highest, 1, accuracy: 1e-12)
        // Nothing missing: the test itself.
        let whole = Statistics.permutationTestRange([3, 4, 5], [0, 1, 2], missingA: 0, missingB: 0)
        XCTAssertEqual(whole.lowest, 1.0 / 20, accuracy: 1e-12)
        XCTAssertEqual(whole.highest, 1.0 / 20, accuracy: 1e-12)
        // Experiment v2's PC-DARTS after three of four cells against its six random cells: the
        // fourth cannot bring p below 46/210, however accurate it is.
        let searched = [90.38, 90.69, 90.745], random = [90.285, 90.375, 90.67, 90.715, 90.775, 90.925]
        let v2 = Statistics.permutationTestRange(searched, random, missingA: 1, missingB: 0)
        XCTAssertEqual(v2.lowest, 46.0 / 210, accuracy: 1e-12)
        for x in stride(from: 88.0, through: 100, by: 0.25) {
            let p = Statistics.permutationTest(searched + [x], random)
            XCTAssertTrue(p >= v2.lowest - 1e-12 && p <= v2.highest + 1e-12, "x = \(x): p = \(p) outside \(v2)")
        }
        // A missing random value y: {3, 4} against {0, 1, y}. Below everything only {3, 4} is as
        // large (1 of 10); above everything the four pairs holding y are too (5 of 10).
        let b = Statistics.permutationTestRange([3, 4], [0, 1], missingA: 0, missingB: 1)
        XCTAssertEqual(b.lowest, 1.0 / 10, accuracy: 1e-12)
        XCTAssertEqual(b.highest, 5.0 / 10, accuracy: 1e-12)
    }

    /// Above the exact limit the final p is sampled, on draws that move once the missing values
    /// arrive: the range bounds nothing and says so, (0, 1), and no verdict is decided early.
    func testTheRangeBoundsOnlyTheExactTest() {
        let bounded = Statistics.permutationTestRange([3, 4], [0, 1], missingA: 0, missingB: 1)
        XCTAssertEqual(bounded.lowest, 1.0 / 10, accuracy: 1e-12)
        let sampled = Statistics.permutationTestRange([3, 4], [0, 1], missingA: 0, missingB: 1, exactLimit: 9)
        XCTAssertEqual([sampled.lowest, sampled.highest], [0, 1], "C(5, 2) = 10 splits are over a limit of 9")
    }

    /// Means of two trainings equal but for rounding are ties, as tau-b counts them (scipy's
    /// kendalltau gives 0.105 here; without the tolerance the pair counted as ordered gave 0).
    func testKendallTauCountsRoundingTiesAsTies() {
        let x: [Double] = [1, 2, 3, 4, 5]
        let rounded = [90.1, (90.55 + 91.04) / 2, (90.71 + 90.88) / 2, 91.6, 90.0]
        XCTAssertNotEqual(rounded[1], rounded[2], "the two means differ in the last bit")
        let tied = [90.1, 90.795, 90.795, 91.6, 90.0]
        XCTAssertEqual(Statistics.kendallTau(x, rounded), Statistics.kendallTau(x, tied), accuracy: 1e-12)
        XCTAssertEqual(Statistics.kendallTau(x, tied), 1 / (10.0 * 9).squareRoot(), accuracy: 1e-12)
    }

    func testMonteCarloPermutationTestAgreesWithTheExactOne() {
        let a: [Double] = [86.1, 87.0, 86.6, 85.9, 87.3, 86.8]
        let b: [Double] = [85.7, 86.2, 85.1, 86.9, 85.5, 86.0, 85.8]
        let exact = Statistics.permutationTest(a, b)
        let sampled = Statistics.permutationTest(a, b, exactLimit: 0, resamples: 50_000, seed: 3)
        XCTAssertEqual(sampled, exact, accuracy: 0.005)
        XCTAssertLessThan(exact, 0.05)
        // The sampling ran: (k + 1) / 50,001 is not the exact k / 1716, and the seed moves it.
        XCTAssertNotEqual(sampled, exact)
        XCTAssertEqual(sampled, Statistics.permutationTest(a, b, exactLimit: 0, resamples: 50_000, seed: 3))
        XCTAssertNotEqual(sampled, Statistics.permutationTest(a, b, exactLimit: 0, resamples: 50_000, seed: 4))
        // The observed split counts as one of the sampled ones: fully separated groups of ten
        // (one split in C(20, 10) = 184,756 reaches them) give 1 / 1001 from 1000 samples, not 0.
        let high = (10..<20).map(Double.init), low = (0..<10).map(Double.init)
        XCTAssertEqual(Statistics.permutationTest(high, low, exactLimit: 0, resamples: 1000, seed: 3), 1.0 / 1001, accuracy: 1e-12)
        XCTAssertEqual(Statistics.permutationTest(high, low), 1.0 / 184_756, accuracy: 1e-15)
    }

    /// The permutation test's p must not change with the order of the cells (`--seeds 2,1`):
    /// the sampled test (10 against 12 cells: 646,646 splits, over the exact limit) gives the
    /// same p for the same values in any order.
    func testSampledPermutationTestIgnoresTheOrderOfTheValues() {
        let a: [Double] = [90.7, 90.2, 91.1, 90.5, 90.9, 90.3, 90.8, 90.6, 91.0, 90.4]
        let b: [Double] = [90.1, 90.6, 89.9, 90.4, 90.2, 90.7, 90.0, 90.3, 90.5, 89.8, 90.45, 90.25]
        let p = Statistics.permutationTest(a, b)
        XCTAssertGreaterThan(p, 1.0 / 100_001, "sampled, not at its floor")
        for shift in 1..<4 {
            let rotatedA = Array(a[shift...] + a[..<shift]), rotatedB = Array(b.reversed()[shift...] + b.reversed()[..<shift])
            XCTAssertEqual(Statistics.permutationTest(rotatedA, rotatedB), p)
        }
    }

    func testHolmCorrection() {
        // Sorted 0.01, 0.03, 0.04 times 3, 2, 1 = 0.03, 0.06, 0.04; made monotone: 0.03, 0.06, 0.06.
        let adjusted = Statistics.holm([0.01, 0.04, 0.03])
        XCTAssertEqual(adjusted[0], 0.03, accuracy: 1e-12)
        XCTAssertEqual(adjusted[1], 0.06, accuracy: 1e-12)
        XCTAssertEqual(adjusted[2], 0.06, accuracy: 1e-12)
        XCTAssertEqual(Statistics.holm([0.5, 0.6]), [1, 1], "capped at 1")
        XCTAssertEqual(Statistics.holm([]), [])
    }

    /// Student's t: quantiles as tables give them (scipy.stats.t.ppf), and the interval of v2's
    /// four EnTranNAS cells as scipy.stats.t.interval computes it.
    func testMeanInterval() {
        for (degrees, quantile) in [(1.0, 12.706204736), (3, 3.182446305), (5, 2.570581836), (30, 2.042272456)] {
            XCTAssertEqual(Statistics.studentTQuantile(0.975, degrees: degrees), quantile, accuracy: 1e-6, "\(degrees)")
        }
        XCTAssertEqual(Statistics.studentTQuantile(0.5, degrees: 4), 0, accuracy: 1e-6)
        XCTAssertTrue(Statistics.meanInterval([2, 2, 2]) == (2, 2))
        XCTAssertTrue(Statistics.meanInterval([7]) == (7, 7))
        let cells = [90.845, 91.0, 90.075, 90.805]
        let (low, high) = Statistics.meanInterval(cells)
        XCTAssertEqual(low, 90.024356, accuracy: 1e-5)
        XCTAssertEqual(high, 91.338144, accuracy: 1e-5)
    }

    /// Welch's interval of a difference of means as scipy.stats.ttest_ind(a, b, equal_var=False)
    /// .confidence_interval() gives it: v2's EnTranNAS cells against its DARTS-rule random cells
    /// (4.43 degrees of freedom), unequal groups at 95% and 90%, and the edge cases.
    func testDifferenceInterval() throws {
        let cells = [90.845, 91.0, 90.075, 90.805], random = [90.715, 90.925, 90.67, 90.375, 90.775, 90.285]
        let v2 = try XCTUnwrap(Statistics.differenceInterval(cells, random))
        XCTAssertEqual(v2.low, -0.5561815764, accuracy: 1e-6)
        XCTAssertEqual(v2.high, 0.6703482431, accuracy: 1e-6)
        let wide = try XCTUnwrap(Statistics.differenceInterval([1, 3], [2, 2.5, 9]))
        XCTAssertEqual(wide.low, -10.9516990959, accuracy: 1e-6)
        XCTAssertEqual(wide.high, 5.9516990959, accuracy: 1e-6)
        let ninety = try XCTUnwrap(Statistics.differenceInterval([1, 3], [2, 2.5, 9], level: 0.9))
        XCTAssertEqual(ninety.low, -8.6213695359, accuracy: 1e-6)
        XCTAssertEqual(ninety.high, 3.6213695359, accuracy: 1e-6)
        // One constant group: its variance is 0 and Welch's degrees are the other's n - 1.
        let oneSided = try XCTUnwrap(Statistics.differenceInterval([1, 2, 3], [4, 4, 4, 4]))
        XCTAssertEqual(oneSided.low, -4.4841377118, accuracy: 1e-6)
        XCTAssertEqual(oneSided.high, 0.4841377118, accuracy: 1e-6)
        XCTAssertTrue(Statistics.differenceInterval([5, 5], [2, 2, 2]).map { $0 == (3, 3) } ?? false, "both constant")
        XCTAssertNil(Statistics.differenceInterval([1], [1, 2]), "one value has no spread")
        XCTAssertNil(Statistics.differenceInterval([1, 2], []))
    }

    func testKendallTau() {
        XCTAssertEqual(Statistics.kendallTau([1, 2, 3, 4], [10, 20, 30, 40]), 1, accuracy: 1e-12)
        XCTAssertEqual(Statistics.kendallTau([1, 2, 3, 4], [4, 3, 2, 1]), -1, accuracy: 1e-12)
        // One swap among 4: 5 concordant, 1 discordant pairs of 6.
        XCTAssertEqual(Statistics.kendallTau([1, 2, 3, 4], [1, 3, 2, 4]), 4.0 / 6, accuracy: 1e-12)
        XCTAssertEqual(Statistics.kendallTau([1, 1, 1], [1, 2, 3]), 0)
    }

    func testKendallTauPermutationTest() {
        // Of the 24 orderings of 4 values, only the sorted and the reversed one have |tau| = 1.
        let perfect = Statistics.kendallTauTest([1, 2, 3, 4], [10, 20, 30, 40])
        XCTAssertEqual(perfect.tau, 1, accuracy: 1e-12)
        XCTAssertEqual(perfect.p, 2.0 / 24, accuracy: 1e-12)
        XCTAssertEqual(Statistics.kendallTauTest([1, 2, 3, 4, 5], [5, 4, 3, 2, 1]).p, 2.0 / 120, accuracy: 1e-12)
        // One swap among 4 (tau = 2/3): the 2 perfect orderings and the 3 + 3 one-adjacent-swap
        // ones of either direction reach |tau| >= 2/3: 8 of 24.
        XCTAssertEqual(Statistics.kendallTauTest([1, 2, 3, 4], [1, 3, 2, 4]).p, 8.0 / 24, accuracy: 1e-12)
        // Heap's algorithm visits every ordering once.
        var seen = Set<[Double]>()
        Statistics.forEachPermutation(of: [1, 2, 3, 4, 5]) { seen.insert($0) }
        XCTAssertEqual(seen.count, 120)
        // Beyond the exact limit: random pairings, deterministic per seed, close to the exact p.
        let x = (0..<7).map(Double.init), y: [Double] = [0, 2, 1, 3, 5, 4, 6]
        let exact = Statistics.kendallTauTest(x, y).p
        let sampled = Statistics.kendallTauTest(x, y, exactLimit: 1, resamples: 20_000, seed: 3).p
        XCTAssertEqual(sampled, exact, accuracy: 0.01)
        XCTAssertEqual(sampled, Statistics.kendallTauTest(x, y, exactLimit: 1, resamples: 20_000, seed: 3).p)
        XCTAssertNotEqual(sampled, exact, "the sampled p is a fraction of 20,001, the exact one of 5040")
        XCTAssertNotEqual(sampled, Statistics.kendallTauTest(x, y, exactLimit: 1, resamples: 20_000, seed: 4).p)
        XCTAssertEqual(Statistics.kendallTauTest([1], [2]).p, 1)
    }
}
