import XCTest
@testable import NAS
import Torch

/// A search cell sums its terms as matrix products (`matrixMixedNodes` with feature sharing,
/// `matrixMixedEdges` without, `matrixMixedPartialEdges` with partial channels); the
/// term-by-term mixture is the reference. Output and every gradient (op weights, alphas, DST
/// thresholds, edge betas) must agree to float rounding, in both layouts, with DST's pruned
/// terms and with edge normalisation. Gradients differ by up to 3e-5 relative (the batch norms'
/// backward passes amplify the other summation order on these 3-image batches); a wrong weight
/// or row moves them by more than 1e-2.
final class MatrixMixingTests: SingleThreadTestCase {
    private func assertMatrixEqualsTermwise(_ config: SearchSpaceConfig, reduction: Bool, channelsLast: Bool = false, channels: Int = 4,
                                            prepare: (ArchitectureParameters) throws -> Void = { _ in },
                                            file: StaticString = #filePath, line: UInt = #line) throws {
        Torch.manualSeed(11)
        let arch = try ArchitectureParameters(config: config)
        try withNoGrad { try prepare(arch) }
        let cell = try EngineCell(config: config, cPrevPrev: channels, cPrev: channels, channels: channels, reduction: reduction,
                                  reductionPrev: false)
        var s0 = try Tensor.randn([3, channels, 8, 8]), s1 = try Tensor.randn([3, channels, 8, 8])
        if channelsLast {
            try cell.to(memoryFormat: .channelsLast)
            s0 = try s0.to(memoryFormat: .channelsLast)
            s1 = try s1.to(memoryFormat: .channelsLast)
        }
        let type: Genotype.CellType = reduction ? .reduce : .normal
        let weights = try CellWeights.compute(arch: arch, type: type, config: config, temperature: 1)
        let parameters = cell.parameters() + arch.parameters()
        func run(termwise: Bool) throws -> (out: [Float], grads: [[Float]], channelsLast: Bool) {
            let out = try cell(s0, s1, weights: weights, termwise: termwise)
            Torch.manualSeed(5)
            let probe = try Tensor.randn(out.shape)
            let g = try gradients(of: [try (out * probe).sum()], withRespectTo: parameters, retainGraph: true, allowUnused: true)
            return (try out.floats(), try g.map { try $0?.floats() ?? [] }, out.isContiguous(.channelsLast))
        }
        let matrix = try run(termwise: false), termwise = try run(termwise: true)
        XCTAssertEqual(matrix.channelsLast, termwise.channelsLast, "the output keeps the layout", file: file, line: line)
        XCTAssertEqual(matrix.out.count, termwise.out.count, file: file, line: line)
        let worst = zip(matrix.out, termwise.out).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(worst, 1e-5, "output", file: file, line: line)
        var compared = 0
        for (i, (a, b)) in zip(matrix.grads, termwise.grads).enumerated() {
            XCTAssertEqual(a.count, b.count, "parameter \(i): gradient present in one mixture only", file: file, line: line)
            let worst = zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0
            XCTAssertLessThan(worst, 1e-4, "parameter \(i)", file: file, line: line)
            if a.contains(where: { $0 != 0 }) { compared += 1 }
        }
        XCTAssertGreaterThan(compared, 10, "op weights and alphas got gradient", file: file, line: line)
    }

    func testNormalAndReductionCellsEqualTheTermwiseMixture() throws {
        for reduction in [false, true] {
            try assertMatrixEqualsTermwise(tinyConfig(.entrannas, steps: 4), reduction: reduction)
        }
    }

    /// DARTS owns its ops per edge: one stacked matrix and one product per edge.
    func testDARTSCellsEqualTheTermwiseMixture() throws {
        for reduction in [false, true] {
            for channelsLast in [false, true] {
                try assertMatrixEqualsTermwise(tinyConfig(.darts, steps: 4), reduction: reduction, channelsLast: channelsLast)
            }
        }
    }

    /// PC-DARTS: each edge's product on C/K channels, then the bypassed channels and the edge's beta.
    func testPartialChannelCellsEqualTheTermwiseMixture() throws {
        for reduction in [false, true] {
            for channelsLast in [false, true] {
                try assertMatrixEqualsTermwise(tinyConfig(.pcDarts, steps: 4, channels: 8), reduction: reduction,
                                               channelsLast: channelsLast, channels: 8) { arch in
                    try arch.betasNormal.copy_(try Tensor.randn(arch.betasNormal.shape))
                    try arch.betasReduce.copy_(try Tensor.randn(arch.betasReduce.shape))
                }
            }
        }
    }

    func testChannelsLastCellsEqualTheTermwiseMixture() throws {
        for reduction in [false, true] {
            try assertMatrixEqualsTermwise(tinyConfig(.entrannas, steps: 4), reduction: reduction, channelsLast: true)
        }
    }

    /// DST prunes some (edge, op) pairs of a source but not others: the matrix holds a constant
    /// zero there (their q-hat is zero anyway), and the thresholds get the same gradient.
    func testDSTPrunedTermsEqualTheTermwiseMixture() throws {
        let config = tinyConfig(.entrannasDST, steps: 4)
        let prune: (ArchitectureParameters) throws -> Void = { arch in
            try arch.alphasNormal.copy_(try Tensor.randn(arch.alphasNormal.shape) * 2)
            try arch.thresholdsNormal.copy_(try Tensor([-1, 0, 0.5, 1], shape: [4]))
        }
        Torch.manualSeed(11)
        let arch = try ArchitectureParameters(config: config)
        try withNoGrad { try prune(arch) }
        let active = try CellWeights.compute(arch: arch, type: .normal, config: config, temperature: 1).active
        let none = config.primitives.firstIndex(of: .none)
        let candidates = active.flatMap { row in row.indices.filter { $0 != none }.map { row[$0] } }
        XCTAssertTrue(candidates.contains(true) && candidates.contains(false), "some candidates pruned, some kept")
        for channelsLast in [false, true] {
            try assertMatrixEqualsTermwise(config, reduction: false, channelsLast: channelsLast, prepare: prune)
        }
    }

    func testEdgeNormalisationEqualsTheTermwiseMixture() throws {
        var config = tinyConfig(.entrannas, steps: 4)
        config.edgeNormalization = true
        try assertMatrixEqualsTermwise(config, reduction: false) { arch in
            try arch.betasNormal.copy_(try Tensor.randn(arch.betasNormal.shape))
        }
    }

    /// A DST Transit-cell before pruning runs every candidate, each times its constant q-hat: by
    /// matrix products too, equal to the termwise sum, weights' gradients included.
    func testDenseDSTTransitCellEqualsTheTermwiseMixture() throws {
        Torch.manualSeed(12)
        let net = try SearchNetwork(config: tinyConfig(.entrannasDST, steps: 4))
        let derived = net.derived.normal
        let terms = derived.nodes.reduce(0) { $0 + $1.reduce(0) { $0 + $1.columns.count } }
        XCTAssertGreaterThan(terms, 2 * 4, "dense at initialisation")
        XCTAssertTrue(derived.nodes.flatMap { $0.flatMap(\.weights) }.contains { $0 != 1 }, "weighted")
        for channelsLast in [false, true] {
            let cell = try TransitCell(config: net.config, cPrevPrev: 4, cPrev: 4, channels: 4, reduction: false, reductionPrev: false)
            var s0 = try Tensor.randn([3, 4, 8, 8]), s1 = try Tensor.randn([3, 4, 8, 8])
            if channelsLast {
                try cell.to(memoryFormat: .channelsLast)
                (s0, s1) = (try s0.to(memoryFormat: .channelsLast), try s1.to(memoryFormat: .channelsLast))
            }
            func run(termwise: Bool) throws -> (out: Tensor, grads: [[Float]]) {
                let out = try cell.derivedForward(s0, s1, derived: derived, weighted: true, termwise: termwise)
                Torch.manualSeed(5)
                let probe = try Tensor.randn(out.shape)
                let g = try gradients(of: [try (out * probe).sum()], withRespectTo: cell.parameters(), allowUnused: true)
                return (out, try g.map { try $0?.floats() ?? [] })
            }
            let matrix = try run(termwise: false), termwise = try run(termwise: true)
            XCTAssertEqual(matrix.out.isContiguous(.channelsLast), termwise.out.isContiguous(.channelsLast))
            XCTAssertLessThan(try maxDiff(matrix.out, termwise.out), 1e-5)
            for (i, (a, b)) in zip(matrix.grads, termwise.grads).enumerated() {
                XCTAssertEqual(a.count, b.count, "parameter \(i)")
                XCTAssertLessThan(zip(a, b).map { abs($0 - $1) / max(1, abs($1)) }.max() ?? 0, 1e-4, "parameter \(i)")
            }
        }
    }
}
