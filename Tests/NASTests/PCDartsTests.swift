import XCTest
@testable import NAS
import Torch

/// PC-DARTS specifics (docs/method.md#pc-darts): partial channels, bypass, channel shuffle, edge normalisation.
final class PCDartsTests: SingleThreadTestCase {
    func testOpsSeeAQuarterOfTheChannelsAndEdgeWeightsNormalisePerNode() throws {
        Torch.manualSeed(21)
        var config = tinyConfig(.pcDarts, channels: 8)
        config.partialChannels = 4
        let net = try SearchNetwork(config: config)
        let conv = try XCTUnwrap(net.cells[0].ops[0].ops[4] as? SepConv)
        XCTAssertEqual((conv.op.layers[1] as! Conv2d).weight.shape, [2, 1, 3, 3], "ops act on 8/4 = 2 channels")
        let w = try net.cellWeights().normal
        let edges = try XCTUnwrap(w.edgeValues)
        XCTAssertEqual(Double(edges[0] + edges[1]), 1, accuracy: 1e-6)
        XCTAssertEqual(Double(edges[2] + edges[3] + edges[4]), 1, accuracy: 1e-6)
        XCTAssertEqual(try net(tinyBatch().images).shape, [4, 3])
    }

    func testEdgeOutputKeepsBypassedChannelsShuffled() throws {
        var config = tinyConfig(.pcDarts, channels: 8)
        config.partialChannels = 4
        let cell = try EngineCell(config: config, cPrevPrev: 8, cPrev: 8, channels: 8, reduction: true, reductionPrev: false)
        let x = try Tensor.arange(0, 8, dtype: .float32).reshape([1, 8, 1, 1]).expand([1, 8, 4, 4]).contiguous()
        let mixed = try Tensor.full([1, 2, 2, 2], -1)
        let out = try cell.edgeOutput(mixed, input: x, stride: 2)
        XCTAssertEqual(out.shape, [1, 8, 2, 2])
        // cat([-1, -1, 2, 3, 4, 5, 6, 7]) viewed as 4 groups x 2, transposed: [-1, 2, 4, 6, -1, 3, 5, 7].
        let channelValues = try out.select(dim: 2, index: 0).select(dim: 2, index: 0).floats()
        XCTAssertEqual(channelValues, [-1, 2, 4, 6, -1, 3, 5, 7].map(Float.init))
    }
}
