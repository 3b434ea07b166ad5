import XCTest
import Torch

/// requiresGrad, backward, .grad, the no-grad scope and `gradients(of:withRespectTo:)`, including
/// the second-order gradient DARTS' unrolled architecture step needs.
final class AutogradTests: XCTestCase {
    func testBackwardFillsGradAndAccumulates() throws {
        let x = try Tensor([1, -2, 3] as [Float]).requiringGrad()
        XCTAssertTrue(x.requiresGrad)
        XCTAssertTrue(x.isLeaf)
        XCTAssertNil(x.grad, "no gradient before backward")
        try (try x * x).sum().backward()
        XCTAssertEqual(try x.grad?.floats(), [2, -4, 6])
        try (try x * 3).sum().backward()
        XCTAssertEqual(try x.grad?.floats(), [5, -1, 9], "a second backward accumulates")
        x.zeroGrad()
        XCTAssertNil(x.grad)
        let y = try x * 2
        XCTAssertFalse(y.isLeaf)
        XCTAssertTrue(y.requiresGrad)
    }

    func testBackwardWithGradientAndRetainedGraph() throws {
        let x = try Tensor([1, 2] as [Float]).requiringGrad()
        let y = try x * x * x
        try y.backward(gradient: try Tensor([1, 10] as [Float]), retainGraph: true)
        XCTAssertEqual(try x.grad?.floats(), [3, 120])
        try y.backward(gradient: try Tensor([1, 0] as [Float]))
        XCTAssertEqual(try x.grad?.floats(), [6, 120], "the retained graph ran a second time")
    }

    func testGradSetter() throws {
        let p = try Tensor.zeros([2]).requiringGrad()
        try p.setGrad(Tensor([0.5, 1.5] as [Float]))
        XCTAssertEqual(try p.grad?.floats(), [0.5, 1.5])
        try p.setGrad(nil)
        XCTAssertNil(p.grad)
    }

    func testNoGradDisablesRecordingAndRestores() throws {
        let x = try Tensor([1, 2] as [Float]).requiringGrad()
        XCTAssertTrue(isGradEnabled)
        let y = try withNoGrad { () -> Tensor in
            XCTAssertFalse(isGradEnabled)
            let inner = try withGrad { () -> Tensor in
                XCTAssertTrue(isGradEnabled)
                return try x * 2
            }
            XCTAssertTrue(inner.requiresGrad, "withGrad records inside a no-grad scope")
            XCTAssertFalse(isGradEnabled, "the outer no-grad scope is back")
            let nested = try withNoGrad { try x * 2 }
            XCTAssertFalse(isGradEnabled, "a nested no-grad scope restores the previous setting, not 'on'")
            XCTAssertTrue(try withGrad { try x * 2 }.requiresGrad)
            return nested
        }
        XCTAssertFalse(y.requiresGrad, "an op under withNoGrad is not recorded")
        XCTAssertTrue(isGradEnabled, "grad mode is restored on exit")
        XCTAssertTrue((try x * 2).requiresGrad)

        struct Boom: Error {}
        XCTAssertThrowsError(try withNoGrad { throw Boom() })
        XCTAssertTrue(isGradEnabled, "grad mode is restored when the body throws")
        XCTAssertFalse(try x.detached().requiresGrad)
    }

    func testGradientsLeaveGradUntouchedAndReportUnused() throws {
        let a = try Tensor([2, 3] as [Float]).requiringGrad(), b = try Tensor([5] as [Float]).requiringGrad()
        let out = try (try a * a).sum()
        let g = try gradients(of: [out], withRespectTo: [a, b], allowUnused: true)
        XCTAssertEqual(try g[0]?.floats(), [4, 6])
        XCTAssertNil(g[1], "b does not influence the output")
        XCTAssertNil(a.grad, "autograd.grad does not accumulate into .grad")

        let y = try a * Tensor([1, -1] as [Float])
        let weighted = try gradients(of: [y], withRespectTo: [a], gradOutputs: [try Tensor([3, 7] as [Float])])
        XCTAssertEqual(try weighted[0]?.floats(), [3, -7])
        XCTAssertFalse(weighted[0]!.requiresGrad, "without createGraph the result is a constant")
        // One grad output per output: too few would be read past their end by the shim.
        XCTAssertThrowsError(try gradients(of: [y, out], withRespectTo: [a], gradOutputs: [try Tensor([3, 7] as [Float])])) {
            XCTAssertTrue("\($0)".contains("1 grad outputs for 2 outputs"), "\($0)")
        }
    }

    /// A DARTS-like mixed operation: softmax(alpha) weighs a convolution, a pooling and a dilated
    /// convolution; the loss is cross-entropy of a linear classifier.
    private struct MixedProblem {
        let x: Tensor, classifier: Tensor, target: Tensor

        init() throws {
            x = try randomDoubles([2, 2, 4, 4], seed: 31)
            classifier = try randomDoubles([3, 2], seed: 32)
            target = try Tensor([2, 0] as [Int64], shape: [2])
        }

        func loss(_ w: Tensor, _ alpha: Tensor) throws -> Tensor {
            let s = try alpha.softmax(dim: 0)
            let mixed = try conv2d(x, weight: w, padding: 1) * s[0] + maxPool2d(x, kernelSize: 3, stride: 1, padding: 1) * s[1]
                + conv2d(x, weight: w, padding: 2, dilation: 2).tanh() * s[2]
            return try crossEntropy(try linear(try mixed.mean(dims: [2, 3]), weight: classifier), target)
        }
        /// dL/dw without a graph, for the finite differences.
        func weightGradient(_ w: Tensor, _ alpha: Tensor) throws -> [Double] {
            let leaf = try w.detached().clone().requiringGrad()
            return try gradients(of: loss(leaf, alpha), withRespectTo: [leaf])[0].doubles()
        }
    }

    func testSecondOrderGradientMatchesFiniteDifferencesOfFirstOrder() throws {
        let problem = try MixedProblem()
        let w = try randomDoubles([2, 2, 3, 3], seed: 33).requiringGrad()
        let alpha = try Tensor([0.2, -0.4, 0.3], shape: [3]).requiringGrad()
        let v = try randomDoubles([2, 2, 3, 3], seed: 34)

        let gw = try gradients(of: problem.loss(w, alpha), withRespectTo: [w], createGraph: true)[0]
        XCTAssertTrue(gw.requiresGrad, "createGraph makes the gradient differentiable")
        let second = try gradients(of: try (try gw * v).sum(), withRespectTo: [alpha, w])
        let mixed = try second[0].doubles(), hessianTimesV = try second[1].doubles()

        let h = 1e-5, vs = try v.doubles()
        // d/d(alpha_i) of <dL/dw, v>: differences of the first-order gradient along alpha.
        let base = try alpha.doubles()
        var numericMixed: [Double] = []
        for i in base.indices {
            var up = base, down = base
            up[i] += h
            down[i] -= h
            let gUp = try problem.weightGradient(w, try Tensor(up, shape: [3])), gDown = try problem.weightGradient(w, try Tensor(down, shape: [3]))
            numericMixed.append(zip(zip(gUp, gDown), vs).map { ($0.0 - $0.1) * $1 }.reduce(0, +) / (2 * h))
        }
        assertClose(mixed, numericMixed, tolerance: 1e-7, "d/d(alpha) <dL/dw, v>")
        XCTAssertGreaterThan(numericMixed.map(Swift.abs).max()!, 1e-3, "the mixed derivative is not trivially zero")

        // Hessian-vector product in w: (g(w + h v) - g(w - h v)) / 2h.
        let wUp = try withNoGrad { try w + v * h }, wDown = try withNoGrad { try w - v * h }
        let gUp = try problem.weightGradient(wUp, alpha), gDown = try problem.weightGradient(wDown, alpha)
        let numericHv = zip(gUp, gDown).map { ($0 - $1) / (2 * h) }
        assertClose(hessianTimesV, numericHv, tolerance: 1e-7, "H_ww v")
        XCTAssertGreaterThan(numericHv.map(Swift.abs).max()!, 1e-3)
    }

    func testFirstOrderArchitectureGradientMatchesFiniteDifferences() throws {
        let problem = try MixedProblem()
        let w = try randomDoubles([2, 2, 3, 3], seed: 35)
        try checkGradients([w, try Tensor([0.1, 0.5, -0.3], shape: [3])], "dL/dw and dL/dalpha of a mixed op") { t in
            try problem.loss(t[0], t[1])
        }
    }
}
