import XCTest
@testable import NAS
import Torch

final class SearchNetworkTests: XCTestCase {
    /// The DARTS search network at its reference configuration: 1,930,618 weights (alphas
    /// excluded), as counted on DARTS' model_search.Network(16, 10, 8) rebuilt in PyTorch.
    func testDartsSearchNetworkParameterCount() throws {
        Torch.manualSeed(0)
        let config = SearchSpaceConfig(method: .darts, inputChannels: 3, imageSize: 32, classes: 10)
        let net = try SearchNetwork(config: config)
        let weights = net.weightParameters().reduce(0) { $0 + $1.1.count }
        XCTAssertEqual(weights, 1_930_618)
        XCTAssertEqual(net.architectureParameters().map(\.0), ["arch.alphas_normal", "arch.alphas_reduce"])
        XCTAssertEqual(net.arch.alphas_normal.shape, [14, 8])
    }

    func testForwardShapesForEveryMethod() throws {
        for method in SearchMethod.allCases {
            Torch.manualSeed(1)
            var config = SearchSpaceConfig(method: method, layers: 3, initChannels: 8, steps: 2, inputChannels: 1,
                                           imageSize: 8, classes: 5)
            config.stemMultiplier = 1
            let net = try SearchNetwork(config: config)
            let y = net(Tensor.randn([2, 1, 8, 8]))
            XCTAssertEqual(y.shape, [2, 5], "\(method)")
        }
    }
}
