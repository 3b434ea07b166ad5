import XCTest
@testable import NAS
import Torch

/// Architecture gradients against finite differences (docs/method.md#bilevel).
final class ArchitectTests: SingleThreadTestCase {
    private func loss(_ net: SearchNetwork, _ batch: (images: Tensor, labels: Tensor)) throws -> Tensor {
        try crossEntropy(try net(batch.images), batch.labels)
    }

    /// Central difference of f along alpha entry (row, column).
    private func finiteDifference(_ alpha: Tensor, _ index: Int, h: Double = 5e-3, _ f: () throws -> Double) throws -> Double {
        var values = try alpha.floats()
        let original = values[index]
        values[index] = original + Float(h)
        try withNoGrad { try alpha.copy_(try Tensor(values, shape: alpha.shape)) }
        let plus = try f()
        values[index] = original - Float(h)
        try withNoGrad { try alpha.copy_(try Tensor(values, shape: alpha.shape)) }
        let minus = try f()
        values[index] = original
        try withNoGrad { try alpha.copy_(try Tensor(values, shape: alpha.shape)) }
        return (plus - minus) / (2 * h)
    }

    func testFirstOrderAlphaGradientMatchesFiniteDifference() throws {
        Torch.manualSeed(11)
        let net = try SearchNetwork(config: tinyConfig(.darts))
        try withNoGrad { try net.arch.alphasNormal.copy_(try Tensor.randn([5, 8])) }
        let batch = try tinyBatch(6)
        let g = try gradients(of: loss(net, batch), withRespectTo: [net.arch.alphasNormal])[0].floats()
        for index in [1, 12, 27, 39] {
            let fd = try finiteDifference(net.arch.alphasNormal, index) { try loss(net, batch).item() }
            XCTAssertEqual(Double(g[index]), fd, accuracy: 2e-3 + 0.05 * abs(fd), "alpha entry \(index)")
        }
    }

    /// The second-order gradient with an exact Hessian-vector product equals the derivative of
    /// the unrolled objective J(alpha) = L_val(w - xi (grad_w L_train + wd w + mu v), alpha), v
    /// the momentum buffer: one real SGD step first fills it, as every search step after the
    /// first finds it. J jumps wherever a ReLU flips inside grad_w, so the difference step is
    /// kept tiny. xi is large (0.5) so that the correction is several tolerances wide: at 0.05 it
    /// was within one on the GPU machine's CPU (another libtorch, other kernels), and the check
    /// that the first-order gradient would fail did not hold there.
    func testSecondOrderAlphaGradientMatchesFiniteDifferenceOfUnrolledObjective() throws {
        Torch.manualSeed(12)
        let net = try SearchNetwork(config: tinyConfig(.darts2nd))
        try withNoGrad { try net.arch.alphasNormal.copy_(try Tensor.randn([5, 8])) }
        let train = try tinyBatch(6, seed: 1), valid = try tinyBatch(6, seed: 2)
        let xi = 0.5, decay = 3e-4
        let sgd = SGD(net.weightParameters(), learningRate: xi, momentum: 0.9, weightDecay: decay)
        let architect = Architect(network: net, order: .second)
        architect.hessianProduct = .exact
        let named = net.weightParameters()
        let weights = named.map(\.1)
        // One weight step on another batch: the momentum buffers are no longer empty.
        net.zeroGrad()
        try loss(net, try tinyBatch(6, seed: 3)).backward()
        try sgd.step()
        let buffers = try named.map { name, _ in try XCTUnwrap(sgd.momentumBuffer(name), "\(name) has no momentum buffer") }
        XCTAssertGreaterThan(try buffers.map { try $0.abs().sum().item() }.reduce(0, +), 0)

        func unrolledObjective() throws -> Double {
            let saved = try withNoGrad { try weights.map { try $0.clone() } }
            let g = try gradients(of: [loss(net, train)], withRespectTo: weights, allowUnused: true)
            try withNoGrad {
                for (i, w) in weights.enumerated() {
                    if let gi = g[i] { try w.add_(gi, alpha: -xi) }
                    try w.add_(saved[i], alpha: -xi * decay)
                    try w.add_(buffers[i], alpha: -xi * 0.9)
                }
            }
            let value = try withNoGrad { try loss(net, valid).item() }
            try withNoGrad { for (w, s) in zip(weights, saved) { try w.copy_(s) } }
            return value
        }

        _ = try architect.unrolledStep(validation: valid, train: train, weightOptimizer: sgd)
        let analytic = try XCTUnwrap(net.arch.alphasNormal.grad).floats()
        let firstOrder = try gradients(of: loss(net, valid), withRespectTo: [net.arch.alphasNormal])[0].floats()
        var correctionMatters = false
        for index in [3, 14, 22, 36] {
            let fd = try finiteDifference(net.arch.alphasNormal, index, h: 2e-4, unrolledObjective)
            let tolerance = 2e-3 + 0.05 * abs(fd)
            XCTAssertEqual(Double(analytic[index]), fd, accuracy: tolerance, "alpha entry \(index)")
            if abs(Double(firstOrder[index]) - fd) > 2 * tolerance { correctionMatters = true }
        }
        XCTAssertTrue(correctionMatters, "the fixture must make the unrolled correction visible: the first-order gradient would fail")
    }

    /// DARTS' finite-difference mode runs the same unrolled step: on this fixture its result
    /// lies between the first-order gradient and far-off values only through the Hessian term,
    /// so check the parts that must agree exactly: it leaves the weights as they were and
    /// fills every alpha gradient with finite values.
    func testFiniteDifferenceModeRestoresWeights() throws {
        Torch.manualSeed(14)
        let net = try SearchNetwork(config: tinyConfig(.darts2nd))
        let before = try net.weightParameters().map { try $0.1.clone() }
        let architect = Architect(network: net, order: .second)
        _ = try architect.unrolledStep(validation: tinyBatch(6, seed: 1), train: tinyBatch(6, seed: 2),
                                   weightOptimizer: SGD(net.weightParameters(), learningRate: 0.1, momentum: 0.9))
        for (a, b) in zip(before, net.weightParameters().map(\.1)) { XCTAssertEqual(try maxDiff(a, b), 0) }
        let g = try XCTUnwrap(net.arch.alphasNormal.grad).floats()
        XCTAssertTrue(g.allSatisfy { $0.isFinite })
    }

    func testArchitectureStepRederivesAndLeavesWeightsUntouched() throws {
        Torch.manualSeed(13)
        let net = try SearchNetwork(config: tinyConfig(.entrannas))
        let sgd = SGD(net.weightParameters(), learningRate: 0.1, momentum: 0.9)
        let architect = Architect(network: net, order: .first, learningRate: 0.5)
        let before = try net.weightParameters().map { try $0.1.clone() }
        let alphaBefore = try net.arch.alphasNormal.clone()
        try architect.step(validation: tinyBatch(4, seed: 3), train: tinyBatch(4, seed: 4), weightOptimizer: sgd)
        XCTAssertGreaterThan(try maxDiff(alphaBefore, net.arch.alphasNormal), 0)
        for (a, b) in zip(before, net.weightParameters().map(\.1)) { XCTAssertEqual(try maxDiff(a, b), 0) }
        // The derivation follows the new alphas.
        let fresh = try deriveGenotype(normalWeights: net.cellWeights().normal.values, reduceWeights: net.cellWeights().reduce.values,
                                       primitives: net.config.primitives, steps: net.config.steps)
        XCTAssertEqual(fresh, net.genotype)
    }

    func testArchitectureParametersAreNotNetworkWeights() throws {
        let net = try SearchNetwork(config: tinyConfig(.pcDarts))
        let weightNames = Set(net.weightParameters().map(\.0))
        let archNames = net.architectureParameters().map(\.0)
        XCTAssertEqual(archNames, ["arch.alphas_normal", "arch.alphas_reduce", "arch.betas_normal", "arch.betas_reduce"])
        XCTAssertTrue(weightNames.isDisjoint(with: archNames))
        XCTAssertTrue(net.stateDict().map(\.0).contains("arch.betas_reduce"), "checkpoints hold the architecture")
    }

    /// DARTS runs the validation forward at w' on an unrolled copy: the live network's
    /// batch-norm statistics see only the training batches (virtual step, Hessian product).
    func testSecondOrderStepLeavesRunningStatisticsToTheTrainingBatches() throws {
        Torch.manualSeed(12)
        let net = try SearchNetwork(config: tinyConfig(.darts2nd))
        let train = try tinyBatch(6)
        // A validation batch far from the training one: any forward on it would move the stem's
        // running mean by about 0.1 * 1000 * |sum of a filter|.
        let validation = (images: try train.images + 1000, labels: train.labels)
        let architect = Architect(network: net, order: .second)
        let sgd = SGD(net.weightParameters(), learningRate: 0.01, momentum: 0.9)
        try architect.step(validation: validation, train: train, weightOptimizer: sgd)
        let stemNorm = try XCTUnwrap(net.stem!.modules().compactMap { $0 as? BatchNorm2d }.first)
        XCTAssertLessThan(try stemNorm.runningMean.abs().max().item(), 5)
        XCTAssertEqual(try stemNorm.numBatchesTracked.itemInt(), 3, "virtual step and the two Hessian-product forwards")
    }
}
