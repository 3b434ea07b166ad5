import XCTest
@testable import Torch

/// `Conv2d` runs a convolution whose stride equals its dilation as the undilated convolution of
/// the subsampled input, and a dilated one with stride 1 as the undilated convolution of its
/// polyphase components (docs/performance.md#dilated-convolutions). Both must equal libtorch's own
/// dilated convolution, output and gradients, for even and odd sizes, depthwise and dense, in
/// both layouts; where the padding or the size does not divide, the direct call stays.
final class DilatedConvolutionTests: XCTestCase {
    private func assertEqualsDirect(channels: Int, size: Int, kernel: Int, step: Int, dilation: Int? = nil, padding: Int,
                                    groups: Int, channelsLast: Bool = false, file: StaticString = #filePath,
                                    line: UInt = #line) throws {
        Torch.manualSeed(21)
        let conv = try Conv2d(channels, channels, kernelSize: kernel, stride: step, padding: padding,
                              dilation: dilation ?? step, groups: groups, bias: true)
        var x = try Tensor.randn([3, channels, size, size]).requiringGrad(true)
        if channelsLast {
            try conv.to(memoryFormat: .channelsLast)
            x = try x.detached().to(memoryFormat: .channelsLast).requiringGrad(true)
        }
        let fast = try conv(x)
        let direct = try conv2d(x, weight: conv.weight, bias: conv.bias, stride: conv.stride, padding: conv.padding,
                                dilation: conv.dilation, groups: groups)
        XCTAssertEqual(fast.shape, direct.shape, file: file, line: line)
        XCTAssertEqual(fast.isContiguous(.channelsLast), direct.isContiguous(.channelsLast), "layout kept", file: file, line: line)
        XCTAssertLessThan(try (try fast - direct).abs().max().item(), 1e-5, "output", file: file, line: line)
        let probe = try Tensor.randn(direct.shape)
        let inputs = [x, conv.weight, conv.bias!]
        let a = try gradients(of: [try (fast * probe).sum()], withRespectTo: inputs)
        let b = try gradients(of: [try (direct * probe).sum()], withRespectTo: inputs)
        for (i, (ga, gb)) in zip(a, b).enumerated() {
            let ga = try XCTUnwrap(ga), gb = try XCTUnwrap(gb)
            let scale = max(1, try gb.abs().max().item())
            XCTAssertLessThan(try (try ga - gb).abs().max().item() / scale, 1e-5, "gradient \(i)", file: file, line: line)
        }
    }

    func testDARTSDilatedConvolutionsOnReductionEdges() throws {
        for (kernel, padding) in [(3, 2), (5, 4)] {  // dil_conv_3x3 and dil_conv_5x5
            for size in [8, 7] {
                try assertEqualsDirect(channels: 4, size: size, kernel: kernel, step: 2, padding: padding, groups: 4)
                try assertEqualsDirect(channels: 4, size: size, kernel: kernel, step: 2, padding: padding, groups: 4,
                                       channelsLast: true)
            }
        }
    }

    func testDenseAndOtherStrides() throws {
        try assertEqualsDirect(channels: 4, size: 9, kernel: 3, step: 2, padding: 2, groups: 1)
        try assertEqualsDirect(channels: 2, size: 11, kernel: 3, step: 3, padding: 3, groups: 2)
        try assertEqualsDirect(channels: 2, size: 8, kernel: 2, step: 2, padding: 0, groups: 1)
    }

    func testOnlyPaddingsTheStrideDividesAreSubsampled() throws {
        let ok = try Conv2d(4, 4, kernelSize: 3, stride: 2, padding: 2, dilation: 2, groups: 4, bias: false)
        XCTAssertEqual(ok.subsampled.map { [$0.0, $0.1] }, [1, 1])
        let odd = try Conv2d(4, 4, kernelSize: 3, stride: 2, padding: 1, dilation: 2, groups: 4, bias: false)
        XCTAssertNil(odd.subsampled)
        XCTAssertNil(try Conv2d(4, 4, kernelSize: 3, stride: 2, padding: 2, dilation: 1).subsampled)
        XCTAssertNil(try Conv2d(4, 4, kernelSize: 3, stride: 1, padding: 2, dilation: 2).subsampled)
        try assertEqualsDirect(channels: 4, size: 8, kernel: 3, step: 2, padding: 1, groups: 4)
    }

    func testDilatedConvolutionsWithStrideOneRunOnPolyphaseComponents() throws {
        for (kernel, padding) in [(3, 2), (5, 4)] {  // dil_conv_3x3 and dil_conv_5x5 on normal edges
            for size in [8, 7] {  // 7: not divisible, the direct call
                for channelsLast in [false, true] {
                    try assertEqualsDirect(channels: 4, size: size, kernel: kernel, step: 1, dilation: 2, padding: padding,
                                           groups: 4, channelsLast: channelsLast)
                }
            }
        }
        try assertEqualsDirect(channels: 4, size: 9, kernel: 3, step: 1, dilation: 3, padding: 3, groups: 1, channelsLast: true)
        try assertEqualsDirect(channels: 4, size: 8, kernel: 3, step: 1, dilation: 2, padding: 0, groups: 2)
    }

    func testPolyphaseOnlyWhereDilationDividesPaddingAndSize() throws {
        let conv = try Conv2d(4, 4, kernelSize: 3, padding: 2, dilation: 2, groups: 4, bias: false)
        XCTAssertEqual(conv.phases(of: try Tensor.zeros([1, 4, 8, 6])), 2)
        XCTAssertNil(conv.phases(of: try Tensor.zeros([1, 4, 7, 8])))
        XCTAssertNil(try Conv2d(4, 4, kernelSize: 3, padding: 1, dilation: 2).phases(of: try Tensor.zeros([1, 4, 8, 8])))
        XCTAssertNil(try Conv2d(4, 4, kernelSize: 3, padding: 1).phases(of: try Tensor.zeros([1, 4, 8, 8])))
    }
}
