import XCTest
@testable import NAS
import Torch

/// The search presets, which live next to the training presets: their published or measured
/// values, and flags that replace a preset's size keep the space consistent.
final class SearchPresetTests: XCTestCase {
    func testPresetsCarryTheirScales() {
        let paper = SearchHyperparameters(preset: .paper, method: .darts)
        XCTAssertEqual([paper.epochs, paper.batchSize], [50, 64])
        let quick = SearchHyperparameters(preset: .quick, method: .entrannas)
        XCTAssertEqual([quick.epochs, quick.warmupEpochs, quick.batchSize, quick.limit], [6, 2, 64, 2_000])
        XCTAssertEqual(quick.learningRate, 0.05)
        let cpu = SearchHyperparameters(preset: .cpu, method: .darts)
        XCTAssertEqual([cpu.epochs, cpu.limit, cpu.evalLimit], [10, 10_000, 2_000])
        XCTAssertEqual([cpu.learningRate, cpu.archLearningRate], [0.025, 3e-2])
        let imagenet = SearchHyperparameters(preset: .imagenet, method: .pcDarts)
        XCTAssertEqual([imagenet.weightFraction, imagenet.architectureFraction], [0.1, 0.025])
        XCTAssertEqual(SearchSpaceConfig(preset: .imagenet, method: .pcDarts, inputChannels: 3, imageSize: 224, classes: 1000).partialChannels, 2)
        XCTAssertEqual(SearchSpaceConfig(preset: .cpu, method: .entrannasDST, inputChannels: 1, imageSize: 28, classes: 10).dstSparsity, 0.02)
        let small = SearchSpaceConfig(preset: .quick, method: .entrannas, inputChannels: 1, imageSize: 28, classes: 10)
        XCTAssertEqual([small.layers, small.initChannels, small.steps], [5, 8, 4])
    }

    /// `--layers 3 --steps 2` on a preset: the cell's output width and the Engine-cells follow
    /// (setting them after the space is built once left the output four nodes wide).
    func testReplacedSizesKeepTheSpaceConsistent() throws {
        let c = SearchSpaceConfig(preset: .quick, method: .entrannasDST, layers: 3, initChannels: 4, steps: 2,
                                  inputChannels: 1, imageSize: 28, classes: 10)
        XCTAssertEqual([c.layers, c.initChannels, c.steps, c.multiplier], [3, 4, 2, 2])
        XCTAssertEqual(c, SearchSpaceConfig(method: .entrannasDST, layers: 3, initChannels: 4, steps: 2, inputChannels: 1,
                                            imageSize: 28, classes: 10))
        var stale = SearchSpaceConfig(method: .entrannasDST, inputChannels: 1, imageSize: 28, classes: 10)
        stale.steps = 2
        XCTAssertThrowsError(try stale.validate()) { XCTAssertTrue("\($0)".contains("last 4 nodes but has 2"), "\($0)") }
        let network = try SearchNetwork(config: c)
        XCTAssertEqual(try network(try Tensor.randn([2, 1, 28, 28])).shape, [2, 10])
    }
}
