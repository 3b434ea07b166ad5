import XCTest
@testable import NAS
import Torch

/// The acceptance checks of EnTranNAS (docs/method.md#engine-transit): Engine-cells compute DARTS, Transit-cells
/// compute exactly the derived sub-graph, gradients reach alpha only through Engine-cells.
final class EngineTransitCellTests: SingleThreadTestCase {
    /// A DARTS cell written out by hand from the network's own modules: every edge, every op
    /// (none included), weighted by softmax(alpha).
    private func referenceDartsForward(_ net: SearchNetwork, _ x: Tensor) throws -> Tensor {
        let layout = EdgeIndex(steps: net.config.steps)
        var s0 = try net.stem!(x), s1 = s0
        for cell in net.cells {
            let w = try net.arch.alphas(cell.reduction ? .reduce : .normal).softmax(dim: 1)
            var states = try cell.preprocess(s0, s1)
            for step in 0..<cell.steps {
                var node: Tensor? = nil
                for input in 0..<(step + 2) {
                    let e = layout.edge(step: step, input: input)
                    for k in net.config.primitives.indices {
                        let term = try w[e][k] * cell.ops[e](states[input], column: k)
                        node = try node.map { try $0 + term } ?? term
                    }
                }
                states.append(node!)
            }
            s0 = s1
            s1 = try Tensor.cat(Array(states.suffix(cell.multiplier)), dim: 1)
        }
        return try net.classifier(try adaptiveAvgPool2d(s1, outputSize: (1, 1)).flatten())
    }

    func testAllEngineNoSharingEqualsDarts() throws {
        var config = tinyConfig(.entrannas)
        config.engineCells = Array(0..<config.layers)
        config.featureSharing = false
        config.temperature = 1
        Torch.manualSeed(3)
        let entran = try SearchNetwork(config: config)
        Torch.manualSeed(4)
        let darts = try SearchNetwork(config: tinyConfig(.darts))
        try entran.load(stateDict: Dictionary(uniqueKeysWithValues: darts.stateDict()))
        let x = try tinyBatch().images
        let reference = try referenceDartsForward(darts, x)
        XCTAssertEqual(try maxDiff(try darts(x), reference), 0, accuracy: 1e-5)
        XCTAssertEqual(try maxDiff(try entran(x), reference), 0, accuracy: 1e-5)
    }

    /// The cells compute the ReLU of a state once for all the ops that start with one
    /// (`ReLUFirst`); the hand-written forward runs one per op. Weights and alphas get the same
    /// gradients (to float rounding: the gradients of the shared ReLU's users are summed first).
    func testSharedReLUGivesTheGradientsOfOneReLUPerOp() throws {
        Torch.manualSeed(6)
        let net = try SearchNetwork(config: tinyConfig(.darts))
        let x = try tinyBatch().images
        let parameters = net.parameters()
        func grads(_ logits: Tensor) throws -> [[Float]] {
            let probe = try Tensor.randn(logits.shape)
            return try gradients(of: [try (logits * probe).sum()], withRespectTo: parameters, allowUnused: true)
                .map { try $0?.floats() ?? [] }
        }
        Torch.manualSeed(7)
        let shared = try grads(try net(x))
        Torch.manualSeed(7)
        let perOp = try grads(try referenceDartsForward(net, x))
        XCTAssertEqual(shared.count, perOp.count)
        for (i, (a, b)) in zip(shared, perOp).enumerated() {
            XCTAssertEqual(a.count, b.count, "parameter \(i)")
            let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            XCTAssertLessThan(worst, 1e-5, "parameter \(i)")
        }
    }

    func testTemperatureSharpensTheEngineWeights() throws {
        var config = tinyConfig(.entrannas)
        config.temperature = 0.5
        Torch.manualSeed(3)
        let net = try SearchNetwork(config: config)
        let w = try net.cellWeights().normal.ops
        let expected = try (try net.arch.alphasNormal / 0.5).softmax(dim: 1)
        XCTAssertEqual(try maxDiff(w, expected), 0, accuracy: 1e-7)
    }

    /// `temperatureEnd`: tau goes geometrically from the first epoch's to the last's, and the
    /// network's current tau is what its weights use.
    func testAnnealedTemperatureIsGeometricAndUsed() throws {
        var config = tinyConfig(.entrannas)
        config.temperatureEnd = 0.1
        for (epoch, tau) in [1, 0.1.squareRoot(), 0.1].enumerated() {
            XCTAssertEqual(config.temperature(epoch: epoch, of: 3), tau, accuracy: 1e-12)
        }
        XCTAssertEqual(config.temperature(epoch: 7, of: 3), 0.1, accuracy: 1e-12, "past the last epoch tau stays at its end")
        config.temperatureEnd = nil
        XCTAssertEqual(config.temperature(epoch: 2, of: 3), 1)
        config.temperatureEnd = 0
        XCTAssertThrowsError(try config.validate()) { XCTAssertTrue("\($0)".contains("--temperature-end")) }
        Torch.manualSeed(3)
        let net = try SearchNetwork(config: tinyConfig(.entrannas))
        net.temperature = 0.25
        let expected = try (try net.arch.alphasNormal / 0.25).softmax(dim: 1)
        XCTAssertEqual(try maxDiff(try net.cellWeights().normal.ops, expected), 0, accuracy: 1e-7)
    }

    /// The derived cell is read from the tau-scaled weights (docs/method.md#a2), so tau moves the
    /// top-2 rule's ranking of a node's edges: an edge with two equal strong ops loses to one with
    /// a single strong op once tau is small enough for the single op to take its edge's whole mass.
    func testTemperatureMovesTheTopTwoEdgeRanking() throws {
        let net = try SearchNetwork(config: tinyConfig(.darts))
        // Rows: node 2's edges (0, 1), then node 3's from inputs 0 (A), 1 (B), 2 (C); column 0 is `none`.
        let a: [Float] = [0, 1, 1, -5, -5, -5, -5, -5]
        let b: [Float] = [0, 1.2, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]
        let c: [Float] = [0, 3, -5, -5, -5, -5, -5, -5]
        let alphas = [Float](repeating: 0, count: 16) + a + b + c
        try withNoGrad { try net.arch.alphasNormal.copy_(try Tensor(alphas, shape: [5, 8])) }
        func node3Inputs(_ tau: Double) throws -> Set<Int> {
            net.temperature = tau
            try net.rederive()
            return Set(net.genotype.normal[1].map(\.input))
        }
        // tau = 1: strongest weights A 0.42, B 0.17, C 0.95; tau = 0.1: A 0.50, B 0.77, C 1.00.
        XCTAssertEqual(try node3Inputs(1), [0, 2])
        XCTAssertEqual(try node3Inputs(0.1), [1, 2])
    }

    /// The consistency report's ablation: `derivedOnlyCells` holding every cell is the derived
    /// network, one cell at a time differs from the super-net only there; the final report
    /// lists one entry per Engine-cell and the derived net with the search's statistics.
    func testEngineCellAblationSwapsOneCellForItsDerivedCell() throws {
        Torch.manualSeed(7)
        let config = tinyConfig(.entrannas)
        let net = try SearchNetwork(config: config)
        try withNoGrad { try net.arch.alphasNormal.copy_(try Tensor.randn(net.arch.alphasNormal.shape) * 3) }
        try net.rederive()
        net.eval()
        let x = try Tensor.randn([2, 1, 8, 8])
        net.runsDerivedOnly = true
        let derived = try net(x)
        net.runsDerivedOnly = false
        net.derivedOnlyCells = Set(0..<config.layers)
        XCTAssertEqual(try maxDiff(try net(x), derived), 0, accuracy: 0)
        net.derivedOnlyCells = []
        let superNet = try net(x)
        net.derivedOnlyCells = [config.engineCells[0]]
        let swapped = try net(x)
        XCTAssertGreaterThan(try maxDiff(swapped, superNet), 0, "the swapped Engine-cell changes the output")
        XCTAssertGreaterThan(try maxDiff(swapped, derived), 0, "the other Engine-cell still mixes")
    }

    func testTransitCellIsTheSumOfItsDerivedOps() throws {
        Torch.manualSeed(5)
        let net = try SearchNetwork(config: tinyConfig(.entrannas))
        // Make the architecture decisive so the derivation is not a coin flip.
        try withNoGrad { try net.arch.alphasNormal.copy_(try Tensor.randn([5, 8]) * 3) }
        try net.rederive()
        let transit = try TransitCell(config: net.config, cPrevPrev: 4, cPrev: 4, channels: 4, reduction: false, reductionPrev: false)
        let s0 = try Tensor.randn([2, 4, 8, 8]), s1 = try Tensor.randn([2, 4, 8, 8])
        let out = try transit(s0, s1, derived: net.derived.normal)
        var states = try transit.preprocess(s0, s1)
        for conns in net.genotype.normal {
            var node: Tensor? = nil
            for c in conns {
                let k = net.config.primitives.firstIndex(of: c.op)!
                let y = try transit.ops[c.input](states[c.input], column: k)  // shared: one op set per source node
                node = try node.map { try $0 + y } ?? y
            }
            states.append(node!)
        }
        XCTAssertEqual(try maxDiff(out, try Tensor.cat(Array(states.suffix(2)), dim: 1)), 0, accuracy: 1e-6)
    }

    /// The all-Transit network equals a derived network built fresh from the genotype with
    /// search-time ops (non-affine BN) and the super-net's weights copied in.
    func testDerivedNetworkEqualsGenotypeNetworkWithInheritedWeights() throws {
        for method in [SearchMethod.entrannas, .darts] {
            Torch.manualSeed(6)
            let net = try SearchNetwork(config: tinyConfig(method))
            try withNoGrad {
                try net.arch.alphasNormal.copy_(try Tensor.randn([5, 8]) * 3)
                try net.arch.alphasReduce.copy_(try Tensor.randn([5, 8]) * 3)
            }
            try net.rederive()
            let x = try tinyBatch().images
            net.runsDerivedOnly = true
            let derivedOut = try net(x)
            net.runsDerivedOnly = false

            // Fresh modules, one per genotype connection, weights copied from the super-net.
            var s0 = try net.stem!(x), s1 = s0
            for cell in net.cells {
                let conns = cell.reduction ? net.genotype.reduce : net.genotype.normal
                var states = try cell.preprocess(s0, s1)
                for (step, node) in conns.enumerated() {
                    var sum: Tensor? = nil
                    for c in node {
                        let k = net.config.primitives.firstIndex(of: c.op)!
                        let stride = cell.reduction && c.input < 2 ? 2 : 1
                        let fresh = try makeSearchOperation(c.op, channels: cell.channels, stride: stride)
                        let source = cell.featureSharing ? c.input : EdgeIndex(steps: cell.steps).edge(step: step, input: c.input)
                        let inherited = cell.ops[source].ops[k]
                        try fresh.load(stateDict: Dictionary(uniqueKeysWithValues: inherited.stateDict()))
                        let y = try fresh(states[c.input])
                        sum = try sum.map { try $0 + y } ?? y
                    }
                    states.append(sum!)
                }
                s0 = s1
                s1 = try Tensor.cat(Array(states.suffix(cell.multiplier)), dim: 1)
            }
            let reference = try net.classifier(try adaptiveAvgPool2d(s1, outputSize: (1, 1)).flatten())
            XCTAssertEqual(try maxDiff(derivedOut, reference), 0, accuracy: 1e-5, "\(method)")
        }
    }

    func testAlphasGetGradientOnlyThroughEngineCells() throws {
        Torch.manualSeed(8)
        let net = try SearchNetwork(config: tinyConfig(.entrannas))
        let x = try tinyBatch().images
        let alphas = [net.arch.alphasNormal, net.arch.alphasReduce]
        let weights = try net.cellWeights()
        var s0 = try net.stem!(x), s1 = s0
        var sawTransit = false
        for cell in net.cells {
            let out: Tensor
            if let engine = cell as? EngineCell {
                out = try engine(s0, s1, weights: cell.reduction ? weights.reduce : weights.normal)
                let g = try gradients(of: [try out.sum()], withRespectTo: alphas, retainGraph: true, allowUnused: true)
                XCTAssertNotNil(g[cell.reduction ? 1 : 0], "Engine-cell must pass gradient to its alphas")
            } else {
                // Fresh inputs cut from the graph: whatever reaches alpha must come from the cell itself.
                out = try (cell as! TransitCell)(try s0.detached(), try s1.detached(), derived: cell.reduction ? net.derived.reduce : net.derived.normal)
                let g = try gradients(of: [try out.sum()], withRespectTo: alphas, retainGraph: true, allowUnused: true)
                XCTAssertNil(g[0])
                XCTAssertNil(g[1])
                sawTransit = true
            }
            s0 = s1
            s1 = out
        }
        XCTAssertTrue(sawTransit)
        // Through the whole network, both alphas do get gradient (via the Engine-cells).
        let loss = try crossEntropy(try net(x), tinyBatch().labels)
        let g = try gradients(of: loss, withRespectTo: alphas)
        XCTAssertGreaterThan(try g[0].abs().sum().item(), 0)
        XCTAssertGreaterThan(try g[1].abs().sum().item(), 0)
    }

    func testFeatureSharedEngineCellHoldsFiveTimesKOps() throws {
        let config = SearchSpaceConfig(method: .entrannas)
        let shared = try EngineCell(config: config, cPrevPrev: 48, cPrev: 48, channels: 16, reduction: false, reductionPrev: false)
        XCTAssertEqual(shared.opModuleCount, 5 * 8)
        let darts = try EngineCell(config: SearchSpaceConfig(method: .darts), cPrevPrev: 48, cPrev: 48, channels: 16,
                               reduction: false, reductionPrev: false)
        XCTAssertEqual(darts.opModuleCount, 14 * 8)
    }

    /// Feature sharing counted in a real forward pass: every (source, op) runs once per cell
    /// forward, although source 0 feeds every node. Each op's batch norms count the batches they
    /// saw, so a cell that ran a shared op once per edge instead would count 2 for source 0.
    func testFeatureSharingRunsEachSourceOpOncePerForward() throws {
        Torch.manualSeed(9)
        let net = try SearchNetwork(config: tinyConfig(.entrannas))
        let cell = try XCTUnwrap(net.cells.first as? EngineCell)
        XCTAssertTrue(cell.featureSharing)
        XCTAssertEqual(cell.ops.count, cell.steps + 1, "one op set per source node, not per edge")
        let s0 = try net.stem!(try tinyBatch().images)
        _ = try cell(s0, s0, weights: try net.cellWeights().normal)
        var counted = 0
        for (source, mixed) in cell.ops.enumerated() {
            for (k, op) in mixed.ops.enumerated() {
                for bn in op.modules().compactMap({ $0 as? BatchNorm2d }) {
                    XCTAssertEqual(try bn.numBatchesTracked.itemInt(), 1, "source \(source), \(mixed.primitives[k]) ran more than once")
                    counted += 1
                }
            }
        }
        XCTAssertGreaterThan(counted, 3 * 5, "every source's convolutions and pooling were counted")
    }
}
