import XCTest
@testable import NAS

/// Column of each DARTS primitive in a weight row.
private func column(_ op: Primitive) -> Int { Primitive.darts.firstIndex(of: op)! }

/// A weight matrix (edges x 8 DARTS ops) filled with `background`, where every edge has `none`
/// as its largest weight, so any test passing it also shows `none` is never chosen.
private func noneDominated(steps: Int, background: Float = 0.01) -> [[Float]] {
    var weights = Array(repeating: Array(repeating: background, count: Primitive.darts.count),
                        count: EdgeIndex(steps: steps).edgeCount)
    for edge in weights.indices { weights[edge][column(.none)] = 0.9 }
    return weights
}

/// Weights whose DARTS derivation must reproduce a two-input cell: on each node the first listed
/// connection gets the larger weight, because DARTS lists the stronger edge first.
private func weights(reproducing nodes: [[Connection]]) -> [[Float]] {
    let layout = EdgeIndex(steps: nodes.count)
    var weights = noneDominated(steps: nodes.count)
    for (step, inputs) in nodes.enumerated() {
        for (rank, connection) in inputs.enumerated() {
            weights[layout.edge(step: step, input: connection.input)][column(connection.op)] = 0.5 - 0.1 * Float(rank)
        }
    }
    return weights
}

final class EdgeIndexTests: SingleThreadTestCase {
    func testDartsLayout() {
        let layout = EdgeIndex(steps: 4)
        XCTAssertEqual(layout.edgeCount, 14)
        XCTAssertEqual((0..<4).map { layout.offset(step: $0) }, [0, 2, 5, 9])
        XCTAssertEqual(layout.edges(step: 2), 5..<9)
        XCTAssertEqual(layout.edge(step: 3, input: 4), 13)
        XCTAssertEqual(EdgeIndex(steps: 2).edgeCount, 5)
        XCTAssertEqual(EdgeIndex(steps: 5).edgeCount, 20)
    }

    func testLocationInvertsEdge() {
        let layout = EdgeIndex(steps: 5)
        var edge = 0
        for step in 0..<5 {
            for input in 0..<layout.inputCount(step: step) {
                XCTAssertEqual(layout.edge(step: step, input: input), edge)
                let location = layout.location(ofEdge: edge)
                XCTAssertEqual(location.step, step)
                XCTAssertEqual(location.input, input)
                edge += 1
            }
        }
        XCTAssertEqual(edge, layout.edgeCount)
    }
}

final class DerivationTests: SingleThreadTestCase {
    private let primitives = Primitive.darts

    // MARK: DARTS rule

    func testDartsRuleReproducesPublishedCells() throws {
        for name in ["DARTS_V1", "DARTS_V2", "PC_DARTS", "PC_DARTS_image"] {
            let target = try XCTUnwrap(Genotype.named(name))
            let derived = try deriveGenotype(
                normalWeights: weights(reproducing: target.normal),
                reduceWeights: weights(reproducing: target.reduce),
                primitives: primitives, steps: 4)
            XCTAssertEqual(derived, target, name)
        }
    }

    func testDartsRuleGoldenTwoStepCell() throws {
        // Node 2 (edges 0, 1): both kept, edge 1 is stronger so it comes first.
        // Node 3 (edges 2, 3, 4): edge 3's only big weight is `none`, so edges 4 and 2 win.
        var w = noneDominated(steps: 2)
        w[0][column(.sepConv3x3)] = 0.5
        w[0][column(.maxPool3x3)] = 0.2
        w[1][column(.skipConnect)] = 0.6
        w[2][column(.avgPool3x3)] = 0.3
        w[3][column(.dilConv5x5)] = 0.05
        w[4][column(.dilConv3x3)] = 0.4
        let derived = try deriveDarts(weights: w, primitives: primitives, steps: 2)
        XCTAssertEqual(derived, [
            [Connection(.skipConnect, 1), Connection(.sepConv3x3, 0)],
            [Connection(.dilConv3x3, 2), Connection(.avgPool3x3, 0)],
        ])
    }

    func testNoneNeverChosenEvenWhenLargestEverywhere() throws {
        let derived = try deriveDarts(weights: noneDominated(steps: 4), primitives: primitives, steps: 4)
        XCTAssertFalse(derived.joined().contains { $0.op == .none })
        // All non-`none` weights tie: lower inputs first, first non-`none` column on each edge.
        XCTAssertEqual(derived, Array(repeating: [Connection(.maxPool3x3, 0), Connection(.maxPool3x3, 1)], count: 4))
    }

    func testTopKAndTies() throws {
        var w = noneDominated(steps: 2)
        w[2][column(.sepConv5x5)] = 0.3
        w[3][column(.sepConv3x3)] = 0.3
        w[3][column(.sepConv5x5)] = 0.3
        w[4][column(.skipConnect)] = 0.3
        let top3 = try deriveDarts(weights: w, primitives: primitives, steps: 2, topK: 3)
        XCTAssertEqual(top3[1], [Connection(.sepConv5x5, 0), Connection(.sepConv3x3, 1), Connection(.skipConnect, 2)])
        let top1 = try deriveDarts(weights: w, primitives: primitives, steps: 2, topK: 1)
        XCTAssertEqual(top1[1], [Connection(.sepConv5x5, 0)])
        // More requested than available: every edge is kept.
        let top9 = try deriveDarts(weights: w, primitives: primitives, steps: 2, topK: 9)
        XCTAssertEqual(top9.map(\.count), [2, 3])
    }

    func testPrimitiveListWithoutNone() throws {
        let ops: [Primitive] = [.skipConnect, .sepConv3x3]
        let w: [[Float]] = [[0.9, 0.1], [0.2, 0.8]]
        XCTAssertEqual(try deriveDarts(weights: w, primitives: ops, steps: 1),
                       [[Connection(.skipConnect, 0), Connection(.sepConv3x3, 1)]])
    }

    func testNaNIsNeverPreferred() throws {
        var w = noneDominated(steps: 2)
        w[2][column(.sepConv3x3)] = .nan
        w[3][column(.sepConv3x3)] = 0.2
        w[4][column(.skipConnect)] = 0.3
        let derived = try deriveDarts(weights: w, primitives: primitives, steps: 2)
        XCTAssertEqual(derived[1], [Connection(.skipConnect, 2), Connection(.sepConv3x3, 1)])
    }

    // MARK: PC-DARTS rule

    func testEdgeWeightsChangeTheChosenEdges() throws {
        var w = noneDominated(steps: 2)
        w[2][column(.sepConv3x3)] = 0.5
        w[3][column(.dilConv3x3)] = 0.4
        w[4][column(.skipConnect)] = 0.3
        let plain = try deriveDarts(weights: w, primitives: primitives, steps: 2)
        XCTAssertEqual(plain[1], [Connection(.sepConv3x3, 0), Connection(.dilConv3x3, 1)])
        // Node 2's edges: [0.5, 0.5]; node 3's: [0.2, 0.3, 0.5] -> scores 0.10, 0.12, 0.15.
        let betas: [Float] = [0.5, 0.5, 0.2, 0.3, 0.5]
        let scaled = try derivePCDarts(weights: w, edgeWeights: betas, primitives: primitives, steps: 2)
        XCTAssertEqual(scaled[1], [Connection(.skipConnect, 2), Connection(.dilConv3x3, 1)])
        XCTAssertEqual(scaled[0], plain[0])
        let genotype = try deriveGenotype(
            normalWeights: w, reduceWeights: w, primitives: primitives, steps: 2,
            rule: .pcDarts(normalEdgeWeights: betas, reduceEdgeWeights: [0.5, 0.5, 1, 0, 0]))
        XCTAssertEqual(genotype.normal, scaled)
        XCTAssertEqual(genotype.reduce[1], [Connection(.sepConv3x3, 0), Connection(.maxPool3x3, 1)])
    }

    // MARK: threshold readout

    func testThresholdKeepsEveryNonzeroEntry() throws {
        var q = Array(repeating: Array(repeating: Float(0), count: primitives.count), count: 9)
        q[1][column(.sepConv3x3)] = 1                                    // node 2: one input
        q[2][column(.skipConnect)] = 0.6; q[2][column(.sepConv5x5)] = 0.4 // node 3: two ops on 0 -> 3
        q[3][column(.dilConv3x3)] = 1e-6                                 // node 3: tiny but nonzero
        q[4][column(.maxPool3x3)] = 1
        q[5][column(.none)] = 1                                          // node 4: `none` skipped
        q[8][column(.avgPool3x3)] = 1
        let derived = try deriveThreshold(sparsified: q, primitives: primitives, steps: 3)
        XCTAssertEqual(derived, [
            [Connection(.sepConv3x3, 1)],
            [Connection(.skipConnect, 0), Connection(.sepConv5x5, 0), Connection(.dilConv3x3, 1),
             Connection(.maxPool3x3, 2)],
            [Connection(.avgPool3x3, 3)],
        ])
        let genotype = try deriveGenotype(
            normalWeights: q, reduceWeights: q, primitives: primitives, steps: 3, rule: .threshold())
        XCTAssertNoThrow(try genotype.validate())
        XCTAssertEqual(genotype.normalConcat, [2, 3, 4])
        XCTAssertEqual(try Genotype(dartsText: genotype.dartsText), genotype)
    }

    func testThresholdFallbackForAnEmptyNode() throws {
        // Node 2 kept only `none`; with fallback weights its strongest real op is restored.
        var q = Array(repeating: Array(repeating: Float(0), count: primitives.count), count: 2)
        q[0][column(.none)] = 1
        var p = noneDominated(steps: 1)
        p[1][column(.sepConv5x5)] = 0.3
        p[0][column(.skipConnect)] = 0.2
        XCTAssertEqual(try deriveThreshold(sparsified: q, primitives: primitives, steps: 1, fallbackWeights: p),
                       [[Connection(.sepConv5x5, 1)]])
        // Without fallback weights q-hat has nothing to rank: the lowest (input, op) is kept.
        XCTAssertEqual(try deriveThreshold(sparsified: q, primitives: primitives, steps: 1),
                       [[Connection(.maxPool3x3, 0)]])
        let genotype = try deriveGenotype(
            normalWeights: q, reduceWeights: q, primitives: primitives, steps: 1,
            rule: .threshold(normalFallback: p))
        XCTAssertEqual(genotype.normal, [[Connection(.sepConv5x5, 1)]])
        XCTAssertEqual(genotype.reduce, [[Connection(.maxPool3x3, 0)]])
    }

    // MARK: concat

    /// The genotype concatenates what the search cell concatenated (its last `multiplier` nodes),
    /// so the evaluation cell has the search cell's output width.
    func testConcatNamesTheLastMultiplierNodes() throws {
        let w = noneDominated(steps: 3)
        XCTAssertEqual(try deriveGenotype(normalWeights: w, reduceWeights: w, primitives: primitives, steps: 3).normalConcat,
                       [2, 3, 4])
        let two = try deriveGenotype(normalWeights: w, reduceWeights: w, primitives: primitives, steps: 3, multiplier: 2)
        XCTAssertEqual([two.normalConcat, two.reduceConcat], [[3, 4], [3, 4]])
        XCTAssertNoThrow(try two.validate())
        for bad in [0, 4] {
            XCTAssertThrowsError(try deriveGenotype(normalWeights: w, reduceWeights: w, primitives: primitives, steps: 3,
                                                    multiplier: bad)) {
                XCTAssertEqual($0 as? DerivationError, .invalidMultiplier(bad, steps: 3))
            }
        }
        // The search network passes its own multiplier on.
        var config = tinyConfig(.darts, steps: 2)
        config.multiplier = 1
        let net = try SearchNetwork(config: config)
        XCTAssertEqual([net.genotype.normalConcat, net.genotype.reduceConcat], [[3], [3]])
    }

    // MARK: errors

    func testShapeErrors() {
        XCTAssertThrowsError(try deriveDarts(weights: noneDominated(steps: 3), primitives: primitives, steps: 4)) {
            XCTAssertEqual(String(describing: $0), "weights has 9 edges, expected 14")
        }
        var ragged = noneDominated(steps: 2)
        ragged[3].removeLast()
        XCTAssertThrowsError(try deriveThreshold(sparsified: ragged, primitives: primitives, steps: 2)) {
            XCTAssertEqual($0 as? DerivationError, .opCount(what: "sparsified weights", edge: 3, expected: 8, got: 7))
        }
        XCTAssertThrowsError(try derivePCDarts(
            weights: noneDominated(steps: 2), edgeWeights: [1, 1], primitives: primitives, steps: 2)) {
            XCTAssertEqual($0 as? DerivationError, .edgeCount(what: "edge weights", expected: 5, got: 2))
        }
        XCTAssertThrowsError(try deriveDarts(weights: [[1], [1]], primitives: [.none], steps: 1)) {
            XCTAssertEqual($0 as? DerivationError, .noCandidateOps)
        }
        XCTAssertThrowsError(try deriveDarts(weights: noneDominated(steps: 1), primitives: primitives, steps: 1, topK: 0)) {
            XCTAssertEqual($0 as? DerivationError, .invalidTopK(0))
        }
    }
}
