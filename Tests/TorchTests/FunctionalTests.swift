import Foundation
import XCTest
import Torch

/// Forward values of the functional ops against naive loops written here. Gradient checks alone
/// would not notice a shim that passes stride and padding in the wrong order: the forward and
/// backward would agree with each other and both be wrong.
final class FunctionalTests: XCTestCase {
    /// Direct convolution, NCHW, zero padding.
    func naiveConv2d(_ x: [Double], _ xs: [Int], _ w: [Double], _ ws: [Int], bias: [Double]?, stride: (Int, Int),
                     padding: (Int, Int), dilation: (Int, Int), groups: Int) -> ([Double], [Int]) {
        let (n, c, h, wd) = (xs[0], xs[1], xs[2], xs[3])
        let (o, cg, kh, kw) = (ws[0], ws[1], ws[2], ws[3])
        let oh = (h + 2 * padding.0 - dilation.0 * (kh - 1) - 1) / stride.0 + 1
        let ow = (wd + 2 * padding.1 - dilation.1 * (kw - 1) - 1) / stride.1 + 1
        let perGroupOut = o / groups
        precondition(c == cg * groups)
        var out = [Double](repeating: 0, count: n * o * oh * ow)
        for b in 0..<n { for oc in 0..<o { for i in 0..<oh { for j in 0..<ow {
            var s = bias?[oc] ?? 0
            let g = oc / perGroupOut
            for ic in 0..<cg { for p in 0..<kh { for q in 0..<kw {
                let y = i * stride.0 - padding.0 + p * dilation.0, xx = j * stride.1 - padding.1 + q * dilation.1
                guard y >= 0, y < h, xx >= 0, xx < wd else { continue }
                s += x[((b * c + g * cg + ic) * h + y) * wd + xx] * w[((oc * cg + ic) * kh + p) * kw + q]
            } } }
            out[((b * o + oc) * oh + i) * ow + j] = s
        } } } }
        return (out, [n, o, oh, ow])
    }

    /// Square-window pooling with `reduce` over the in-bounds elements (padding never counts).
    func naivePool(_ x: [Double], _ xs: [Int], kernel k: Int, stride s: Int, padding p: Int,
                   _ reduce: ([Double]) -> Double) -> ([Double], [Int]) {
        let (n, c, h, w) = (xs[0], xs[1], xs[2], xs[3])
        let oh = (h + 2 * p - k) / s + 1, ow = (w + 2 * p - k) / s + 1
        var out: [Double] = []
        for plane in 0..<(n * c) { for i in 0..<oh { for j in 0..<ow {
            var window: [Double] = []
            for a in 0..<k { for b in 0..<k {
                let y = i * s - p + a, xx = j * s - p + b
                if y >= 0, y < h, xx >= 0, xx < w { window.append(x[(plane * h + y) * w + xx]) }
            } }
            out.append(reduce(window))
        } } }
        return (out, [n, c, oh, ow])
    }

    func testConv2dMatchesDirectLoops() throws {
        let cases: [(xs: [Int], ws: [Int], stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), groups: Int, bias: Bool)] = [
            ([2, 3, 5, 5], [4, 3, 3, 3], (1, 1), (1, 1), (1, 1), 1, true),
            ([1, 4, 6, 7], [6, 2, 3, 3], (1, 1), (2, 2), (2, 2), 2, false),
            ([1, 2, 7, 6], [3, 2, 3, 2], (2, 1), (1, 0), (1, 2), 1, true),
            ([2, 4, 7, 7], [4, 1, 3, 3], (2, 2), (2, 2), (2, 2), 4, false),
            ([1, 2, 5, 8], [2, 2, 1, 3], (1, 3), (0, 1), (1, 1), 1, true),
        ]
        for (k, c) in cases.enumerated() {
            let x = try randomDoubles(c.xs, seed: UInt64(100 + k)), w = try randomDoubles(c.ws, seed: UInt64(200 + k))
            let b = try c.bias ? randomDoubles([c.ws[0]], seed: UInt64(300 + k)) : nil
            let y = try conv2d(x, weight: w, bias: b, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
            let (expected, shape) = naiveConv2d(try x.doubles(), c.xs, try w.doubles(), c.ws, bias: try b?.doubles(), stride: c.stride,
                                                padding: c.padding, dilation: c.dilation, groups: c.groups)
            XCTAssertEqual(y.shape, shape, "case \(k)")
            assertClose(try y.doubles(), expected, tolerance: 1e-10, "conv2d case \(k)")
        }
    }

    func testConv2dSquareConvenienceForwardsAllArguments() throws {
        let x = try randomDoubles([1, 4, 9, 9], seed: 7), w = try randomDoubles([4, 2, 3, 3], seed: 8)
        let y = try conv2d(x, weight: w, stride: 2, padding: 3, dilation: 3, groups: 2)
        let (expected, shape) = naiveConv2d(try x.doubles(), [1, 4, 9, 9], try w.doubles(), [4, 2, 3, 3], bias: nil,
                                            stride: (2, 2), padding: (3, 3), dilation: (3, 3), groups: 2)
        XCTAssertEqual(y.shape, shape)
        assertClose(try y.doubles(), expected, tolerance: 1e-10, "conv2d(stride:padding:dilation:groups:) with Ints")
    }

    func testMaxPoolIgnoresPadding() throws {
        // All-negative input: if padding counted as zero, border maxima would be 0.
        let x = try randomDoubles([1, 2, 5, 5], seed: 9).abs() * -1.0 - 0.5
        for (k, s, p) in [(3, 1, 1), (3, 2, 1), (2, 2, 0)] {
            let y = try maxPool2d(x, kernelSize: k, stride: s, padding: p)
            let (expected, shape) = naivePool(try x.doubles(), [1, 2, 5, 5], kernel: k, stride: s, padding: p) { $0.max()! }
            XCTAssertEqual(y.shape, shape)
            assertClose(try y.doubles(), expected, tolerance: 0, "max_pool2d k\(k) s\(s) p\(p)")
        }
        XCTAssertEqual(try maxPool2d(x, kernelSize: 2).shape, [1, 2, 2, 2], "stride defaults to the kernel size")
        XCTAssertEqual(try maxPool2d(x, kernelSize: 2, ceilMode: true).shape, [1, 2, 3, 3], "ceil mode keeps the last window")
    }

    func testAvgPoolCountIncludePad() throws {
        let x = try randomDoubles([2, 1, 4, 5], seed: 10)
        let excluded = try avgPool2d(x, kernelSize: 3, stride: 1, padding: 1, countIncludePad: false)
        let (expected, shape) = naivePool(try x.doubles(), [2, 1, 4, 5], kernel: 3, stride: 1, padding: 1) {
            $0.reduce(0, +) / Double($0.count)
        }
        XCTAssertEqual(excluded.shape, shape)
        assertClose(try excluded.doubles(), expected, tolerance: 1e-12, "avg_pool2d count_include_pad false")
        XCTAssertEqual(try avgPool2d(x, kernelSize: 3, stride: 1, padding: 1).doubles(), try excluded.doubles(),
                       "countIncludePad defaults to false (DARTS)")

        let included = try avgPool2d(x, kernelSize: 3, stride: 1, padding: 1, countIncludePad: true)
        let (sums, _) = naivePool(try x.doubles(), [2, 1, 4, 5], kernel: 3, stride: 1, padding: 1) { $0.reduce(0, +) }
        assertClose(try included.doubles(), sums.map { $0 / 9 }, tolerance: 1e-12, "avg_pool2d count_include_pad true")
    }

    func testAdaptiveAvgPool() throws {
        let x = try Tensor((0..<32).map(Double.init), shape: [2, 1, 4, 4])
        XCTAssertEqual(try adaptiveAvgPool2d(x, outputSize: (1, 1)).doubles(), [7.5, 23.5])
        XCTAssertEqual(try adaptiveAvgPool2d(x, outputSize: (2, 2)).doubles(), [2.5, 4.5, 10.5, 12.5, 18.5, 20.5, 26.5, 28.5])
    }

    func testBatchNormTrainingUsesBatchStatisticsAndUpdatesRunningStatistics() throws {
        let xs = [3, 2, 2, 2]
        let x = try randomDoubles(xs, seed: 11) * 2.0 + 1.0
        let weight = try Tensor([1.5, -0.5], shape: [2]), bias = try Tensor([0.25, 2.0], shape: [2])
        let runningMean = try Tensor([0.5, -1.0], shape: [2]), runningVar = try Tensor([2.0, 0.5], shape: [2])
        let eps = 1e-5, momentum = 0.2
        let y = try batchNorm(x, weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                          training: true, momentum: momentum, eps: eps)

        let v = try x.doubles()
        var expected = [Double](repeating: 0, count: v.count)
        var expectedMean = [0.5, -1.0], expectedVar = [2.0, 0.5]
        for c in 0..<2 {
            var values: [Double] = [], indices: [Int] = []
            for n in 0..<3 { for i in 0..<4 { indices.append((n * 2 + c) * 4 + i); values.append(v[(n * 2 + c) * 4 + i]) } }
            let mean = values.reduce(0, +) / 12
            let biased = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 12
            for i in indices {
                expected[i] = (v[i] - mean) / (biased + eps).squareRoot() * [1.5, -0.5][c] + [0.25, 2.0][c]
            }
            expectedMean[c] = (1 - momentum) * expectedMean[c] + momentum * mean
            expectedVar[c] = (1 - momentum) * expectedVar[c] + momentum * biased * 12 / 11  // unbiased
        }
        assertClose(try y.doubles(), expected, tolerance: 1e-10, "normalised output")
        assertClose(try runningMean.doubles(), expectedMean, tolerance: 1e-12, "running mean")
        assertClose(try runningVar.doubles(), expectedVar, tolerance: 1e-12, "running variance (unbiased)")

        let plain = try batchNorm(x, weight: nil, bias: nil, runningMean: nil, runningVar: nil, training: true, eps: eps)
        assertClose(try plain.doubles(), zip(expected, (0..<v.count).map { ($0 / 4) % 2 }).map { e, c in
            (e - [0.25, 2.0][c]) / [1.5, -0.5][c]
        }, tolerance: 1e-9, "without affine")
    }

    func testBatchNormInferenceUsesRunningStatistics() throws {
        let x = try randomDoubles([2, 2, 1, 3], seed: 12)
        let runningMean = try Tensor([0.5, -1.0], shape: [2]), runningVar = try Tensor([4.0, 0.25], shape: [2])
        let y = try batchNorm(x, weight: nil, bias: nil, runningMean: runningMean, runningVar: runningVar, training: false,
                          eps: 0)
        let v = try x.doubles()
        let expected = v.indices.map { i -> Double in
            let c = (i / 3) % 2
            return (v[i] - [0.5, -1.0][c]) / [2.0, 0.5][c]
        }
        assertClose(try y.doubles(), expected, tolerance: 1e-12, "inference")
        XCTAssertEqual(try runningMean.doubles(), [0.5, -1.0], "inference must not move the running mean")
        XCTAssertEqual(try runningVar.doubles(), [4.0, 0.25])
    }

    func testSoftmaxAndLogSoftmax() throws {
        let x = try Tensor([1.0, 2.0, 3.0, -1.0, 0.0, 4.0], shape: [2, 3])
        let rows = [[1.0, 2.0, 3.0], [-1.0, 0.0, 4.0]]
        let expected = rows.flatMap { r -> [Double] in
            let z = r.map(Foundation.exp).reduce(0, +)
            return r.map { Foundation.exp($0) / z }
        }
        assertClose(try x.softmax(dim: 1).doubles(), expected, tolerance: 1e-12, "softmax")
        assertClose(try x.logSoftmax(dim: 1).doubles(), expected.map(Foundation.log), tolerance: 1e-12, "log_softmax")
        let columns = try x.softmax(dim: 0).doubles()
        XCTAssertEqual(columns[0] + columns[3], 1, accuracy: 1e-12)
        XCTAssertEqual(columns[0], Foundation.exp(1) / (Foundation.exp(1) + Foundation.exp(-1)), accuracy: 1e-12)
    }

    func testCrossEntropyWithAndWithoutLabelSmoothing() throws {
        let logits = try Tensor([2.0, 0.5, -1.0, 0.0, 1.0, 3.0], shape: [2, 3]), target = try Tensor([0, 1] as [Int64], shape: [2])
        let logProbs = [[2.0, 0.5, -1.0], [0.0, 1.0, 3.0]].map { r -> [Double] in
            let lse = Foundation.log(r.map(Foundation.exp).reduce(0, +))
            return r.map { $0 - lse }
        }
        let nll = (-logProbs[0][0] - logProbs[1][1]) / 2
        XCTAssertEqual(try crossEntropy(logits, target).item(), nll, accuracy: 1e-12)
        // PyTorch: (1 - eps) * nll + eps * mean over classes of -log p.
        let eps = 0.1
        let uniform = logProbs.map { -$0.reduce(0, +) / 3 }.reduce(0, +) / 2
        XCTAssertEqual(try crossEntropy(logits, target, labelSmoothing: eps).item(), (1 - eps) * nll + eps * uniform,
                       accuracy: 1e-12)
    }

    func testLinear() throws {
        let x = try Tensor([1.0, 2.0, 3.0, 4.0, 5.0, 6.0], shape: [2, 3])
        let w = try Tensor([1.0, 0.0, -1.0, 0.5, 0.5, 0.5], shape: [2, 3]), b = try Tensor([10.0, 20.0], shape: [2])
        XCTAssertEqual(try linear(x, weight: w, bias: b).doubles(), [8.0, 23.0, 8.0, 27.5])
        XCTAssertEqual(try linear(x, weight: w).doubles(), [-2.0, 3.0, -2.0, 7.5])
    }

    func testDropoutScalesKeptValuesAndIsIdentityInEval() throws {
        Torch.manualSeed(3)
        let x = try Tensor.ones([1000])
        let y = try dropout(x, p: 0.25, training: true).floats()
        XCTAssertTrue(y.allSatisfy { $0 == 0 || Swift.abs($0 - 1 / 0.75) < 1e-6 }, "kept values are scaled by 1/(1-p)")
        let dropped = y.filter { $0 == 0 }.count
        XCTAssertTrue((150...350).contains(dropped), "about a quarter dropped, got \(dropped)")
        XCTAssertEqual(try dropout(x, p: 0.25, training: false).floats(), try x.floats())
    }
}
