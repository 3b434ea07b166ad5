import Foundation
import XCTest
import Torch

/// SGD and Adam against hand-computed updates, parameter groups, gradient clipping, and state
/// save/restore (optim/SGD.swift, optim/Adam.swift, optim/Optimizer.swift).
final class OptimizerTests: XCTestCase {
    /// Sets a constant gradient and steps, `count` times; returns the parameter after each step.
    private func trajectory(_ optimizer: Optimizer, _ p: Tensor, grad: [Double], steps count: Int) throws -> [[Double]] {
        try (0..<count).map { _ in
            try p.setGrad(Tensor(grad, shape: p.shape).to(p.dtype))
            try optimizer.step()
            return try p.doubles()
        }
    }

    // MARK: SGD, with numbers worked out by hand (p0 = 1, grad 0.5, lr 0.1)

    func testSGDPlain() throws {
        let p = try Tensor([1.0], shape: [1])
        let path = try trajectory(SGD([("p", p)], learningRate: 0.1), p, grad: [0.5], steps: 3)
        assertClose(path.map { $0[0] }, [0.95, 0.9, 0.85], tolerance: 1e-12, "p -= lr * g")
    }

    func testSGDMomentum() throws {
        // buf: 0.5, 0.95, 1.355; p: 0.95, 0.855, 0.7195.
        let p = try Tensor([1.0], shape: [1])
        let path = try trajectory(SGD([("p", p)], learningRate: 0.1, momentum: 0.9), p, grad: [0.5], steps: 3)
        assertClose(path.map { $0[0] }, [0.95, 0.855, 0.7195], tolerance: 1e-12, "heavy ball")
    }

    func testSGDNesterov() throws {
        // step d = g + m * buf: 0.95, 1.355, 1.7195; p: 0.905, 0.7695, 0.59755.
        let p = try Tensor([1.0], shape: [1])
        let path = try trajectory(SGD([("p", p)], learningRate: 0.1, momentum: 0.9, nesterov: true), p, grad: [0.5], steps: 3)
        assertClose(path.map { $0[0] }, [0.905, 0.7695, 0.59755], tolerance: 1e-12, "nesterov")
    }

    func testSGDWeightDecayWithMomentum() throws {
        // g' = g + wd * p. Step 1: g' = 0.5 + 0.1 = 0.6, buf 0.6, p = 0.94.
        // Step 2: g' = 0.5 + 0.094 = 0.594, buf = 0.54 + 0.594 = 1.134, p = 0.8266.
        let p = try Tensor([1.0], shape: [1])
        let sgd = SGD([("p", p)], learningRate: 0.1, momentum: 0.9, weightDecay: 0.1)
        let path = try trajectory(sgd, p, grad: [0.5], steps: 2)
        assertClose(path.map { $0[0] }, [0.94, 0.8266], tolerance: 1e-12, "weight decay enters the momentum buffer")
        assertClose(try sgd.momentumBuffer("p")!.doubles(), [1.134], tolerance: 1e-12)
    }

    func testSGDSkipsParametersWithoutGradient() throws {
        let a = try Tensor([1.0], shape: [1]), b = try Tensor([2.0], shape: [1])
        let sgd = SGD([("a", a), ("b", b)], learningRate: 0.5, momentum: 0.9, weightDecay: 0.1)
        try a.setGrad(Tensor([1.0], shape: [1]))
        try sgd.step()
        XCTAssertEqual(try b.doubles(), [2.0], "no gradient, no step (not even weight decay)")
        XCTAssertNil(sgd.momentumBuffer("b"))
        XCTAssertEqual(try a.doubles()[0], 1 - 0.5 * 1.1, accuracy: 1e-12)
    }

    func testSGDWithBackwardOnVectorMatchesReference() throws {
        // A real loss: L = sum(c * p^2) / 2 + sum(d * p), so dL/dp = c * p + d, over 3 steps.
        let c = [1.0, 2.0, 0.5], d = [0.3, -0.2, 1.0]
        let p = try Tensor([1.0, -1.0, 2.0], shape: [3]).requiringGrad()
        let sgd = SGD([("p", p)], learningRate: 0.05, momentum: 0.8, weightDecay: 0.01, nesterov: true)
        var ref = [1.0, -1.0, 2.0], buf: [Double]? = nil
        for _ in 0..<3 {
            sgd.zeroGrad()
            try (try (try p * p * Tensor(c, shape: [3])).sum() / 2 + (try p * Tensor(d, shape: [3])).sum()).backward()
            try sgd.step()
            let g = ref.indices.map { c[$0] * ref[$0] + d[$0] + 0.01 * ref[$0] }
            buf = buf.map { b in b.indices.map { 0.8 * b[$0] + g[$0] } } ?? g
            ref = ref.indices.map { ref[$0] - 0.05 * (g[$0] + 0.8 * buf![$0]) }
        }
        assertClose(try p.doubles(), ref, tolerance: 1e-12, "nesterov + weight decay over 3 steps")
    }

    /// SGD updates each group's parameters with multi-tensor calls (Foreach.swift): bit for bit
    /// what the per-parameter operations give, for float tensors of several shapes and layouts
    /// (a channels-last kernel included), two groups, a parameter without a gradient, 3 steps.
    func testMultiTensorStepEqualsThePerParameterUpdateBitForBit() throws {
        Torch.manualSeed(9)
        let shapes = [[4, 3, 3, 3], [4, 4, 1, 1], [7], [2, 5]]
        let params = try shapes.enumerated().map { i, shape in
            try i == 0 ? Tensor.randn(shape).to(memoryFormat: .channelsLast) : Tensor.randn(shape)
        }
        let reference = try params.map { try $0.clone() }
        let (lr, wd, m) = ([0.1, 0.03], [3e-4, 0.0], 0.9)
        let sgd = SGD([ParameterGroup([("a", params[0]), ("b", params[1])], learningRate: lr[0], weightDecay: wd[0]),
                       ParameterGroup([("c", params[2]), ("d", params[3])], learningRate: lr[1], weightDecay: wd[1])],
                      momentum: m, nesterov: true)
        var buffers: [Int: Tensor] = [:]
        for step in 0..<3 {
            let grads = try shapes.map { try Tensor.randn($0) }
            for (i, p) in params.enumerated() { try p.setGrad(i == 3 && step == 1 ? nil : grads[i]) }
            try sgd.step()
            for (i, p) in reference.enumerated() where !(i == 3 && step == 1) {
                let group = i < 2 ? 0 : 1
                var d = grads[i]
                if wd[group] != 0 { d = try d + p * wd[group] }
                if let b = buffers[i] { try b.mul_(m); try b.add_(d) } else { buffers[i] = try d.clone() }
                d = try d + buffers[i]! * m
                try p.add_(d, alpha: -lr[group])
            }
        }
        for (i, (a, b)) in zip(params, reference).enumerated() {
            XCTAssertEqual(try a.floats(), try b.floats(), "parameter \(i)")
        }
        XCTAssertEqual(params[0].memoryFormat, .channelsLast)
    }

    /// `foreach: false` (a call per parameter) and the default give the same bits, clipping included.
    func testForeachFlagDoesNotChangeTheNumbers() throws {
        Torch.manualSeed(10)
        let shapes = [[3, 2, 3, 3], [5], [2, 4]]
        let start = try shapes.map { try Tensor.randn($0) }
        let grads = try (0..<3).map { _ in try shapes.map { try Tensor.randn($0) * 4 } }
        func run(_ foreach: Bool) throws -> [[Float]] {
            let params = try start.map { try $0.clone() }
            let sgd = SGD(params.enumerated().map { ("p\($0.offset)", $0.element) }, learningRate: 0.05, momentum: 0.9,
                          weightDecay: 1e-3, foreach: foreach)
            for g in grads {
                for (p, gi) in zip(params, g) { try p.setGrad(try gi.clone()) }
                try clipGradNorm(params, maxNorm: 1, foreach: foreach)
                try sgd.step()
            }
            return try params.map { try $0.floats() }
        }
        XCTAssertEqual(try run(true), try run(false))
    }

    // MARK: Adam

    func testAdamBiasCorrection() throws {
        // With a constant gradient the bias-corrected moments are exactly g and g^2, so every step
        // moves by lr (up to eps): 0.9, 0.8, 0.7. Without correction the first step would be
        // 0.1 * 0.05 / sqrt(0.00025) = 0.316.
        let p = try Tensor([1.0], shape: [1])
        let path = try trajectory(Adam([("p", p)], learningRate: 0.1), p, grad: [0.5], steps: 3)
        assertClose(path.map { $0[0] }, [0.9, 0.8, 0.7], tolerance: 1e-7, "bias-corrected Adam")
    }

    func testAdamAgainstReferenceWithWeightDecayAndVaryingGradients() throws {
        let grads: [[Double]] = [[0.5, -1.0], [0.1, 2.0], [-0.3, 0.4]]
        let p = try Tensor([1.0, -2.0], shape: [2])
        let (lr, b1, b2, eps, wd) = (0.01, 0.5, 0.999, 1e-8, 1e-3)  // DARTS' architecture optimizer
        let adam = Adam([("alphas", p)], learningRate: lr, betas: (b1, b2), eps: eps, weightDecay: wd)
        var ref = [1.0, -2.0], m = [0.0, 0.0], v = [0.0, 0.0]
        for (t, grad) in grads.enumerated() {
            try p.setGrad(Tensor(grad, shape: [2]))
            try adam.step()
            for i in 0..<2 {
                let g = grad[i] + wd * ref[i]
                m[i] = b1 * m[i] + (1 - b1) * g
                v[i] = b2 * v[i] + (1 - b2) * g * g
                let mHat = m[i] / (1 - Foundation.pow(b1, Double(t + 1))), vHat = v[i] / (1 - Foundation.pow(b2, Double(t + 1)))
                ref[i] -= lr * mHat / (vHat.squareRoot() + eps)
            }
            assertClose(try p.doubles(), ref, tolerance: 1e-12, "step \(t + 1)")
        }
        XCTAssertEqual(adam.steps["alphas"], 3)
    }

    func testAdamStateHasTheParameterDtype() throws {
        let p = try Tensor([1.0, 2.0], shape: [2])
        let adam = Adam([("p", p)], learningRate: 0.1)
        try p.setGrad(Tensor([1.0, 1.0], shape: [2]))
        try adam.step()
        for (name, t) in try adam.stateDict() where !name.hasSuffix(".step") {
            XCTAssertEqual(t.dtype, .float64, "\(name) follows the float64 parameter")
        }
    }

    // MARK: groups, clipping

    func testParameterGroupsKeepTheirOwnRates() throws {
        let weight = try Tensor([1.0], shape: [1]), alpha = try Tensor([1.0], shape: [1])
        let sgd = SGD([ParameterGroup([("w", weight)], learningRate: 0.1),
                       ParameterGroup([("alpha", alpha)], learningRate: 0.01, weightDecay: 1)])
        try weight.setGrad(Tensor([1.0], shape: [1]))
        try alpha.setGrad(Tensor([1.0], shape: [1]))
        try sgd.step()
        XCTAssertEqual(try weight.doubles()[0], 0.9, accuracy: 1e-12)
        XCTAssertEqual(try alpha.doubles()[0], 0.98, accuracy: 1e-12)
        XCTAssertEqual(sgd.learningRate, 0.1)
        sgd.setLearningRate(0.5)
        XCTAssertEqual(sgd.groups.map(\.learningRate), [0.5, 0.5])
        XCTAssertEqual(sgd.allParameters.count, 2)
        sgd.zeroGrad()
        XCTAssertNil(weight.grad)
        XCTAssertNil(alpha.grad)
    }

    func testClipGradNorm() throws {
        let a = try Tensor([0.0, 0.0], shape: [2]), b = try Tensor([0.0], shape: [1]), c = try Tensor([0.0], shape: [1])
        try a.setGrad(Tensor([3.0, 0.0], shape: [2]))
        try b.setGrad(Tensor([4.0], shape: [1]))
        XCTAssertEqual(try clipGradNorm([a, b, c], maxNorm: 1), 5, accuracy: 1e-12, "returns the norm before clipping")
        assertClose(try a.grad!.doubles() + b.grad!.doubles(), [0.6, 0, 0.8], tolerance: 1e-6, "rescaled to norm 1")
        XCTAssertEqual(try clipGradNorm([a, b], maxNorm: 5), 1, accuracy: 1e-6)
        assertClose(try a.grad!.doubles(), [0.6, 0], tolerance: 1e-6, "below the limit nothing changes")
    }

    // MARK: state save/restore

    /// Trains a small model 2 steps, checkpoints model + optimizer to a safetensors file, then
    /// checks that 3 more steps from the checkpoint equal 3 more steps of the original run.
    private func checkResume(_ name: String, _ makeOptimizer: ([(String, Tensor)]) -> Optimizer) throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let x = try randomDoubles([4, 3], seed: 41).to(.float32), target = try Tensor([0, 1, 1, 0] as [Int64], shape: [4])

        func train(_ model: Linear, _ optimizer: Optimizer, steps: Int) throws -> [[Float]] {
            try (0..<steps).map { _ in
                optimizer.zeroGrad()
                try crossEntropy(try model(x), target).backward()
                try optimizer.step()
                return try model.weight.floats() + XCTUnwrap(model.bias).floats()
            }
        }

        Torch.manualSeed(7)
        let model = try Linear(3, 2)
        let optimizer = makeOptimizer(model.namedParameters())
        _ = try train(model, optimizer, steps: 2)
        let url = folder.appendingPathComponent("state.safetensors")
        try Safetensors.save(model.stateDict() + optimizer.stateDict().map { ("optimizer.\($0.0)", $0.1) }, to: url)
        let expected = try train(model, optimizer, steps: 3)

        Torch.manualSeed(99)
        let resumed = try Linear(3, 2)
        let resumedOptimizer = makeOptimizer(resumed.namedParameters())
        let saved = try Safetensors.load(from: url).tensors
        try resumed.load(stateDict: saved.filter { !$0.key.hasPrefix("optimizer.") })
        let optimizerState = Dictionary(uniqueKeysWithValues: saved.compactMap { key, value in
            key.hasPrefix("optimizer.") ? (String(key.dropFirst("optimizer.".count)), value) : nil
        })
        try resumedOptimizer.load(stateDict: optimizerState)
        XCTAssertEqual(try train(resumed, resumedOptimizer, steps: 3), expected, "\(name): resumed updates are identical")

        // Without the optimizer state the continuation differs, so the check above means something.
        let fresh = try Linear(3, 2)
        try fresh.load(stateDict: saved.filter { !$0.key.hasPrefix("optimizer.") })
        XCTAssertNotEqual(try train(fresh, makeOptimizer(fresh.namedParameters()), steps: 3), expected,
                          "\(name): the optimizer state matters")
    }

    func testSGDStateRoundTrip() throws {
        try checkResume("SGD") { SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3, nesterov: true) }
    }

    func testAdamStateRoundTrip() throws {
        try checkResume("Adam") { Adam($0, learningRate: 0.05, betas: (0.5, 0.999), weightDecay: 1e-3) }
    }

    func testOptimizerStateRejectsMisShapedSlots() throws {
        let p = try Tensor([1.0, 2.0], shape: [2])
        let sgd = SGD([("layer.weight", p)], learningRate: 0.1, momentum: 0.9)
        assertThrowsTorchError("SGD buffer shape", containing: ["layer.weight.momentum_buffer", "[3]", "[2]"]) {
            try sgd.load(stateDict: ["layer.weight.momentum_buffer": Tensor.zeros([3])])
        }
        let adam = Adam([("layer.weight", p)], learningRate: 0.1)
        assertThrowsTorchError("Adam incomplete", containing: ["layer.weight"]) {
            try adam.load(stateDict: ["layer.weight.step": Tensor([Int64(2)], shape: []),
                                      "layer.weight.exp_avg": Tensor.zeros([2])])
        }
    }
}
