import XCTest
@testable import Datasets

final class SearchSplitTests: XCTestCase {
    /// 1,000 images, 10 classes of 100.
    let labels = (0..<1000).map { Int32($0 % 10) }

    func counts(_ indices: [Int]) -> [Int] {
        var counts = [Int](repeating: 0, count: 10)
        for index in indices { counts[Int(labels[index])] += 1 }
        return counts
    }

    func testDefaultHalvesEveryClass() throws {
        let split = try SearchSplit(labels: labels, classCount: 10, seed: 0)
        XCTAssertEqual(split.weightIndices.count, 500)
        XCTAssertEqual(split.architectureIndices.count, 500)
        XCTAssertEqual(counts(split.weightIndices), [Int](repeating: 50, count: 10))
        XCTAssertEqual(Set(split.weightIndices + split.architectureIndices).count, 1000, "disjoint and complete")
    }

    func testPortionIsExactInTotalAndBalancedPerClass() throws {
        let split = try SearchSplit(labels: labels, classCount: 10, trainPortion: 0.333, seed: 4)
        XCTAssertEqual(split.weightIndices.count, 333)
        XCTAssertEqual(split.architectureIndices.count, 667)
        for count in counts(split.weightIndices) { XCTAssertTrue((33...34).contains(count)) }
    }

    /// PC-DARTS' ImageNet split: 10% and 2.5% of every class, disjoint, by the seed.
    func testClassBalancedFractions() throws {
        let split = try SearchSplit(labels: labels, classCount: 10, weightFraction: 0.1, architectureFraction: 0.025, seed: 3)
        XCTAssertEqual(counts(split.weightIndices), [Int](repeating: 10, count: 10))
        XCTAssertEqual(counts(split.architectureIndices), [Int](repeating: 3, count: 10), "round(2.5) per class")
        XCTAssertTrue(Set(split.weightIndices).isDisjoint(with: split.architectureIndices))
        let again = try SearchSplit(labels: labels, classCount: 10, weightFraction: 0.1, architectureFraction: 0.025, seed: 3)
        XCTAssertEqual(again, split)
        let other = try SearchSplit(labels: labels, classCount: 10, weightFraction: 0.1, architectureFraction: 0.025, seed: 4)
        XCTAssertNotEqual(other.weightIndices.sorted(), split.weightIndices.sorted())
        XCTAssertThrowsError(try SearchSplit(labels: labels, classCount: 10, weightFraction: 0.9, architectureFraction: 0.2, seed: 0))
        XCTAssertThrowsError(try SearchSplit(labels: labels, classCount: 10, weightFraction: 0.001, architectureFraction: 0.001, seed: 0))
    }

    func testSameSeedSameSplitOtherSeedOtherSplit() throws {
        let first = try SearchSplit(labels: labels, classCount: 10, seed: 1)
        XCTAssertEqual(first, try SearchSplit(labels: labels, classCount: 10, seed: 1))
        let other = try SearchSplit(labels: labels, classCount: 10, seed: 2)
        XCTAssertNotEqual(Set(first.weightIndices), Set(other.weightIndices))
    }

    func testLimitKeepsClassesBalanced() throws {
        let split = try SearchSplit(labels: labels, classCount: 10, trainPortion: 0.5, limit: 200, seed: 3)
        XCTAssertEqual(split.weightIndices.count, 100)
        XCTAssertEqual(split.architectureIndices.count, 100)
        XCTAssertEqual(counts(split.weightIndices), [Int](repeating: 10, count: 10))
        XCTAssertEqual(counts(split.architectureIndices), [Int](repeating: 10, count: 10))
        let uneven = try SearchSplit(labels: labels, classCount: 10, limit: 23, seed: 3)
        XCTAssertEqual(counts(uneven.weightIndices + uneven.architectureIndices), [3, 3, 3, 2, 2, 2, 2, 2, 2, 2])
    }

    func testBalancedIndices() throws {
        let indices = try SearchSplit.balancedIndices(labels: labels, classCount: 10, limit: 50, seed: 0)
        XCTAssertEqual(counts(indices), [Int](repeating: 5, count: 10))
        XCTAssertEqual(try SearchSplit.balancedIndices(labels: labels, classCount: 10, limit: nil, seed: 0).count, 1000)
    }

    func testBadSettings() {
        assertDatasetError(try SearchSplit(labels: labels, classCount: 10, trainPortion: 1, seed: 0), contains: ["strictly between 0 and 1"])
        assertDatasetError(try SearchSplit(labels: labels, classCount: 10, trainPortion: 0.0001, seed: 0), contains: ["empty"])
        assertDatasetError(try SearchSplit(labels: labels, classCount: 10, limit: 5, seed: 0), contains: ["limit 5"])
        assertDatasetError(try SearchSplit(labels: labels, classCount: 10, limit: 5000, seed: 0), contains: ["1000 training images"])
        let skewed = (0..<100).map { Int32($0 < 90 ? 0 : 1) }
        assertDatasetError(try SearchSplit(labels: skewed, classCount: 2, limit: 40, seed: 0),
                           contains: ["needs 20 images of class 1", "has 10"])
    }
}
