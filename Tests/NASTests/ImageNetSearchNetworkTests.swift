import XCTest
@testable import NAS
import Torch

/// The super-net with PC-DARTS' ImageNet stem, at the imagenet preset's settings (8 cells, C = 16).
final class ImageNetSearchNetworkTests: SingleThreadTestCase {
    private func config(_ method: SearchMethod = .entrannasDST, classes: Int = 1000) -> SearchSpaceConfig {
        var c = SearchSpaceConfig(method: method, layers: 8, initChannels: 16, inputChannels: 3, imageSize: 224, classes: classes)
        c.style = .imagenet
        return c
    }

    func testStemTakes224PixelsTo28AndTheNetworkGivesLogits() throws {
        let network = try SearchNetwork(config: config(classes: 10))
        network.eval()
        let x = try Tensor.randn([2, 3, 224, 224])
        try withNoGrad {
            let s0 = try network.stem0!(x)
            XCTAssertEqual(s0.shape, [2, 48, 56, 56], "3C channels after two stride-2 convolutions")
            XCTAssertEqual(try network.stem1!(s0).shape, [2, 48, 28, 28])
            XCTAssertEqual(try network(x).shape, [2, 10])
        }
        XCTAssertNil(network.stem)
    }

    /// Stem: 3x3 convolutions 3->24, 24->48, 48->48 without bias, each followed by an affine
    /// batch norm; the classifier: 4 x 64 channels (after two doublings) to 1000 classes.
    func testStemAndClassifierParameterCounts() throws {
        let network = try SearchNetwork(config: config())
        func count(_ module: Module?) -> Int { module?.parameters().reduce(0) { $0 + $1.count } ?? -1 }
        XCTAssertEqual(count(network.stem0), 9 * 3 * 24 + 2 * 24 + 9 * 24 * 48 + 2 * 48)
        XCTAssertEqual(count(network.stem1), 9 * 48 * 48 + 2 * 48)
        XCTAssertEqual(count(network.classifier), 4 * 64 * 1000 + 1000)
        // The first cell preprocesses stem0's 56x56 output with a factorized reduction (reduction_prev).
        XCTAssertTrue(network.cells[0].modules().contains { $0 is FactorizedReduce })
    }

    func testTooSmallImagesAreRefused() throws {
        var c = config()
        c.imageSize = 28
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("stride-2 stem"), "\($0)") }
    }
}
