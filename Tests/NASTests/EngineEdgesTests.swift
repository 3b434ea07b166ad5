import XCTest
@testable import NAS
import Torch

/// `--engine-edges derived` (docs/method.md#a18): an Engine-cell node counts only the derived
/// cell's edges in its value, and every edge keeps its gradient.
final class EngineEdgesTests: SingleThreadTestCase {
    /// A network whose op weights are one-hot (logit 6 on one op per edge, temperature 0.01:
    /// softmax gives exactly 1 and 0 in float32), with 3 steps so nodes have 2-4 incoming edges.
    private func oneHotNetwork(_ edges: EngineEdges?) throws -> SearchNetwork {
        Torch.manualSeed(12)
        var config = tinyConfig(.entrannas, steps: 3)
        config.engineEdges = edges
        config.temperature = 0.01
        let net = try SearchNetwork(config: config)
        let count = net.arch.alphasNormal.shape[0], k = config.primitives.count
        var logits = [Float](repeating: 0, count: count * k)
        for e in 0..<count { logits[e * k + 1 + (e % (k - 1))] = 6 - 0.3 * Float(e % 4) }
        try withNoGrad {
            try net.arch.alphasNormal.copy_(try Tensor(logits, shape: [count, k]))
            try net.arch.alphasReduce.copy_(try Tensor(logits, shape: [count, k]))
        }
        try net.rederive()
        XCTAssertTrue(try net.cellWeights().normal.values.joined().allSatisfy { $0 == 0 || $0 == 1 }, "one-hot")
        return net
    }

    private func gap(_ net: SearchNetwork) throws -> Double {
        let images = try tinyBatch().images
        let superNet = try net(images)
        net.runsDerivedOnly = true
        defer { net.runsDerivedOnly = false }
        return try maxDiff(superNet, try net(images))
    }

    func testWithOneHotWeightsTheEngineCellIsTheDerivedCell() throws {
        let derived = try oneHotNetwork(.derived)
        XCTAssertEqual(derived.derivedEdges.normal.count, 6, "two edges for each of the 3 nodes")
        XCTAssertLessThan(try gap(derived), 1e-5)
        // The paper's Engine-cell sums all 9 edges, so even one-hot weights leave a gap.
        XCTAssertGreaterThan(try gap(try oneHotNetwork(nil)), 1e-2)
    }

    /// The edges left out of the value still pass on gradient to their alphas (at temperature 1,
    /// where the softmax has a gradient), so a better edge can take a kept one's place.
    func testEdgesLeftOutKeepTheirGradient() throws {
        Torch.manualSeed(13)
        var config = tinyConfig(.entrannas, steps: 3)
        config.engineEdges = .derived
        let net = try SearchNetwork(config: config)
        let batch = try tinyBatch()
        let loss = try crossEntropy(try net(batch.images), batch.labels)
        let g = try gradients(of: loss, withRespectTo: [net.arch.alphasNormal])[0].floats()
        let k = config.primitives.count
        let left = Set(0..<net.arch.alphasNormal.shape[0]).subtracting(net.derivedEdges.normal)
        XCTAssertEqual(left.count, 3)
        for edge in left {
            XCTAssertTrue(g[(edge * k)..<(edge * k + k)].contains { $0 != 0 }, "edge \(edge) has no gradient")
        }
    }

    func testOnlyPlainEnTranNASTakesIt() {
        for method in [SearchMethod.darts, .pcDarts, .entrannasDST] {
            var config = SearchSpaceConfig(method: method)
            config.engineEdges = .derived
            XCTAssertThrowsError(try config.validate(), "\(method)") { XCTAssertTrue("\($0)".contains("--engine-edges")) }
        }
        var config = SearchSpaceConfig(method: .entrannas)
        config.engineEdges = .derived
        XCTAssertNoThrow(try config.validate())
    }
}
