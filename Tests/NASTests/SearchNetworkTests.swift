import XCTest
@testable import NAS
import Torch

final class SearchNetworkTests: SingleThreadTestCase {
    /// The DARTS search network at its reference configuration: 1,930,618 weights (alphas
    /// excluded), as counted on DARTS' model_search.Network(16, 10, 8) rebuilt in PyTorch.
    func testDartsSearchNetworkParameterCount() throws {
        Torch.manualSeed(0)
        let config = SearchSpaceConfig(method: .darts, inputChannels: 3, imageSize: 32, classes: 10)
        let net = try SearchNetwork(config: config)
        let weights = net.weightParameters().reduce(0) { $0 + $1.1.count }
        XCTAssertEqual(weights, 1_930_618)
        XCTAssertEqual(net.architectureParameters().map(\.0), ["arch.alphas_normal", "arch.alphas_reduce"])
        XCTAssertEqual(net.arch.alphasNormal.shape, [14, 8])
    }

    /// The Swift properties are camelCase, but checkpoints and exported files keep DARTS' names
    /// (`arch.thresholds_normal`, ...), so files written before the rename still load.
    func testArchitectureParametersKeepDartsNames() throws {
        Torch.manualSeed(0)
        let config = SearchSpaceConfig(method: .entrannasDST, layers: 3, initChannels: 4, steps: 2, inputChannels: 1,
                                       imageSize: 8, classes: 5)
        let arch = try SearchNetwork(config: config).arch
        XCTAssertEqual(arch.namedParameters().map(\.0), ["alphas_normal", "alphas_reduce", "thresholds_normal", "thresholds_reduce"])
        XCTAssertTrue(arch.namedParameters()[2].1 === arch.thresholdsNormal)
        XCTAssertTrue(arch.namedParameters()[3].1 === arch.thresholdsReduce)
    }

    func testForwardShapesForEveryMethod() throws {
        for method in SearchMethod.allCases {
            Torch.manualSeed(1)
            var config = SearchSpaceConfig(method: method, layers: 3, initChannels: 8, steps: 2, inputChannels: 1,
                                           imageSize: 8, classes: 5)
            config.stemMultiplier = 1
            let net = try SearchNetwork(config: config)
            let y = try net(try Tensor.randn([2, 1, 8, 8]))
            XCTAssertEqual(y.shape, [2, 5], "\(method)")
        }
    }

    /// The open readings of the paper (docs/method.md#readings) are settings, and each one builds and runs.
    func testSettingVariantsRun() throws {
        var partial = tinyConfig(.entrannas, channels: 8)
        partial.partialChannels = 2
        partial.edgeNormalization = true
        var extended = tinyConfig(.entrannas)
        extended.primitives = Primitive.extended
        var masked = tinyConfig(.entrannasDST)
        masked.dstNone = .masked
        masked.primitives.insert(Primitive.none, at: 0)
        var allReductionsEngine = tinyConfig(.entrannas, layers: 4)
        allReductionsEngine.engineCells = [0, 1, 2]
        for config in [partial, extended, masked, allReductionsEngine] {
            Torch.manualSeed(2)
            let net = try SearchNetwork(config: config)
            let batch = try tinyBatch()
            let loss = try crossEntropy(try net(batch.images), batch.labels)
            let g = try gradients(of: loss, withRespectTo: net.architectureParameters().map(\.1))
            XCTAssertTrue(try g.allSatisfy { try $0.abs().sum().item() > 0 }, "every architecture parameter learns: \(config)")
            XCTAssertFalse(net.genotype.normal.joined().contains { $0.op == Primitive.none })
        }
    }

    /// Every method's super-net in channels-last (Module.to(memoryFormat:), the search
    /// benchmark's --memory-format) gives NCHW's logits and gradients.
    func testChannelsLastGivesTheSameLogitsAndGradients() throws {
        for method in SearchMethod.allCases {
            let batch = try tinyBatch()
            func run(_ format: MemoryFormat) throws -> (logits: [Float], gradients: [[Float]]) {
                Torch.manualSeed(3)
                let net = try SearchNetwork(config: tinyConfig(method, channels: 8))
                try net.to(memoryFormat: format)
                let logits = try net(try batch.images.to(memoryFormat: format))
                let parameters = net.architectureParameters().map(\.1) + net.weightParameters().map(\.1)
                let g = try gradients(of: [try crossEntropy(logits, batch.labels)], withRespectTo: parameters, allowUnused: true)
                return (try logits.floats(), try g.map { try $0?.floats() ?? [] })
            }
            let nchw = try run(.contiguous), nhwc = try run(.channelsLast)
            XCTAssertEqual(nhwc.logits.count, nchw.logits.count)
            for (a, b) in zip(nhwc.logits, nchw.logits) { XCTAssertEqual(a, b, accuracy: 1e-4, "\(method) logits") }
            for (i, (a, b)) in zip(nhwc.gradients, nchw.gradients).enumerated() {
                XCTAssertEqual(a.count, b.count, "\(method) gradient \(i)")
                let worst = zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0
                XCTAssertLessThan(worst, 1e-4, "\(method) gradient \(i)")
            }
        }
    }

    func testInvalidConfigurationsAreRejectedWithTheFlagName() {
        var noNormalEngine = tinyConfig(.entrannas)
        noNormalEngine.engineCells = [1]
        var badPartial = tinyConfig(.pcDarts)
        badPartial.partialChannels = 3
        var dstWithNone = tinyConfig(.entrannasDST)
        dstWithNone.primitives.insert(Primitive.none, at: 0)
        for (config, flag) in [(noNormalEngine, "--engine-cells"), (badPartial, "--partial-channels"), (dstWithNone, "none")] {
            XCTAssertThrowsError(try SearchNetwork(config: config)) { error in
                XCTAssertTrue("\(error)".contains(flag), "\(error)")
            }
        }
    }
}
