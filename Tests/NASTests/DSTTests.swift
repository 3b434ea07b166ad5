import XCTest
@testable import NAS
import Torch

/// EnTranNAS-DST (spec §5.2, Eqs. 21-22).
final class DSTTests: SingleThreadTestCase {
    func testSparsificationFormula() {
        // One node with two edges of three ops: q = relu(p / max p - t), renormalised per edge.
        let p = Tensor([0.6, 0.3, 0.1, 0.2, 0.2, 0.6] as [Float], shape: [2, 3])
        let t = Tensor([0.4] as [Float], shape: [1])
        let layout = EdgeIndex(steps: 1)
        // steps=1 has 2 edges.
        let q = CellWeights.sparsify(p, thresholds: t, layout: layout, noneColumn: nil).floats()
        // ratios: [1, .5, 1/6], [1/3, 1/3, 1] minus .4 -> [.6, .1, 0], [0, 0, .6]
        let expected: [Float] = [0.6 / 0.7, 0.1 / 0.7, 0, 0, 0, 1]
        for (a, b) in zip(q, expected) { XCTAssertEqual(a, b, accuracy: 1e-6) }
    }

    func testEveryNodeKeepsAnInputAndGenotypeHasFreeInDegree() throws {
        for seed: UInt64 in 0..<5 {
            Torch.manualSeed(seed)
            let net = try SearchNetwork(config: tinyConfig(.entrannasDST, steps: 3))
            withNoGrad {
                net.arch.alphas_normal.copy_(Tensor.randn(net.arch.alphas_normal.shape) * 2)
                net.arch.thresholds_normal.copy_(Tensor.randn([3]) * 2)
            }
            try net.rederive()
            for node in net.genotype.normal { XCTAssertGreaterThanOrEqual(node.count, 1) }
            XCTAssertFalse(net.genotype.normal.joined().contains { $0.op == Primitive.none })
            try net.genotype.validate()
        }
        // Near-uniform alphas at initialisation: nothing is pruned, a node keeps every candidate.
        Torch.manualSeed(1)
        let fresh = try SearchNetwork(config: tinyConfig(.entrannasDST))
        XCTAssertEqual(fresh.genotype.normal[0].count, 2 * 7)
    }

    func testEngineEqualsTransitWhenEverySurvivingEdgeHasOneOp() throws {
        Torch.manualSeed(2)
        let net = try SearchNetwork(config: tinyConfig(.entrannasDST))
        // One dominant op per edge (logit 6 vs 0) and threshold 0.5: only dominant ops survive,
        // each alone on its edge, so q-hat = 1 wherever it is not 0.
        var logits = [Float](repeating: 0, count: 5 * 7)
        for e in 0..<5 { logits[e * 7 + (e % 6) + 1] = 6 }
        withNoGrad { net.arch.alphas_normal.copy_(Tensor(logits, shape: [5, 7])) }
        try net.rederive()
        let w = net.cellWeights().normal
        XCTAssertTrue(w.values.joined().allSatisfy { $0 == 0 || $0 == 1 })
        let engine = try XCTUnwrap(net.cells[0] as? EngineCell)
        let s = Tensor.randn([2, 4, 8, 8])
        let viaEngine = engine(s, s, weights: w)
        let viaTransit = engine.derivedForward(s, s, derived: net.derived.normal)
        XCTAssertEqual(maxDiff(viaEngine, viaTransit), 0)
    }

    func testThresholdsReceiveGradient() throws {
        Torch.manualSeed(3)
        let net = try SearchNetwork(config: tinyConfig(.entrannasDST))
        let batch = tinyBatch()
        let loss = crossEntropy(net(batch.images), batch.labels)
        let g = gradients(of: loss, withRespectTo: [net.arch.thresholds_normal, net.arch.thresholds_reduce])
        XCTAssertGreaterThan(g[0].abs().sum().item(), 0)
        XCTAssertGreaterThan(g[1].abs().sum().item(), 0)
    }

    func testPrunedCandidatesAreNotComputed() throws {
        Torch.manualSeed(4)
        let net = try SearchNetwork(config: tinyConfig(.entrannasDST))
        var logits = [Float](repeating: 0, count: 5 * 7)
        for e in 0..<5 { logits[e * 7] = 5 }
        withNoGrad { net.arch.alphas_normal.copy_(Tensor(logits, shape: [5, 7])) }
        let w = net.cellWeights().normal
        let activeCount = w.active.joined().filter { $0 }.count
        XCTAssertEqual(activeCount, 5)
    }
}
