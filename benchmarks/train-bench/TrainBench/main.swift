// One training step of DARTS_V2's evaluation network through our Swift stack, release build:
// `swift run -c release train-bench [--threads N] [--repeats R] [--steps S] [--batch B]
// [--memory-format contiguous|channels-last]` (channels-last: NHWC weights and batch).
// benchmarks/train-bench/run.sh runs it next to train_bench.py (the same network and step in
// PyTorch on the same libtorch) and prints the comparison table.
//
// The step is the `--preset quick` one: 8 cells, 16 channels, 1x28x28 input, 10 classes, the
// auxiliary head on (loss weight 0.4), drop-path off, SGD momentum 0.9, weight decay 3e-4,
// gradient clipping at 5, a fixed random batch (data loading is not timed). Output: `#` lines
// describing the settings, then `train_step ms/step` as the median of R repeats of S steps.
import BenchmarkSupport
import Foundation
import NAS
import Torch

struct Settings {
    var threads: Int, repeats: Int, steps: Int, batch: Int, memoryFormat: MemoryFormat
    static let usage = "usage: train-bench [--threads N] [--repeats R] [--steps S] [--batch B] "
        + "[--memory-format contiguous|channels-last]"

    init(arguments: [String]) {
        let flags = BenchmarkFlags(arguments, defaults: ["threads": ProcessInfo.processInfo.activeProcessorCount,
                                                         "repeats": 5, "steps": 10, "batch": 64],
                                   choices: ["memory-format": MemoryFormat.allCases.map(\.rawValue)], usage: Settings.usage)
        threads = flags["threads"]
        repeats = flags["repeats"]
        steps = flags["steps"]
        batch = flags["batch"]
        memoryFormat = MemoryFormat(rawValue: flags.choice("memory-format"))!
    }
}


let settings = Settings(arguments: Array(CommandLine.arguments.dropFirst()))
Torch.threadCount = settings.threads
Torch.manualSeed(0)
let network = try EvalNetwork(genotype: .dartsV2, configuration: EvalNetworkConfiguration(
    layers: 8, initChannels: 16, inputChannels: 1, classes: 10, auxiliary: true))
try network.to(memoryFormat: settings.memoryFormat)
network.train()
let optimizer = SGD(network.namedParameters(), learningRate: 0.025, momentum: 0.9, weightDecay: 3e-4)
let parameters = network.parameters()
let images = try Tensor.randn([settings.batch, 1, 28, 28]).to(memoryFormat: settings.memoryFormat)
let labels = try Tensor((0..<settings.batch).map { Int64($0 % 10) }, shape: [settings.batch])

let step = { () -> Double in
    optimizer.zeroGrad()
    let (logits, auxiliary) = try network(images)
    let loss = try crossEntropy(logits, labels) + crossEntropy(auxiliary!, labels) * 0.4
    let value = try loss.item()
    try loss.backward()
    try clipGradNorm(parameters, maxNorm: 5)
    try optimizer.step()
    return value
}

emit("# swift: libtorch \(Torch.version), \(Torch.threadCount) threads, allocator \(Torch.allocatorDescription)")
emit("# swift: DARTS_V2 8 cells 16 channels 1x28x28 batch \(settings.batch), auxiliary on, "
     + "\(network.parameterCountWithoutAuxiliary) parameters + \(network.auxiliaryParameterCount) auxiliary, "
     + "memory format \(settings.memoryFormat)")
for _ in 0..<3 { _ = try step() }
// The step's convolution and linear multiply-adds as they ran (auxiliary head included), for
// GFLOP/s: 2 FLOPs each, the backward pass at twice the forward.
let stepGFLOP = 6 * Double(try MultiplyAddTally.measure { try step() }.multiplyAdds) / 1e9
emit(String(format: "# swift: %.2f GFLOP per step (convolutions and linear layers, forward x3)", stepGFLOP))
var times: [Double] = []
for _ in 0..<settings.repeats {
    let start = DispatchTime.now().uptimeNanoseconds
    for _ in 0..<settings.steps { _ = try step() }
    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6 / Double(settings.steps))
}
times.sort()
emit(String(format: "train_step %.2f", times[times.count / 2]))
emit(String(format: "# swift: %.1f GFLOP/s at the median", stepGFLOP / times[times.count / 2] * 1000))
