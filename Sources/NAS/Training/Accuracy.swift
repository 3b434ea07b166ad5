import Datasets
import Foundation
import Torch

/// Loss and top-1 / top-5 accuracy over a dataset part.
public struct EvaluationResult: Codable, Equatable, Sendable {
    /// Mean cross-entropy (no label smoothing).
    public var loss: Double
    /// Percent of images whose label is the top prediction.
    public var top1: Double
    /// Percent of images whose label is among the 5 top predictions (all of them with < 5 classes).
    public var top5: Double
    /// Images evaluated.
    public var count: Int
}

/// Number of rows of `logits` whose label is among the `k` highest scores.
public func topKCorrect(_ logits: Tensor, labels: Tensor, k: Int) throws -> Int {
    try withNoGrad {
        let k = min(k, logits.size(1))
        let top = try logits.topkIndices(k, dim: 1)
        return Int(try top.eq(try labels.reshape([-1, 1])).to(.float32).sum().item())
    }
}

/// Evaluates `network` in inference mode on every batch of `loader` (epoch 0 of an unshuffled,
/// unaugmented loader is the dataset in order), shown to `observer` as a stretch of work called
/// `label`. Returns nil when `stop` was requested midway. With `parallel`, the loader yields
/// this rank's rows, every rank uses rank 0's batch-norm statistics, and the sums cover all ranks.
public func evaluate(_ network: EvalNetwork, on loader: DataLoader, observer: RunObserver? = nil, label: String = "test",
                     stop: StopSignal? = nil, parallel: DataParallel = .single) throws -> EvaluationResult? {
    let wasTraining = network.isTraining
    network.eval()
    defer { network.train(wasTraining) }
    try parallel.broadcastBuffers(network)
    var lossSum = 0.0, top1 = 0, top5 = 0, seen = 0
    var stopped = false
    let device = network.device, format = network.memoryFormat
    observer?.progressWillStart(label: label, total: loader.imagesPerEpoch, unit: "img", done: 0)
    defer { observer?.progressDidFinish() }
    try withNoGrad {
        for host in try loader.epoch(0) {
            if host.count > 0 {
                let batch = try Batch(host, on: device, format: format)
                let logits = try network(batch.images).logits
                lossSum += try crossEntropy(logits, batch.labels).item() * Double(batch.count)
                top1 += try topKCorrect(logits, labels: batch.labels, k: 1)
                top5 += try topKCorrect(logits, labels: batch.labels, k: 5)
                seen += batch.count
            }
            let done = min(loader.imagesPerEpoch, (host.index + 1) * loader.batchSize)
            observer?.progress(done: done, metrics: [("acc", percent(top1 * parallel.worldSize, done))])
            if try parallel.any(stop?.isRequested == true) { stopped = true; break }
        }
    }
    if stopped { return nil }
    let totals = try parallel.sum([lossSum, Double(top1), Double(top5), Double(seen)])
    let count = Int(totals[3])
    guard count > 0 else { return EvaluationResult(loss: 0, top1: 0, top5: 0, count: 0) }
    return EvaluationResult(loss: totals[0] / totals[3], top1: 100 * totals[1] / totals[3],
                            top5: 100 * totals[2] / totals[3], count: count)
}

/// `part` of `whole` as a percentage with two decimals.
func percent(_ part: Int, _ whole: Int) -> String {
    String(format: "%.2f%%", whole > 0 ? 100 * Double(part) / Double(whole) : 0)
}
