import XCTest
@testable import NAS
import Torch

/// EnTranNAS-DST (docs/method.md#dst).
final class DSTTests: SingleThreadTestCase {
    func testSparsificationFormulaInEachScope() throws {
        // One node with two edges of three ops: q = relu(p / max p - t) = [.6, .1, 0], [0, 0, .6].
        let p = try Tensor([0.6, 0.3, 0.1, 0.2, 0.2, 0.6] as [Float], shape: [2, 3])
        let t = try Tensor([0.4] as [Float], shape: [1])
        let layout = EdgeIndex(steps: 1)  // steps=1 has 2 edges.
        let perEdge: [Float] = [0.6 / 0.7, 0.1 / 0.7, 0, 0, 0, 1]
        let expected: [DSTRenormalization: [Float]] = [
            .edge: perEdge, .straightThrough: perEdge, .node: [0.6 / 1.3, 0.1 / 1.3, 0, 0, 0, 0.6 / 1.3],
            .hard: [1, 1, 0, 0, 0, 1]]
        for scope in DSTRenormalization.allCases {
            let (weights, penalty) = try CellWeights.sparsify(p, thresholds: t, layout: layout, noneColumn: nil, scope: scope)
            let q = try weights.floats()
            XCTAssertEqual(try penalty.item(), 1.3 / 6, accuracy: 1e-6, "mean q of the node")
            for (a, b) in zip(q, expected[scope]!) { XCTAssertEqual(a, b, accuracy: 1e-6, "\(scope)") }
        }
    }

    /// Both straight-through readings pass on the gradient of q: d/dt of Σ c·q-hat is -Σ c over
    /// the kept candidates (here c = 1..6, kept 1, 2 and 6), whatever the forward value.
    func testStraightThroughScopesPassTheGradientOfQ() throws {
        let p = try Tensor([0.6, 0.3, 0.1, 0.2, 0.2, 0.6] as [Float], shape: [2, 3])
        let c = try Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        for scope in [DSTRenormalization.straightThrough, .hard] {
            let t = try Tensor([0.4] as [Float], shape: [1]).requiringGrad()
            let (weights, _) = try CellWeights.sparsify(p, thresholds: t, layout: EdgeIndex(steps: 1), noneColumn: nil, scope: scope)
            try (try weights * c).sum().backward()
            XCTAssertEqual(try XCTUnwrap(t.grad).floats()[0], -9, accuracy: 1e-5, "\(scope)")
        }
    }

    /// `--dst-threshold-pull mean` (docs/method.md#a19): with t = 0.3 five of the six candidates
    /// pass (ratios 1, .5, .17, .33, .33, 1), and the loss reaches t with the mean over them
    /// (-18 / 5), not divided by the ops (3) or edges (2); the sparsity term's push and every
    /// forward value stay as they are, and alpha's gradient is the same. A cap that does not bind
    /// (5) leaves the mean pull; where the cap binds (2), t gets nothing either way.
    func testAMeanPullAveragesTheThresholdGradientOverTheKept() throws {
        let c = try Tensor([1, 2, 3, 4, 5, 6] as [Float], shape: [2, 3])
        func gradients(_ pull: DSTThresholdPull, cap: Int? = nil, penalty usesPenalty: Bool = false) throws
            -> (t: Float, p: [Float], weights: [Float], penalty: Double) {
            let p = try Tensor([0.6, 0.3, 0.1, 0.2, 0.2, 0.6] as [Float], shape: [2, 3]).requiringGrad()
            let t = try Tensor([0.3] as [Float], shape: [1]).requiringGrad()
            let (weights, penalty) = try CellWeights.sparsify(p, thresholds: t, layout: EdgeIndex(steps: 1), noneColumn: nil,
                                                              scope: .straightThrough, maxInDegree: cap, pull: pull)
            try (usesPenalty ? penalty : (try weights * c).sum()).backward()
            // A threshold the cap replaced is not in the graph: no gradient at all.
            return (try t.grad?.floats()[0] ?? 0, try XCTUnwrap(p.grad).floats(), try weights.floats(), try penalty.item())
        }
        let (sum, mean) = (try gradients(.sum), try gradients(.mean))
        XCTAssertEqual(sum.t, -18, accuracy: 1e-5)
        XCTAssertEqual(mean.t, -3.6, accuracy: 1e-5)
        XCTAssertEqual(mean.weights, sum.weights)
        XCTAssertEqual(mean.penalty, sum.penalty)
        for (a, b) in zip(mean.p, sum.p) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        XCTAssertEqual(try gradients(.mean, penalty: true).t, -5.0 / 6, accuracy: 1e-6, "the push is the mean scope's, not divided")
        XCTAssertEqual(try gradients(.mean, cap: 5).t, -3.6, accuracy: 1e-5, "a cap that does not bind")
        // A cap of 2 binds: the threshold becomes the ratio 0.5 in both readings.
        let (cappedSum, cappedMean) = (try gradients(.sum, cap: 2), try gradients(.mean, cap: 2))
        XCTAssertEqual(cappedMean.t, 0)
        XCTAssertEqual(cappedSum.t, 0)
        XCTAssertEqual(cappedMean.p, cappedSum.p)
        XCTAssertEqual(cappedMean.weights, cappedSum.weights)
    }

    /// The setting reaches the network: with the same weights and alphas (the nodes keeping 2 of
    /// their 14 and 4 of their 21 candidates), each threshold's loss gradient under `mean` is the
    /// plain one over its own node's kept.
    func testANetworkWithAMeanPullDividesEachThresholdGradientByItsKept() throws {
        func thresholdGradients(_ pull: DSTThresholdPull?) throws -> (gradient: [Float], kept: [Int]) {
            Torch.manualSeed(8)
            var config = tinyConfig(.entrannasDST)
            config.dstThresholdPull = pull
            let net = try SearchNetwork(config: config)
            // Logit 3 on (edge, op) (0, 1), (1, 2) for node 0; (2, 1), (2, 2), (3, 3), (4, 4) for
            // node 1 (ratios 1 or about 0.57; the zeros about 0.05): 2 and 4 kept at t = 0.5.
            var logits = [Float](repeating: 0, count: 5 * 7)
            for (e, k) in [(0, 1), (1, 2), (2, 1), (2, 2), (3, 3), (4, 4)] { logits[e * 7 + k] = 3 }
            try withNoGrad { try net.arch.alphasNormal.copy_(try Tensor(logits, shape: [5, 7])) }
            let batch = try tinyBatch()
            let loss = try crossEntropy(try net(batch.images), batch.labels)
            let g = try gradients(of: [loss], withRespectTo: [net.arch.thresholdsNormal])
            let rows = try net.cellWeights().normal.values
            let kept = [0..<2, 2..<5].map { r in rows[r].joined().filter { $0 > 0 }.count }
            return (try XCTUnwrap(g[0]).floats(), kept)
        }
        let (plain, mean) = (try thresholdGradients(nil), try thresholdGradients(.mean))
        XCTAssertEqual(mean.kept, plain.kept)
        XCTAssertEqual(plain.kept, [2, 4], "each node's own count")
        for (j, n) in plain.kept.enumerated() {
            XCTAssertNotEqual(plain.gradient[j], 0)
            XCTAssertEqual(mean.gradient[j] * Float(n), plain.gradient[j], accuracy: 1e-5 * abs(plain.gradient[j]) + 1e-7, "node \(j), \(n) kept")
        }
    }

    /// The sparsity term's pull on a threshold: a mean over the node's 6 candidates moves it by
    /// (kept candidates) / 6, a sum by the kept candidates themselves (here 3: q = .6, .1, .6).
    func testSparsityScopeSetsThePushOnTheThreshold() throws {
        let p = try Tensor([0.6, 0.3, 0.1, 0.2, 0.2, 0.6] as [Float], shape: [2, 3])
        for (scope, value, gradient) in [(DSTSparsityScope.mean, 1.3 / 6, -3.0 / 6), (.sum, 1.3, -3.0)] {
            let t = try Tensor([0.4] as [Float], shape: [1]).requiringGrad()
            let (_, penalty) = try CellWeights.sparsify(p, thresholds: t, layout: EdgeIndex(steps: 1), noneColumn: nil,
                                                        scope: .straightThrough, sparsity: scope)
            XCTAssertEqual(try penalty.item(), value, accuracy: 1e-6, "\(scope)")
            try penalty.backward()
            XCTAssertEqual(try XCTUnwrap(t.grad).floats()[0], Float(gradient), accuracy: 1e-6, "\(scope)")
        }
    }

    /// A sparse state: on every edge one op dominates (logits 6 - 0.2 e), so each node keeps all
    /// its edges with exactly one op each, and q-hat = 1 wherever it is not 0.
    private func sparseNetwork(_ scope: DSTRenormalization) throws -> SearchNetwork {
        Torch.manualSeed(5)
        var config = tinyConfig(.entrannasDST)
        config.dstRenormalization = scope
        let net = try SearchNetwork(config: config)
        var logits = [Float](repeating: 0, count: 5 * 7)
        for e in 0..<5 { logits[e * 7 + (e % 6) + 1] = 6 - 0.2 * Float(e) }
        try withNoGrad {
            try net.arch.alphasNormal.copy_(try Tensor(logits, shape: [5, 7]))
            try net.arch.alphasReduce.copy_(try Tensor(logits, shape: [5, 7]))
        }
        try net.rederive()
        XCTAssertEqual(net.genotype.normal.map(\.count), [2, 3], "every edge survives with one op")
        return net
    }

    /// Per node of both cell types: does any alpha of its edges or its threshold get gradient?
    private func nodesWithGradient(_ net: SearchNetwork) throws -> [Bool] {
        let batch = try tinyBatch()
        let loss = try crossEntropy(try net(batch.images), batch.labels)
        let arch = net.arch
        let g = try gradients(of: [loss], withRespectTo: [arch.alphasNormal, arch.thresholdsNormal, arch.alphasReduce,
                                                      arch.thresholdsReduce], allowUnused: true)
        let layout = EdgeIndex(steps: 2)
        return try [(0, 1), (2, 3)].flatMap { a, t -> [Bool] in
            let alphas = try g[a]?.floats() ?? [], thresholds = try g[t]?.floats() ?? []
            return (0..<2).map { step in
                let r = layout.edges(step: step)
                let alphaMoves = !alphas.isEmpty && alphas[(r.lowerBound * 7)..<(r.upperBound * 7)].contains { $0 != 0 }
                let thresholdMoves = !thresholds.isEmpty && thresholds[step] != 0
                return alphaMoves && thresholdMoves
            }
        }
    }

    func testDefaultKeepsLearningInASparseState() throws {
        XCTAssertEqual(SearchSpaceConfig(method: .entrannasDST).dstRenormalization, .straightThrough)
        let net = try sparseNetwork(.straightThrough)
        XCTAssertTrue(try net.cellWeights().normal.values.joined().allSatisfy { $0 == 0 || $0 == 1 })
        XCTAssertEqual(try nodesWithGradient(net), [true, true, true, true])
    }

    func testPerEdgeRenormalisationFreezesASparseState() throws {
        // The survey's formula: q-hat = q / q = 1 on single-op edges has derivative 0.
        XCTAssertEqual(try nodesWithGradient(try sparseNetwork(.edge)), [false, false, false, false])
        XCTAssertEqual(try nodesWithGradient(try sparseNetwork(.node)), [true, true, true, true])
    }

    func testArchitectCountsNodesWithZeroGradient() throws {
        for (scope, expected) in [(DSTRenormalization.edge, 4), (.straightThrough, 0)] {
            let net = try sparseNetwork(scope)
            let architect = Architect(network: net, order: .first)
            let sgd = SGD(net.weightParameters(), learningRate: 0.01)
            let batch = try tinyBatch()
            try architect.step(validation: batch, train: batch, weightOptimizer: sgd)
            XCTAssertEqual(architect.zeroGradientNodes, expected, "\(scope)")
        }
    }

    func testTransitCellBeforePruningIsTheWeightedMixture() throws {
        // At initialisation nothing is pruned: a DST Transit-cell weights its outputs by the
        // detached q-hat, so it computes what the Engine-cell computes, not a sum of 14 ops.
        Torch.manualSeed(6)
        let net = try SearchNetwork(config: tinyConfig(.entrannasDST))
        let engine = try XCTUnwrap(net.cells[0] as? EngineCell)
        let s = try Tensor.randn([2, 4, 8, 8])
        let viaEngine = try engine(s, s, weights: try net.cellWeights().normal)
        let viaTransit = try engine.derivedForward(s, s, derived: net.derived.normal, weighted: true)
        let unweighted = try engine.derivedForward(s, s, derived: net.derived.normal)
        XCTAssertLessThan(try maxDiff(viaEngine, viaTransit), 1e-5)
        XCTAssertGreaterThan(try maxDiff(viaEngine, unweighted), 0.1)
    }

    /// `--dst-transit unweighted`: the paper's Transit-cell, the kept ops summed with weight 1
    /// in any state, where the default weights them by the detached q-hat.
    func testUnweightedTransitCellSumsTheKeptOps() throws {
        Torch.manualSeed(6)
        var config = tinyConfig(.entrannasDST)
        config.dstTransit = .unweighted
        let net = try SearchNetwork(config: config)
        let engine = try XCTUnwrap(net.cells[0] as? EngineCell)
        XCTAssertTrue(net.derived.normal.nodes.joined().allSatisfy { $0.weights.allSatisfy { $0 == 1 } })
        let s = try Tensor.randn([2, 4, 8, 8])
        let viaTransit = try engine.derivedForward(s, s, derived: net.derived.normal, weighted: true)
        let unweighted = try engine.derivedForward(s, s, derived: net.derived.normal)
        XCTAssertEqual(try maxDiff(viaTransit, unweighted), 0, accuracy: 1e-6)
        let weightedNet = try SearchNetwork(config: tinyConfig(.entrannasDST))
        XCTAssertTrue(weightedNet.derived.normal.nodes.joined().contains { $0.weights.contains { $0 != 1 } },
                      "the default weights by q-hat before pruning")
    }

    func testPreSparsificationWeightsAreKeptForTheFallback() throws {
        Torch.manualSeed(7)
        let net = try SearchNetwork(config: tinyConfig(.entrannasDST))
        try withNoGrad { try net.arch.alphasNormal.copy_(try Tensor.randn(net.arch.alphasNormal.shape) * 2) }
        let w = try net.cellWeights().normal
        let softmax = try net.arch.alphasNormal.softmax(dim: 1).floats()
        for (a, b) in zip(w.probabilities.joined(), softmax) { XCTAssertEqual(a, b, accuracy: 1e-6) }
        XCTAssertNotEqual(w.probabilities, w.values)
    }

    func testThresholdInitIsValidated() {
        var c = SearchSpaceConfig(method: .entrannasDST)
        c.thresholdInit = 20
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("--threshold-init")) }
        c.thresholdInit = .nan
        XCTAssertThrowsError(try c.validate())
        c.thresholdInit = 15
        XCTAssertNoThrow(try c.validate())
        // 15 really leaves the strongest candidate alive: t < 1 in float32.
        XCTAssertLessThan(try Tensor([15] as [Float]).sigmoid().floats()[0], 1)
        XCTAssertEqual(try Tensor([20] as [Float]).sigmoid().floats()[0], 1)
    }

    func testEveryNodeKeepsAnInputAndGenotypeHasFreeInDegree() throws {
        for seed: UInt64 in 0..<5 {
            Torch.manualSeed(seed)
            let net = try SearchNetwork(config: tinyConfig(.entrannasDST, steps: 3))
            try withNoGrad {
                try net.arch.alphasNormal.copy_(try Tensor.randn(net.arch.alphasNormal.shape) * 2)
                try net.arch.thresholdsNormal.copy_(try Tensor.randn([3]) * 2)
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
        try withNoGrad { try net.arch.alphasNormal.copy_(try Tensor(logits, shape: [5, 7])) }
        try net.rederive()
        let w = try net.cellWeights().normal
        XCTAssertTrue(w.values.joined().allSatisfy { $0 == 0 || $0 == 1 })
        let engine = try XCTUnwrap(net.cells[0] as? EngineCell)
        let s = try Tensor.randn([2, 4, 8, 8])
        let viaEngine = try engine(s, s, weights: w)
        let viaTransit = try engine.derivedForward(s, s, derived: net.derived.normal)
        XCTAssertEqual(try maxDiff(viaEngine, viaTransit), 0)
    }

    /// `hard`: in a half-pruned state where edges keep several ops, the super-net computes the
    /// derived network exactly (so the consistency gap is zero by construction); the default
    /// straight-through reading weights those ops and does not.
    func testHardScopeComputesTheDerivedNetworkInAnyState() throws {
        func outputs(_ scope: DSTRenormalization) throws -> (superNet: Tensor, derived: Tensor, keptPerEdge: [Int]) {
            Torch.manualSeed(9)
            var config = tinyConfig(.entrannasDST)
            config.dstRenormalization = scope
            let net = try SearchNetwork(config: config)
            try withNoGrad {
                try net.arch.alphasNormal.copy_(try Tensor.randn(net.arch.alphasNormal.shape) * 0.4)
                try net.arch.alphasReduce.copy_(try Tensor.randn(net.arch.alphasReduce.shape) * 0.4)
            }
            try net.rederive()
            let kept = try net.cellWeights().normal.active.map { $0.filter { $0 }.count }
            let images = try tinyBatch().images
            let superNet = try net(images)
            net.runsDerivedOnly = true
            defer { net.runsDerivedOnly = false }
            return (superNet, try net(images), kept)
        }
        let hard = try outputs(.hard)
        XCTAssertTrue(hard.keptPerEdge.contains { $0 > 1 } && hard.keptPerEdge.contains { $0 < 7 }, "\(hard.keptPerEdge)")
        XCTAssertLessThan(try maxDiff(hard.superNet, hard.derived), 1e-5)
        let weighted = try outputs(.straightThrough)
        XCTAssertGreaterThan(try maxDiff(weighted.superNet, weighted.derived), 1e-2)
    }

    func testThresholdsReceiveGradient() throws {
        Torch.manualSeed(3)
        let net = try SearchNetwork(config: tinyConfig(.entrannasDST))
        let batch = try tinyBatch()
        let loss = try crossEntropy(try net(batch.images), batch.labels)
        let g = try gradients(of: loss, withRespectTo: [net.arch.thresholdsNormal, net.arch.thresholdsReduce])
        XCTAssertGreaterThan(try g[0].abs().sum().item(), 0)
        XCTAssertGreaterThan(try g[1].abs().sum().item(), 0)
    }

    func testPrunedCandidatesAreNotComputed() throws {
        Torch.manualSeed(4)
        let net = try SearchNetwork(config: tinyConfig(.entrannasDST))
        var logits = [Float](repeating: 0, count: 5 * 7)
        for e in 0..<5 { logits[e * 7] = 5 }
        try withNoGrad { try net.arch.alphasNormal.copy_(try Tensor(logits, shape: [5, 7])) }
        let w = try net.cellWeights().normal
        let activeCount = w.active.joined().filter { $0 }.count
        XCTAssertEqual(activeCount, 5)
    }

    func testSparsityTermRaisesThresholds() throws {
        // With the L1 term dominating, one architecture step raises every threshold (prunes).
        var config = tinyConfig(.entrannasDST)
        config.dstSparsity = 100
        Torch.manualSeed(8)
        let net = try SearchNetwork(config: config)
        let architect = Architect(network: net, order: .first, learningRate: 0.01)
        let batch = try tinyBatch()
        try architect.step(validation: batch, train: batch, weightOptimizer: SGD(net.weightParameters(), learningRate: 0.01))
        XCTAssertTrue(try net.arch.thresholdsNormal.floats().allSatisfy { $0 > 0 })
        XCTAssertTrue(try net.arch.thresholdsReduce.floats().allSatisfy { $0 > 0 })
        config.dstSparsity = -1
        XCTAssertThrowsError(try config.validate())
    }
}
