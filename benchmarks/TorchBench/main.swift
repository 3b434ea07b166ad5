// Convolution forward+backward through our shim, release build:
// `swift run -c release torch-bench [--threads N] [--repeats R] [--iterations I]`.
// benchmarks/conv-bench.sh runs it next to benchmarks/conv_bench.py (the same ops from Python on
// the same libtorch) and prints the comparison. Output: one `name ms/iter` line per case, after
// `#` comment lines describing the settings.
import BenchmarkSupport
import Foundation
import Torch

struct Settings {
    var threads: Int, repeats: Int, iterations: Int
    static let usage = "usage: torch-bench [--threads N] [--repeats R] [--iterations I]"

    init(arguments: [String]) {
        let flags = BenchmarkFlags(arguments, defaults: ["threads": ProcessInfo.processInfo.activeProcessorCount,
                                                         "repeats": 7, "iterations": 50], usage: Settings.usage)
        threads = flags["threads"]
        repeats = flags["repeats"]
        iterations = flags["iterations"]
    }
}


/// One benchmark case: `conv(x, w).sum().backward()` with gradients for x and w.
struct ConvCase {
    let name: String
    let weightShape: [Int]
    let padding: Int, dilation: Int, groups: Int
}

/// The cases of docs/libtorch-binding.md#choice: N=64, 16->16 channels, 32x32, 3x3 kernels.
let cases = [
    ConvCase(name: "conv3x3", weightShape: [16, 16, 3, 3], padding: 1, dilation: 1, groups: 1),
    ConvCase(name: "depthwise3x3", weightShape: [16, 1, 3, 3], padding: 1, dilation: 1, groups: 16),
    ConvCase(name: "dilated3x3", weightShape: [16, 16, 3, 3], padding: 2, dilation: 2, groups: 1),
]

func monotonicSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
}

/// Median over `repeats` of the mean time per iteration, in milliseconds.
func measure(_ c: ConvCase, _ settings: Settings) throws -> Double {
    Torch.manualSeed(0)
    let x = try Tensor.randn([64, 16, 32, 32]).requiringGrad()
    let w = try Tensor.randn(c.weightShape).requiringGrad()
    func step() throws {
        x.zeroGrad()
        w.zeroGrad()
        try conv2d(x, weight: w, padding: c.padding, dilation: c.dilation, groups: c.groups).sum().backward()
    }
    for _ in 0..<max(3, settings.iterations / 5) { try step() }
    var times: [Double] = []
    for _ in 0..<settings.repeats {
        let start = monotonicSeconds()
        for _ in 0..<settings.iterations { try step() }
        times.append((monotonicSeconds() - start) / Double(settings.iterations) * 1000)
    }
    precondition(x.grad?.shape == x.shape && w.grad?.shape == w.shape, "gradients for x and w")
    return times.sorted()[times.count / 2]
}

/// sgemm through libtorch's BLAS: median ms of a 1024x1024 float32 matrix product (2n^3 flops).
func measureMatmul(_ settings: Settings, n: Int = 1024) throws -> Double {
    Torch.manualSeed(0)
    let a = try Tensor.randn([n, n]), b = try Tensor.randn([n, n])
    for _ in 0..<3 { _ = try a.matmul(b) }
    var times: [Double] = []
    for _ in 0..<settings.repeats {
        let start = monotonicSeconds()
        for _ in 0..<max(1, settings.iterations / 5) { _ = try a.matmul(b) }
        times.append((monotonicSeconds() - start) / Double(max(1, settings.iterations / 5)) * 1000)
    }
    return times.sorted()[times.count / 2]
}

let settings = Settings(arguments: Array(CommandLine.arguments.dropFirst()))
Torch.threadCount = settings.threads
emit("# swift: libtorch \(Torch.version), threads \(Torch.threadCount), allocator \(Torch.allocatorDescription)")
emit("# median of \(settings.repeats) x \(settings.iterations) iterations")
for c in cases {
    emit("\(c.name) \(String(format: "%.3f", try measure(c, settings)))")
}
let matmulMs = try measureMatmul(settings)
emit("sgemm1024 \(String(format: "%.3f", matmulMs)) # \(String(format: "%.1f", 2 * pow(1024.0, 3) / matmulMs / 1e6)) GFLOP/s")
