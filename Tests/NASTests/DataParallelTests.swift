import Datasets
import XCTest
@testable import NAS
import Torch

/// Chunked gradients: the mean over pieces, weighted by their rows, is the whole batch's mean
/// gradient (with batch norm in inference mode, where rows do not see each other).
final class DataParallelTests: SingleThreadTestCase {
    func testChunkedGradientsEqualTheWholeBatchGradient() throws {
        Torch.manualSeed(1)
        let network = try SearchNetwork(config: tinyConfig(.entrannas))
        network.eval()
        let (images, labels) = try tinyBatch(7)
        let parameters = network.weightParameters().map(\.1) + network.architectureParameters().map(\.1)
        func gradient(_ images: Tensor, _ labels: Tensor) throws -> [Tensor?] {
            try gradients(of: [crossEntropy(network(images), labels)], withRespectTo: parameters, allowUnused: true)
        }
        let whole = try gradient(images, labels)
        for chunks in [2, 3, 7] {
            let chunked = try DataParallel(chunks: chunks).meanGradients(images: images, labels: labels, gradient)
            XCTAssertEqual(chunked.count, whole.count)
            var largest = 0.0
            for (a, b) in zip(whole, chunked) {
                XCTAssertEqual(a == nil, b == nil, "the same parameters go unused")
                guard let a, let b else { continue }
                largest = max(largest, try (a - b).abs().max().item())
            }
            XCTAssertLessThan(largest, 1e-6, "\(chunks) chunks (uneven for 7 rows)")
        }
    }

    func testABatchTooSmallForItsPiecesIsRefused() throws {
        XCTAssertNoThrow(try DataParallel(chunks: 4).check(batchSize: 8))
        XCTAssertThrowsError(try DataParallel(chunks: 4).check(batchSize: 7)) { error in
            XCTAssertTrue("\(error)".contains("--batch-size"), "\(error)")
        }
        XCTAssertThrowsError(try DataParallel(chunks: 0))
    }
}
