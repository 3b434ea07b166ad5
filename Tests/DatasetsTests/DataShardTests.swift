import XCTest
@testable import Datasets

/// Data-parallel shards: disjoint, covering, balanced, and exactly the rows of the whole batch.
final class DataShardTests: XCTestCase {
    func testPartsAreContiguousDisjointAndBalanced() throws {
        for size in 0...13 {
            for parts in 1...5 {
                let rows = (0..<parts).map { DataShard.rows($0, of: parts, in: size) }
                XCTAssertEqual(rows.first?.lowerBound, 0)
                XCTAssertEqual(rows.last?.upperBound, size)
                for (a, b) in zip(rows, rows.dropFirst()) { XCTAssertEqual(a.upperBound, b.lowerBound) }
                let counts = rows.map(\.count)
                XCTAssertLessThanOrEqual(counts.max()! - counts.min()!, 1, "sizes \(counts) for \(size) rows in \(parts)")
                XCTAssertEqual(try DataShard(index: parts - 1, count: parts).rows(of: size), rows.last)
            }
        }
        XCTAssertThrowsError(try DataShard(index: 2, count: 2))
    }

    /// Two shards of a shuffled, augmented loader give, batch for batch, the whole loader's rows:
    /// same images, same augmentation, same labels, at any epoch and from any starting batch.
    func testShardsAddUpToTheWholeBatch() throws {
        let dataset = try Fixtures.dataset(count: 30, channels: 3, side: 6)
        let whole = try DataLoader(dataset: dataset, batchSize: 8,
                                   augmentation: Augmentation(cropPadding: 2, horizontalFlip: true, cutoutLength: 3),
                                   seed: 5)
        let shards = try (0..<3).map { try whole.sharded(DataShard(index: $0, count: 3)) }
        for epoch in [0, 3] {
            let expected = Array(try whole.epoch(epoch, startingAtBatch: 1).makeIterator())
            XCTAssertEqual(expected.count, 3, "30 images in batches of 8, from the second batch")
            let parts = try shards.map { Array(try $0.epoch(epoch, startingAtBatch: 1).makeIterator()) }
            XCTAssertEqual(parts.map(\.count), [3, 3, 3])
            for (b, batch) in expected.enumerated() {
                let pieces = parts.map { $0[b] }
                XCTAssertEqual(pieces.map(\.count), b == 2 ? [2, 2, 2] : [3, 3, 2])
                XCTAssertEqual(pieces.flatMap(\.images), batch.images)
                XCTAssertEqual(pieces.flatMap(\.labels), batch.labels)
                XCTAssertEqual(pieces.flatMap(\.indices), batch.indices)
                XCTAssertEqual(Set(pieces.map(\.index)), [batch.index])
            }
        }
    }
}
