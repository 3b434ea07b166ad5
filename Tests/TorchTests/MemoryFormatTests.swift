import Foundation
import XCTest
import Torch

/// A convolution, batch norm and classifier: 4-D weights, 1-D parameters and buffers.
private final class TinyConvNet: Module, @unchecked Sendable {
    let conv: Conv2d
    let bn: BatchNorm2d
    let pointwise: Conv2d
    let head: Linear
    init(channels: Int = 4) throws {
        conv = try Conv2d(1, channels, kernelSize: 3, padding: 1, bias: true)
        bn = try BatchNorm2d(channels)
        pointwise = try Conv2d(channels, channels, kernelSize: 1, bias: false)
        head = try Linear(channels, 3)
    }
    func callAsFunction(_ x: Tensor) throws -> Tensor {
        let y = try pointwise(try bn(try conv(x)).relu())
        return try head(try adaptiveAvgPool2d(y, outputSize: (1, 1)).flatten())
    }
}

/// NCHW against channels-last (MemoryFormat.swift): the same numbers in another layout, kept
/// through the operations a cell uses, modules converted in place, files unchanged.
final class MemoryFormatTests: XCTestCase {
    /// A strided 1x1 convolution of a channels-last tensor with few channels, whose oneDNN
    /// backward writes past its buffer on AVX2 CPUs (docs/libtorch-binding.md#strided-pointwise-convolutions),
    /// runs as a stride-1 one on the subsampled input: no heap corruption (without the detour this
    /// loop aborts the test process on such a CPU), and the numbers NCHW gives, odd sizes included.
    func testStridedPointwiseConvolutionsOfFewChannelsLast() throws {
        for (cIn, cOut, side) in [(1, 1, 8), (2, 1, 7), (2, 4, 8), (3, 2, 14), (4, 2, 9), (8, 4, 8), (12, 6, 8)] {
            Torch.manualSeed(UInt64(cIn * 100 + side))
            let weight = try Tensor.randn([cOut, cIn, 1, 1]), input = try Tensor.randn([4, cIn, side, side])
            func run(_ format: MemoryFormat) throws -> (output: [Float], input: [Float], weight: [Float]) {
                let w = try weight.to(memoryFormat: format).requiringGrad(true)
                let x = try input.to(memoryFormat: format).requiringGrad(true)
                for _ in 0..<10 {  // repeated: one stray write does not always hit a live heap block
                    let y = try conv2d(x, weight: w, stride: 2)
                    XCTAssertEqual(try gradients(of: try (y * y).sum(), withRespectTo: [x, w]).count, 2)
                }
                let y = try conv2d(x, weight: w, stride: 2)
                let g = try gradients(of: try (y * y).sum(), withRespectTo: [x, w])
                return (try y.floats(), try g[0].floats(), try g[1].floats())
            }
            let nchw = try run(.contiguous), nhwc = try run(.channelsLast)
            XCTAssertEqual(nhwc.output.count, 4 * cOut * ((side + 1) / 2) * ((side + 1) / 2))
            for (a, b) in zip(nhwc.output + nhwc.input + nhwc.weight, nchw.output + nchw.input + nchw.weight) {
                XCTAssertEqual(a, b, accuracy: 1e-4, "\(cIn) -> \(cOut) channels at \(side)")
            }
        }
    }

    func testContiguousAndRestriding() throws {
        Torch.manualSeed(1)
        let x = try Tensor.randn([2, 3, 4, 5])
        XCTAssertEqual(x.memoryFormat, .contiguous)
        XCTAssertTrue(x.isContiguous())
        XCTAssertEqual(try x.contiguous().dataAddress, x.dataAddress, "already dense: the tensor itself")
        let nhwc = try x.contiguous(.channelsLast)
        XCTAssertTrue(nhwc.isContiguous(.channelsLast))
        XCTAssertFalse(nhwc.isContiguous())
        XCTAssertEqual(nhwc.memoryFormat, .channelsLast)
        XCTAssertEqual(nhwc.shape, [2, 3, 4, 5], "shapes stay NCHW")
        XCTAssertEqual(try nhwc.floats(), try x.floats(), "values read back in NCHW order")
        XCTAssertEqual(try nhwc.rawBytes(), try x.rawBytes())
        XCTAssertEqual(try nhwc.contiguous().memoryFormat, .contiguous)
        XCTAssertEqual(try nhwc.contiguous().floats(), try x.floats())
        XCTAssertEqual(try x.to(memoryFormat: .channelsLast).memoryFormat, .channelsLast)
        XCTAssertEqual(try nhwc.to(memoryFormat: .channelsLast).dataAddress, nhwc.dataAddress, "already there: itself")

        // One channel is dense in both layouts: contiguous(_:) keeps the NCHW strides, which make
        // a convolution's output NCHW; to(memoryFormat:) restrides it.
        let gray = try Tensor.randn([2, 1, 4, 4])
        XCTAssertTrue(gray.isContiguous(.channelsLast))
        XCTAssertEqual(try gray.contiguous(.channelsLast).memoryFormat, .contiguous)
        let restrided = try gray.to(memoryFormat: .channelsLast)
        XCTAssertEqual(restrided.memoryFormat, .channelsLast)
        XCTAssertEqual(try restrided.floats(), try gray.floats())
        let y = try conv2d(restrided, weight: try Tensor.randn([4, 1, 3, 3]), padding: 1)
        XCTAssertEqual(y.memoryFormat, .channelsLast, "a restrided one-channel image makes the first convolution channels-last")

        assertThrowsTorchError("channels-last needs 4 dimensions", containing: ["channels-last"]) {
            try Tensor.randn([3, 4]).to(memoryFormat: .channelsLast)
        }
        assertThrowsTorchError("channels-last needs 4 dimensions", containing: ["channels-last"]) {
            try Tensor.randn([3, 4]).contiguous(.channelsLast)
        }
        XCTAssertEqual(MemoryFormat(rawValue: "channels-last"), .channelsLast)
        XCTAssertEqual(MemoryFormat.allCases.map(\.description), ["contiguous", "channels-last"])
    }

    /// Plain, strided, dilated depthwise and pointwise convolutions (the DARTS operations):
    /// outputs and the gradients of input, weight and bias agree with NCHW to 1e-5, and the
    /// output and gradients stay channels-last.
    func testConvolutionGivesTheSameValuesAndGradientsAsNCHW() throws {
        let cases: [(name: String, weight: [Int], stride: Int, padding: Int, dilation: Int, groups: Int)] = [
            ("conv 3x3", [6, 4, 3, 3], 1, 1, 1, 1),
            ("conv 3x3 stride 2", [6, 4, 3, 3], 2, 1, 1, 1),
            ("dilated depthwise 3x3", [4, 1, 3, 3], 1, 2, 2, 4),
            ("pointwise 1x1", [6, 4, 1, 1], 1, 0, 1, 1),
        ]
        for c in cases {
            Torch.manualSeed(2)
            let x = try Tensor.randn([2, 4, 7, 7]), w = try Tensor.randn(c.weight) * 0.3, b = try Tensor.randn([c.weight[0]])
            func run(_ format: MemoryFormat) throws -> (y: Tensor, x: Tensor, w: Tensor, b: Tensor) {
                let xs = try x.to(memoryFormat: format).detached().requiringGrad()
                let ws = try w.to(memoryFormat: format).detached().requiringGrad()
                let bs = try b.clone().detached().requiringGrad()
                let y = try conv2d(xs, weight: ws, bias: bs, stride: c.stride, padding: c.padding, dilation: c.dilation,
                                   groups: c.groups)
                try weightedSum(y).backward()
                return (y, xs, ws, bs)
            }
            let nchw = try run(.contiguous), nhwc = try run(.channelsLast)
            XCTAssertEqual(nhwc.x.memoryFormat, .channelsLast, c.name)
            XCTAssertEqual(nchw.y.memoryFormat, .contiguous, c.name)
            XCTAssertEqual(nhwc.y.memoryFormat, .channelsLast, "\(c.name): the output keeps the layout")
            XCTAssertTrue(nhwc.y.isContiguous(.channelsLast), c.name)
            XCTAssertEqual(nhwc.y.shape, nchw.y.shape, c.name)
            assertClose(try nhwc.y.floats(), try nchw.y.floats(), tolerance: 1e-5, "\(c.name): output")
            for (name, a, d) in [("input", nhwc.x, nchw.x), ("weight", nhwc.w, nchw.w), ("bias", nhwc.b, nchw.b)] {
                let ga = try XCTUnwrap(a.grad, "\(c.name): \(name) gradient"), gd = try XCTUnwrap(d.grad)
                assertClose(try ga.floats(), try gd.floats(), tolerance: 1e-5, "\(c.name): \(name) gradient")
            }
            // The gradient that flows on to the input's producer, as autograd.grad gives it: a
            // leaf's .grad is restrided to the leaf's layout whatever reached it, so the check
            // above on nhwc.x.grad could not show an NCHW gradient. (The subsampled strided
            // paths do give one, measured harmless: docs/performance.md#gradient-layouts.)
            let xs = try x.to(memoryFormat: .channelsLast).detached().requiringGrad()
            let y = try conv2d(xs, weight: try w.to(memoryFormat: .channelsLast), bias: b, stride: c.stride, padding: c.padding,
                               dilation: c.dilation, groups: c.groups)
            let raw = try gradients(of: try weightedSum(y), withRespectTo: [xs])[0]
            XCTAssertEqual(raw.memoryFormat, .channelsLast, "\(c.name): the input gradient has the input's layout")
        }
    }

    /// What a DARTS cell does after a convolution keeps channels-last, with NCHW's values.
    func testCellOperationsKeepTheLayout() throws {
        Torch.manualSeed(3)
        let x = try Tensor.randn([2, 8, 6, 6]), other = try Tensor.randn([2, 8, 6, 6])
        let ops: [(String, (Tensor, Tensor) throws -> Tensor)] = [
            ("relu", { a, _ in try a.relu() }),
            ("batch norm", { a, _ in try batchNorm(a, weight: nil, bias: nil, runningMean: nil, runningVar: nil, training: true) }),
            ("max pool", { a, _ in try maxPool2d(a, kernelSize: 3, stride: 1, padding: 1) }),
            ("avg pool", { a, _ in try avgPool2d(a, kernelSize: 3, stride: 2, padding: 1) }),
            ("sum of two states", { a, b in try a + b }),
            ("zero op", { a, _ in try a * 0 }),
            ("concatenation", { a, b in try Tensor.cat([a, b], dim: 1) }),
            ("partial channels", { a, b in try Tensor.cat([a.narrow(dim: 1, start: 0, length: 2), b], dim: 1) }),
            ("channel shuffle", { a, _ in try a.channelShuffle(groups: 4) }),
            ("pad", { a, _ in try a.padded([0, 1, 0, 1]) }),
        ]
        let xs = try x.to(memoryFormat: .channelsLast), others = try other.to(memoryFormat: .channelsLast)
        for (name, op) in ops {
            let expected = try op(x, other), got = try op(xs, others)
            XCTAssertEqual(got.memoryFormat, .channelsLast, name)
            XCTAssertEqual(got.shape, expected.shape, name)
            assertClose(try got.floats(), try expected.floats(), tolerance: 1e-5, name)
        }
    }

    func testModuleConversionKeepsParametersAndOptimizerSteps() throws {
        Torch.manualSeed(4)
        let reference = try TinyConvNet()
        Torch.manualSeed(4)
        let converted = try TinyConvNet()
        let optimizers = [reference, converted].map { SGD($0.namedParameters(), learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3) }
        let images = try Tensor.randn([4, 1, 6, 6]), labels = try Tensor([0, 1, 2, 1] as [Int64], shape: [4])
        func step(_ net: TinyConvNet, _ optimizer: SGD, _ x: Tensor) throws {
            optimizer.zeroGrad()
            try crossEntropy(try net(x), labels).backward()
            try optimizer.step()
        }
        try step(reference, optimizers[0], images)
        try step(converted, optimizers[1], images)  // momentum buffers exist before the conversion

        let identities = converted.parameters().map(ObjectIdentifier.init)
        let vectorAddresses = converted.stateDict().filter { $0.1.rank != 4 }.map { $0.1.dataAddress }
        try converted.to(memoryFormat: .channelsLast)
        XCTAssertEqual(converted.parameters().map(ObjectIdentifier.init), identities, "the same tensors, as optimizers hold them")
        for (name, t) in converted.stateDict() where t.rank == 4 {
            XCTAssertEqual(t.memoryFormat, .channelsLast, name)
            XCTAssertTrue(t.requiresGrad, "\(name) is still a parameter")
            XCTAssertTrue(t.isLeaf, name)
        }
        XCTAssertEqual(converted.stateDict().filter { $0.1.rank != 4 }.map { $0.1.dataAddress }, vectorAddresses,
                       "other ranks are left alone")
        XCTAssertNil(converted.conv.weight.grad, "gradients of converted tensors are dropped")

        let imagesNHWC = try images.to(memoryFormat: .channelsLast)
        for _ in 0..<2 {
            try step(reference, optimizers[0], images)
            try step(converted, optimizers[1], imagesNHWC)
        }
        XCTAssertEqual(converted.conv.weight.grad?.memoryFormat, .channelsLast, "gradients follow the parameter's layout")
        for ((name, a), (_, b)) in zip(converted.stateDict(), reference.stateDict()) {
            if a.rank == 4 { XCTAssertEqual(a.memoryFormat, .channelsLast, "\(name) after optimizer steps") }
            assertClose(try a.floats(), try b.floats(), tolerance: 1e-5, "\(name) after optimizer steps")
        }

        try converted.to(memoryFormat: .contiguous)
        XCTAssertEqual(converted.parameters().map(ObjectIdentifier.init), identities)
        for (name, t) in converted.stateDict() where t.rank == 4 { XCTAssertEqual(t.memoryFormat, .contiguous, name) }
    }

    /// A channels-last module writes the same checkpoint file as its NCHW twin, and loading one
    /// keeps the module's layout.
    func testCheckpointsAreIndependentOfTheLayout() throws {
        let folder = temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        Torch.manualSeed(5)
        let nchw = try TinyConvNet()
        Torch.manualSeed(5)
        let nhwc = try TinyConvNet()
        try nhwc.to(memoryFormat: .channelsLast)
        let a = folder.appendingPathComponent("nchw.safetensors"), b = folder.appendingPathComponent("nhwc.safetensors")
        try Safetensors.save(nchw.stateDict(), to: a)
        try Safetensors.save(nhwc.stateDict(), to: b)
        XCTAssertEqual(try Data(contentsOf: a), try Data(contentsOf: b), "byte for byte")

        Torch.manualSeed(6)
        let target = try TinyConvNet()
        try target.to(memoryFormat: .channelsLast)
        try target.load(stateDict: try Safetensors.load(from: a).tensors)
        for ((name, t), (_, source)) in zip(target.stateDict(), nchw.stateDict()) {
            if t.rank == 4 { XCTAssertEqual(t.memoryFormat, .channelsLast, name) }
            XCTAssertEqual(try t.floats(), try source.floats(), name)
        }
        let x = try Tensor.randn([2, 1, 6, 6])
        nchw.eval()
        target.eval()
        assertClose(try target(try x.to(memoryFormat: .channelsLast)).floats(), try nchw(x).floats(), tolerance: 1e-5, "outputs")
    }
}
