import XCTest
@testable import NAS

/// Random cells, the baseline of the experiment: valid, of the requested shape, reproducible.
final class RandomGenotypeTests: XCTestCase {
    let ops = Primitive.darts.filter { $0 != .none }

    func testDartsRuleCellsHaveTwoDistinctInputsPerNode() throws {
        for seed: UInt64 in 0..<20 {
            let g = Genotype.random(primitives: Primitive.darts, seed: seed)
            try g.validate()
            for cell in [g.normal, g.reduce] {
                XCTAssertEqual(cell.count, 4)
                for (step, node) in cell.enumerated() {
                    XCTAssertEqual(node.count, 2)
                    XCTAssertEqual(Set(node.map(\.input)).count, 2, "two distinct inputs")
                    XCTAssertTrue(node.allSatisfy { $0.input < step + 2 && $0.op != .none })
                }
            }
        }
        XCTAssertEqual(Genotype.random(primitives: ops, seed: 3), Genotype.random(primitives: ops, seed: 3))
        XCTAssertNotEqual(Genotype.random(primitives: ops, seed: 3), Genotype.random(primitives: ops, seed: 4))
    }

    func testDSTCellsMatchTheRequestedMeanInDegree() throws {
        for (normal, reduce) in [(1.0, 1.0), (2.6, 3.25), (4.5, 1.75), (99.0, 3.0)] {
            for seed: UInt64 in 0..<5 {
                let g = Genotype.random(primitives: ops, meanInDegree: (normal, reduce), seed: seed)
                try g.validate()
                // 4 nodes: round(d * 4) pairs, capped at the 2+3+4+5 = 14 edges x 7 ops.
                XCTAssertEqual(g.meanInDegree(.normal), min(98, (normal * 4).rounded()) / 4)
                XCTAssertEqual(g.meanInDegree(.reduce), (reduce * 4).rounded() / 4)
                for node in g.normal + g.reduce {
                    XCTAssertGreaterThanOrEqual(node.count, 1)
                    XCTAssertEqual(Set(node).count, node.count, "no (input, op) pair twice")
                }
            }
        }
        XCTAssertNotEqual(Genotype.random(primitives: ops, meanInDegree: (3, 3), seed: 1),
                          Genotype.random(primitives: ops, meanInDegree: (3, 3), seed: 2))
    }

    func testDSTCellsMatchTheRequestedInDegreeOfEveryNode() throws {
        let degrees = (normal: [1, 9, 2, 1], reduce: [2, 1, 1, 30])
        for seed in 1...5 as ClosedRange<UInt64> {
            let genotype = Genotype.random(primitives: Primitive.darts, inDegrees: degrees, seed: seed)
            XCTAssertEqual(genotype.inDegrees(.normal), [1, 9, 2, 1])
            // Node 5 can have at most 5 inputs x 7 ops = 35 pairs; 30 fit.
            XCTAssertEqual(genotype.inDegrees(.reduce), [2, 1, 1, 30])
            XCTAssertNoThrow(try genotype.validate())
            for node in genotype.normal + genotype.reduce { XCTAssertEqual(Set(node).count, node.count, "distinct pairs") }
            XCTAssertFalse((genotype.normal + genotype.reduce).joined().contains { $0.op == .none })
        }
        XCTAssertNotEqual(Genotype.random(primitives: Primitive.darts, inDegrees: degrees, seed: 1),
                          Genotype.random(primitives: Primitive.darts, inDegrees: degrees, seed: 2))
        XCTAssertEqual(Genotype.random(primitives: Primitive.darts, inDegrees: (normal: [40], reduce: [0]), seed: 1).inDegrees(.normal),
                       [14], "capped at the 2 inputs x 7 ops a first node can have")
    }
}
