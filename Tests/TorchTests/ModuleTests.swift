import Foundation
import XCTest
import Torch

/// A DARTS-shaped tree: arrays of cells holding arrays of operations, each a Sequential.
private final class TinyOp: Module, @unchecked Sendable {
    let op: Sequential
    init(_ channels: Int) throws {
        op = Sequential(ReLU(), try Conv2d(channels, channels, kernelSize: 3, padding: 1, bias: false),
                        try BatchNorm2d(channels, affine: false))
    }
}

private final class TinyCell: Module, @unchecked Sendable {
    let ops: [TinyOp]
    init(_ channels: Int, opCount: Int) throws { ops = try (0..<opCount).map { _ in try TinyOp(channels) } }
}

private final class TinyNet: Module, @unchecked Sendable {
    let stem: Sequential
    let cells: [TinyCell]
    let head: Linear?
    let missing: Linear?
    @Parameter var alphas: Tensor
    init(classes: Int = 3) throws {
        stem = Sequential(try Conv2d(1, 2, kernelSize: 3, padding: 1, bias: false), try BatchNorm2d(2))
        cells = try (0..<4).map { _ in try TinyCell(2, opCount: 6) }
        head = try Linear(2, classes)
        missing = nil
        _alphas = Parameter(wrappedValue: try Tensor.zeros([2, 3]))
    }
}

/// Module tree naming, state loading, modes and the standard layers (nn/Module.swift, nn/Layers.swift).
final class ModuleTests: XCTestCase {
    func testParameterNamesAreDottedAndStable() throws {
        let net = try TinyNet()
        let names = net.namedParameters().map(\.0)
        XCTAssertEqual(names.first, "alphas", "own parameters come first")
        XCTAssertTrue(names.contains("stem.0.weight"), "Sequential children are named 0, 1, ... like PyTorch")
        XCTAssertTrue(names.contains("stem.1.weight"))
        XCTAssertTrue(names.contains("stem.1.bias"))
        XCTAssertTrue(names.contains("cells.3.ops.5.op.1.weight"), "arrays of modules contribute their index")
        XCTAssertTrue(names.contains("head.weight"), "an optional child holding a module is named")
        XCTAssertTrue(names.contains("head.bias"))
        XCTAssertFalse(names.contains { $0.hasPrefix("missing") })
        XCTAssertFalse(names.contains("cells.0.ops.0.op.1.bias"), "a conv without bias has no bias parameter")
        XCTAssertFalse(names.contains("cells.0.ops.0.op.2.weight"), "BatchNorm2d(affine: false) has no weight")
        XCTAssertEqual(Set(names).count, names.count, "names are unique")
        // 1 alphas + 2 stem conv/bn weight + bias... : alphas, stem.0.weight, stem.1.{weight,bias},
        // 4 cells x 6 ops x 1 conv weight, head.{weight,bias}.
        XCTAssertEqual(names.count, 1 + 1 + 2 + 24 + 2)
        XCTAssertEqual(Array(names.prefix(5)), ["alphas", "stem.0.weight", "stem.1.weight", "stem.1.bias",
                                                "cells.0.ops.0.op.1.weight"], "depth first, in declaration order")
        XCTAssertEqual(net.namedParameters().map(\.0), names, "the same tree names the same way twice")
        XCTAssertEqual(try TinyNet().namedParameters().map(\.0), names, "and so does a second instance")

        let buffers = net.namedBuffers().map(\.0)
        XCTAssertTrue(buffers.contains("cells.3.ops.5.op.2.running_mean"))
        XCTAssertTrue(buffers.contains("stem.1.running_var"))
        XCTAssertTrue(buffers.contains("stem.1.num_batches_tracked"))
        XCTAssertEqual(buffers.count, 3 * 25)
        XCTAssertEqual(net.stateDict().count, names.count + buffers.count)
        XCTAssertEqual(net.parameterCount(), 6 + 18 + 4 + 24 * 36 + 9)
        XCTAssertEqual(net.modules().count, 1 + 3 + 4 * (1 + 6 * 5) + 1)
    }

    func testParametersAreTheLiveTensors() throws {
        let linear = try Linear(2, 2)
        let named = linear.namedParameters()
        XCTAssertTrue(named.allSatisfy { $0.1.requiresGrad })
        try withNoGrad { try named[0].1.fill_(3) }
        XCTAssertEqual(try linear.weight.floats(), [3, 3, 3, 3], "namedParameters hands out the module's own tensors")
    }

    func testLoadStateDictCopiesValuesAndNamesProblems() throws {
        let source = try TinyNet(), target = try TinyNet()
        try withNoGrad { try source.stem.layers[1].namedBuffers()[0].1.fill_(0.25) }  // stem.1.running_mean
        let dict = Dictionary(uniqueKeysWithValues: try source.stateDict().map { ($0.0, try $0.1.clone()) })
        try target.load(stateDict: dict)
        for ((name, a), (_, b)) in zip(source.stateDict(), target.stateDict()) {
            XCTAssertEqual(try a.floats(), try b.floats(), name)
        }
        XCTAssertEqual(try target.namedBuffers().first { $0.0 == "stem.1.running_mean" }?.1.floats(), [0.25, 0.25])
        XCTAssertTrue(target.namedParameters().allSatisfy { $0.1.requiresGrad }, "loading keeps parameters trainable")

        var missing = dict
        missing["cells.3.ops.5.op.1.weight"] = nil
        assertThrowsTorchError("missing tensor", containing: ["cells.3.ops.5.op.1.weight", "missing"]) {
            try target.load(stateDict: missing)
        }
        XCTAssertNoThrow(try target.load(stateDict: missing, strict: false))

        var misShaped = dict
        misShaped["cells.2.ops.1.op.1.weight"] = try Tensor.zeros([2, 2, 1, 1])
        assertThrowsTorchError("wrong shape", containing: ["cells.2.ops.1.op.1.weight", "[2, 2, 1, 1]", "[2, 2, 3, 3]"]) {
            try target.load(stateDict: misShaped)
        }
        var wrongType = dict
        wrongType["head.bias"] = try Tensor.zeros([3], dtype: .float64)
        assertThrowsTorchError("wrong dtype", containing: ["head.bias", "dtype"]) { try target.load(stateDict: wrongType) }
        var extra = dict
        extra["cells.9.ops.0.op.1.weight"] = try Tensor.zeros([1])
        assertThrowsTorchError("unexpected tensor", containing: ["cells.9.ops.0.op.1.weight"]) {
            try target.load(stateDict: extra)
        }

        // A failed load changes nothing.
        let before = try target.head!.weight.floats()
        var bad = dict
        bad["head.weight"] = try Tensor.ones([3, 2])
        bad["head.bias"] = try Tensor.zeros([4])
        XCTAssertThrowsError(try target.load(stateDict: bad))
        XCTAssertEqual(try target.head!.weight.floats(), before)
    }

    func testTrainEvalReachesEveryModule() throws {
        let net = try TinyNet()
        XCTAssertTrue(net.modules().allSatisfy(\.isTraining))
        net.eval()
        XCTAssertTrue(net.modules().allSatisfy { !$0.isTraining })
        net.train()
        XCTAssertTrue(net.modules().allSatisfy(\.isTraining))
    }

    func testZeroGradClearsEveryParameter() throws {
        let net = try TinyNet()
        for p in net.parameters() { try p.setGrad(Tensor.ones(p.shape)) }
        net.zeroGrad()
        XCTAssertTrue(net.parameters().allSatisfy { $0.grad == nil })
    }

    func testDefaultInitialisationBounds() throws {
        Torch.manualSeed(0)
        // kaiming_uniform(a = sqrt(5)) gives bound 1/sqrt(fan_in); the bias uses the same bound.
        let cases: [(Conv2d, Double)] = [
            (try Conv2d(8, 16, kernelSize: 3), 1 / (8.0 * 9).squareRoot()),
            (try Conv2d(8, 16, kernelSize: 3, groups: 4), 1 / (2.0 * 9).squareRoot()),
            (try Conv2d(6, 6, kernelSize: (1, 5)), 1 / (6.0 * 5).squareRoot()),
        ]
        for (conv, bound) in cases {
            for (name, t) in conv.namedParameters() {
                let values = try t.doubles()
                XCTAssertLessThanOrEqual(values.map(Swift.abs).max()!, bound, "\(name) within the bound")
                XCTAssertGreaterThan(values.map(Swift.abs).max()!, bound * (name == "bias" ? 0.5 : 0.9),
                                     "\(name) fills the range (bound \(bound))")
                XCTAssertEqual(values.reduce(0, +) / Double(values.count), 0, accuracy: bound / 2, "\(name) is centred")
            }
        }
        XCTAssertEqual(try Conv2d(8, 16, kernelSize: 3, groups: 4).weight.shape, [16, 2, 3, 3])
        let linear = try Linear(50, 40)
        let bound = 1 / 50.0.squareRoot()
        for (name, t) in linear.namedParameters() {
            let m = try t.doubles().map(Swift.abs).max()!
            XCTAssertLessThanOrEqual(m, bound, name)
            XCTAssertGreaterThan(m, bound * 0.8, name)
        }
        let bn = try BatchNorm2d(3)
        XCTAssertEqual(try bn.weight?.floats(), [1, 1, 1])
        XCTAssertEqual(try bn.bias?.floats(), [0, 0, 0])
        XCTAssertEqual(try bn.runningMean.floats(), [0, 0, 0])
        XCTAssertEqual(try bn.runningVar.floats(), [1, 1, 1])
        XCTAssertEqual(bn.numBatchesTracked.dtype, .int64)
        XCTAssertTrue(try BatchNorm2d(3, affine: false).namedParameters().isEmpty)
        XCTAssertEqual(try BatchNorm2d(3, affine: false).namedBuffers().count, 3)
        XCTAssertEqual(try Linear(3, 2, bias: false).namedParameters().map(\.0), ["weight"])
        XCTAssertNil(try Linear(3, 2, bias: false).bias, "no bias is nil, not an empty tensor")
        XCTAssertNil(try Conv2d(3, 2, kernelSize: 1, bias: false).bias)
        XCTAssertNil(try BatchNorm2d(3, affine: false).weight)
        XCTAssertEqual(try Conv2d(3, 2, kernelSize: 1).bias?.requiresGrad, true)
    }

    func testLayersComputeTheirFunctionals() throws {
        Torch.manualSeed(1)
        let x = try Tensor.randn([2, 4, 5, 5])
        let conv = try Conv2d(4, 6, kernelSize: 3, stride: 2, padding: 1, dilation: 1, groups: 2)
        assertClose(try conv(x).floats(), try conv2d(x, weight: conv.weight, bias: conv.bias, stride: 2, padding: 1, groups: 2).floats())
        let noBias = try Conv2d(4, 4, kernelSize: (3, 1), padding: (1, 0), bias: false)
        assertClose(try noBias(x).floats(), try conv2d(x, weight: noBias.weight, stride: (1, 1), padding: (1, 0)).floats())
        XCTAssertEqual(try MaxPool2d(3, stride: 1, padding: 1)(x).floats(), try maxPool2d(x, kernelSize: 3, stride: 1, padding: 1).floats())
        XCTAssertEqual(try AvgPool2d(3, stride: 2, padding: 1)(x).floats(),
                       try avgPool2d(x, kernelSize: 3, stride: 2, padding: 1, countIncludePad: false).floats(),
                       "AvgPool2d excludes padding by default")
        XCTAssertEqual(try MaxPool2d(2)(x).shape, [2, 4, 2, 2])
        XCTAssertEqual(try Identity()(x).floats(), try x.floats())
        XCTAssertEqual(try ReLU()(x).floats(), try x.relu().floats())
        let lin = try Linear(5, 3)
        assertClose(try lin(x).floats(), try linear(x, weight: lin.weight, bias: lin.bias).floats())

        // Sequential applies in order: relu then negate is not negate then relu.
        let seq = Sequential(ReLU(), try Linear(5, 5, bias: false))
        let inner = seq.layers[1] as! Linear
        assertClose(try seq(x).floats(), try linear(try x.relu(), weight: inner.weight).floats())

        let drop = Dropout(0.5)
        drop.eval()
        XCTAssertEqual(try drop(x).floats(), try x.floats())
        drop.train()
        XCTAssertTrue(try drop(x).floats().contains(0))
    }

    func testBatchNorm2dTracksStatisticsOnlyInTraining() throws {
        let bn = try BatchNorm2d(2, momentum: 0.5)
        let x = try Tensor([1, 3, 10, 30, 5, 7, 20, 40] as [Float], shape: [2, 2, 1, 2])
        _ = try bn(x)
        // Channel 0 sees 1, 3, 5, 7: mean 4, unbiased variance 20/3. Channel 1: 10, 30, 20, 40.
        assertClose(try bn.runningMean.floats(), [2, 12.5])
        assertClose(try bn.runningVar.floats(), [0.5 + 0.5 * 20 / 3, 0.5 + 0.5 * 500 / 3], tolerance: 1e-4)
        XCTAssertEqual(try bn.numBatchesTracked.int64s(), [1])
        let y = try bn(x)
        assertClose(try y.mean(dims: [0, 2, 3]).floats(), [0, 0], tolerance: 1e-5, "training normalises with batch statistics")
        XCTAssertEqual(try bn.numBatchesTracked.int64s(), [2])
        bn.eval()
        let mean = try bn.runningMean.floats()
        let z = try bn(x)
        XCTAssertEqual(try bn.runningMean.floats(), mean, "eval leaves the statistics alone")
        XCTAssertEqual(try bn.numBatchesTracked.int64s(), [2])
        let rv = try bn.runningVar.floats()
        assertClose(try z.floats()[0], (1 - mean[0]) / (rv[0] + 1e-5).squareRoot(), "eval uses the running statistics")
        try bn.resetRunningStats()
        XCTAssertEqual(try bn.runningMean.floats(), [0, 0])
        XCTAssertEqual(try bn.runningVar.floats(), [1, 1])
        XCTAssertEqual(try bn.numBatchesTracked.int64s(), [0])
    }
}

private func assertClose(_ a: Float, _ b: Float, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a, b, accuracy: 1e-4, what, file: file, line: line)
}
