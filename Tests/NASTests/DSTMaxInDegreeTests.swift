import XCTest
@testable import NAS
import Torch

/// `--dst-max-in-degree` (docs/method.md#a17): a cap on the (input, op) pairs a DST node keeps.
final class DSTMaxInDegreeTests: SingleThreadTestCase {
    // One node, two edges of three ops: ratios p / max p = [1, .5, 1/6], [1/3, 1/3, 1].
    private let p = [0.6, 0.3, 0.1, 0.2, 0.2, 0.6] as [Float]

    private func kept(cap: Int?, t: Float) throws -> [Float] {
        let (weights, _) = try CellWeights.sparsify(try Tensor(p, shape: [2, 3]), thresholds: try Tensor([t], shape: [1]),
                                                    layout: EdgeIndex(steps: 1), noneColumn: nil, scope: .hard, maxInDegree: cap)
        return try weights.floats()
    }

    func testCapKeepsTheLargestRatiosAndOnlyBindsAboveIt() throws {
        // t = 0.1 lets all six pass; a cap of 3 keeps the two ratios of 1 and the 0.5.
        XCTAssertEqual(try kept(cap: nil, t: 0.1), [1, 1, 1, 1, 1, 1])
        XCTAssertEqual(try kept(cap: 3, t: 0.1), [1, 1, 0, 0, 0, 1])
        XCTAssertEqual(try kept(cap: 6, t: 0.1), [1, 1, 1, 1, 1, 1], "a cap at the candidate count changes nothing")
        // t = 0.4 keeps three already: a cap of 3 or more leaves the threshold's choice alone.
        XCTAssertEqual(try kept(cap: 3, t: 0.4), try kept(cap: nil, t: 0.4))
        // A tie at the boundary keeps fewer, never more: the two 1/3 ratios both go under a cap of 4.
        XCTAssertEqual(try kept(cap: 4, t: 0.1), [1, 1, 0, 0, 0, 1])
        // The two ratios of 1 tie at the top: a cap of 1 cannot split them and leaves t in place.
        XCTAssertEqual(try kept(cap: 1, t: 0.1), [1, 1, 1, 1, 1, 1])
        XCTAssertEqual(try kept(cap: 1, t: 0.6), [1, 0, 0, 0, 0, 1])
    }

    /// Gradients of the capped weights against central finite differences in alpha, with the cap
    /// binding (the boundary candidate's ratio is the threshold), and none to t_j while it binds.
    func testCappedGradientMatchesFiniteDifferences() throws {
        let logits: [Double] = [0.9, 0.2, -0.4, 0.3, -0.2, 0.7]  // ratios 1, .50, .27, .57, .35, .85: no ties
        let c = try Tensor([1, -2, 3, 0.5, 2, -1] as [Float], shape: [2, 3])
        func objective(_ a: [Double]) throws -> (value: Double, alphaGrad: [Float], tGrad: Float) {
            let alpha = try Tensor(a.map(Float.init), shape: [2, 3]).requiringGrad()
            let t = try Tensor([0.05] as [Float], shape: [1]).requiringGrad()
            let (weights, penalty) = try CellWeights.sparsify(try alpha.softmax(dim: 1), thresholds: t, layout: EdgeIndex(steps: 1),
                                                              noneColumn: nil, scope: .node, maxInDegree: 3)
            let loss = try (try weights * c).sum() + penalty
            try loss.backward()
            // No gradient at all for t (nil) while the cap binds: t left the graph.
            return (Double(try loss.item()), try XCTUnwrap(alpha.grad).floats(), try t.grad?.floats()[0] ?? 0)
        }
        let base = try objective(logits)
        XCTAssertEqual(base.tGrad, 0, "the cap, not t, sets the threshold")
        XCTAssertTrue(base.alphaGrad.contains { abs($0) > 1e-3 })
        let h = 1e-3
        for i in logits.indices {
            var up = logits, down = logits
            up[i] += h; down[i] -= h
            let fd = (try objective(up).value - objective(down).value) / (2 * h)
            XCTAssertEqual(Double(base.alphaGrad[i]), fd, accuracy: 2e-2 * max(1, abs(fd)), "alpha \(i)")
        }
    }

    /// In a search network at initialisation (near-uniform alphas: without the cap every node
    /// keeps every candidate) each node keeps exactly the cap, and the genotype is what the
    /// Engine-cell computes.
    func testSearchNetworkDerivesAtMostTheCap() throws {
        var config = tinyConfig(.entrannasDST, steps: 3)
        config.dstMaxInDegree = 4
        config.dstRenormalization = .hard
        Torch.manualSeed(11)
        let net = try SearchNetwork(config: config)
        XCTAssertEqual(net.genotype.normal.map(\.count), [4, 4, 4])
        XCTAssertEqual(net.genotype.reduce.map(\.count), [4, 4, 4])
        let active = try net.cellWeights().normal.active
        let layout = EdgeIndex(steps: 3)
        XCTAssertEqual((0..<3).map { step in layout.edges(step: step).map { active[$0].filter { $0 }.count }.reduce(0, +) }, [4, 4, 4])
        let images = try tinyBatch().images
        let superNet = try net(images)
        net.runsDerivedOnly = true
        XCTAssertLessThan(try maxDiff(superNet, try net(images)), 1e-5, "hard + cap: the super-net is the derived network")
    }

    /// The warm-up trains every candidate, as without the cap (near-uniform alphas: nothing is
    /// pruned); the cap applies from the first architecture epoch on.
    func testCapStartsWithTheFirstArchitectureEpoch() throws {
        var config = tinyConfig(.entrannasDST)
        config.dstMaxInDegree = 2
        var h = tinyHyper(.entrannasDST, epochs: 2)
        h.warmupEpochs = 1
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-cap-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: out) }
        let run = try SearchRun(config: config, hyper: h, train: syntheticDataset(), seed: 1, output: out)
        let perEpoch = run.searcher.trainLoader.batchCount
        var inDegrees: [Int: Set<[Int]>] = [:]
        run.observer = RecordingObserver { label, done in
            guard label == "search", done >= 1 else { return }
            let network = run.searcher.network
            inDegrees[(done - 1) / perEpoch, default: []].insert((network.genotype.normal + network.genotype.reduce).map(\.count))
        }
        guard case .finished = try run.run() else { return XCTFail("the search stopped") }
        XCTAssertEqual(inDegrees[0], [[14, 21, 14, 21]], "warm-up: every candidate of both nodes")
        XCTAssertEqual(try XCTUnwrap(inDegrees[1]).flatMap { $0 }.max(), 2, "architecture epoch: at most the cap")
        XCTAssertEqual(run.searcher.network.genotype.normal.map(\.count).max(), 2)
    }

    func testCapIsValidated() {
        var c = SearchSpaceConfig(method: .entrannasDST)
        c.dstMaxInDegree = 0
        XCTAssertThrowsError(try c.validate()) { XCTAssertTrue("\($0)".contains("--dst-max-in-degree")) }
        c.dstMaxInDegree = 1
        XCTAssertNoThrow(try c.validate())
    }
}
