import Torch
import XCTest
@testable import Datasets

final class BatchTests: XCTestCase {
    func testBatchesBecomeNCHWFloatAndInt64Tensors() throws {
        let dataset = try Fixtures.dataset(count: 10, channels: 2, side: 4, classes: 3)
        let loader = try DataLoader(dataset: dataset, batchSize: 4, seed: 9)
        let order = loader.order(epoch: 0)
        var count = 0
        for host in try loader.epoch(0) {
            let batch = try Batch(host)
            let host = loader.makeBatch(epoch: 0, index: batch.index, order: order)
            XCTAssertEqual(batch.images.shape, [host.count, 2, 4, 4])
            XCTAssertEqual(batch.labels.shape, [host.count])
            XCTAssertEqual(try batch.images.floats(), host.images)
            XCTAssertEqual(try batch.labels.int64s(), host.labels)
            XCTAssertEqual(batch.indices, host.indices)
            count += batch.count
        }
        XCTAssertEqual(count, 10)
    }

    func testABatchThatCarriesAFailureThrowsIt() {
        let failure = DatasetError.corrupt(file: "/data/x.jpg", reason: "cannot be decoded as JPEG")
        let host = HostBatch(images: [], labels: [], shape: [0, 3, 8, 8], indices: [], epoch: 0, index: 2, failure: failure)
        XCTAssertThrowsError(try Batch(host)) { XCTAssertEqual($0 as? DatasetError, failure) }
    }
}
