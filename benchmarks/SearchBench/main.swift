import BenchmarkSupport
import Foundation
import NAS
import Torch

// Time per search step (architecture step + weight step), peak resident memory and achieved
// GFLOP/s (convolution and linear multiply-adds that ran, `MultiplyAddTally`) of one search
// method at one configuration, on random data. benchmarks/search-bench.sh runs every method in
// its own process (so peak memory is per method) and prints the table of
// docs/performance.md#search-step. The layout is the one `entrannas search` computes in (auto:
// channels-last on a CPU but for PC-DARTS, NCHW on a GPU); --memory-format sets it (channels-last:
// NHWC weights and batches; benchmarks/layouts.sh compares the two layouts).
//
//   search-bench METHOD [--batch 64] [--layers 8] [--channels 16] [--size 28] [--input-channels 1] [--steps 5]
//                       [--threads N] [--memory-format auto|contiguous|channels-last] [--device cpu|cuda[:N]] [--foreach on|off]
// --foreach off updates the weights with a call per parameter (SGD's `foreach` false) to compare.
// On a GPU each timed stretch ends with a synchronisation, and the peak memory libtorch's CUDA
// allocator held is printed (peak_gpu_mb).

let usage = "usage: search-bench METHOD [--batch N] [--layers N] [--channels N] [--size N] [--input-channels N] [--steps N] "
    + "[--threads N] [--memory-format auto|contiguous|channels-last] [--device D] [--foreach on|off]"
var args = Array(CommandLine.arguments.dropFirst())
var device = Device.cpu
if let at = args.firstIndex(of: "--device"), at + 1 < args.count {
    do { device = try Device(parsing: args[at + 1]) } catch {
        emit("\(error)")
        exit(2)
    }
    args.removeSubrange(at...(at + 1))
}
guard let methodName = args.first, let method = SearchMethod(rawValue: methodName) else {
    emit(usage)
    exit(2)
}
let flags = BenchmarkFlags(args.dropFirst(), defaults: ["batch": 64, "layers": 8, "channels": 16, "size": 28, "steps": 5,
                                                        "threads": Torch.threadCount, "input-channels": 1],
                           choices: ["memory-format": ["auto"] + MemoryFormat.allCases.map(\.rawValue), "foreach": ["on", "off"]], usage: usage)
let batch = flags["batch"], layers = flags["layers"], channels = flags["channels"], inputChannels = flags["input-channels"]
let size = flags["size"], steps = flags["steps"]
// auto (the default): the layout `entrannas search` computes in (channels-last on a CPU but for PC-DARTS).
let memoryFormat = MemoryFormat(rawValue: flags.choice("memory-format")) ?? .measuredDefault(method: method, device: device)
Torch.threadCount = flags["threads"]

Torch.manualSeed(0)
let config = SearchSpaceConfig(method: method, layers: layers, initChannels: channels, inputChannels: inputChannels,
                               imageSize: size, classes: 10)
let net = try SearchNetwork(config: config)
try net.to(device)
try net.to(memoryFormat: memoryFormat)
let foreach = flags.choice("foreach") == "on"
let sgd = SGD(net.weightParameters(), learningRate: 0.025, momentum: 0.9, weightDecay: 3e-4, foreach: foreach)
let architect = Architect(network: net, order: method == .darts2nd ? .second : .first)
@MainActor func batchData() throws -> (Tensor, Tensor) {
    (try Tensor.randn([batch, inputChannels, size, size]).to(device).to(memoryFormat: memoryFormat),
     try Tensor((0..<batch).map { Int64($0 % 10) }, shape: [batch]).to(device))
}
let train = try batchData(), valid = try batchData()
let weights = net.weightParameters().map(\.1)

@MainActor func step() throws -> (arch: Double, weight: Double) {
    try CUDAMemory.synchronize(device)
    let t0 = Date()
    try architect.step(validation: valid, train: train, weightOptimizer: sgd)
    try CUDAMemory.synchronize(device)
    let t1 = Date()
    let loss = try crossEntropy(try net(train.0), train.1)
    let g = try gradients(of: [loss], withRespectTo: weights, allowUnused: true)
    for (w, gi) in zip(weights, g) { try w.setGrad(gi) }
    try clipGradNorm(weights, maxNorm: 5, foreach: foreach)
    try sgd.step()
    _ = try loss.item()
    try CUDAMemory.synchronize(device)
    return (t1.timeIntervalSince(t0), Date().timeIntervalSince(t1))
}

_ = try step()  // warm-up: allocator, first-touch
if device.isCUDA { try CUDAMemory.resetPeak(device) }
var archTimes: [Double] = [], weightTimes: [Double] = [], multiplyAdds: [Int] = []
for _ in 0..<steps {
    let (t, macs) = try MultiplyAddTally.measure { try step() }
    archTimes.append(t.arch)
    weightTimes.append(t.weight)
    multiplyAdds.append(macs)
}
func median(_ xs: [Double]) -> Double { xs.sorted()[xs.count / 2] }
func peakRSSMB() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? "VmHWM: 0 kB"
    let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
    return (fields.count > 1 ? Double(fields[1]) ?? 0 : 0) / 1024
}
let total = zip(archTimes, weightTimes).map { $0 + $1 }
// FLOPs of the step: 2 per multiply-add, and the backward pass counted as twice its forward (input
// and weight gradients), the convention of docs/performance.md#achieved-against-peak. A DST step's
// count falls as its thresholds prune, so the median step's count goes with the median time.
let medianStep = total.indices.sorted { total[$0] < total[$1] }[total.count / 2]
let stepGFLOP = 6 * Double(multiplyAdds[medianStep]) / 1e9
let gpu = device.isCUDA ? String(format: " peak_gpu_mb=%.0f device=%@", Double(try CUDAMemory.peakAllocated(device)) / 1_048_576,
                                 device.description) : ""
emit(String(format: "%@ step_ms=%.1f arch_ms=%.1f weight_ms=%.1f peak_rss_mb=%.0f step_gflop=%.2f gflops=%.1f "
             + "weights_m=%.3f threads=%d batch=%d memory_format=%@",
             method.rawValue, 1000 * total[medianStep], 1000 * median(archTimes), 1000 * median(weightTimes), peakRSSMB(),
             stepGFLOP, stepGFLOP / total[medianStep],
             Double(weights.reduce(0) { $0 + $1.count }) / 1e6, Torch.threadCount, batch, memoryFormat.rawValue) + gpu
     + " foreach=\(foreach ? "on" : "off")")
