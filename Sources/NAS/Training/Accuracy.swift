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
/// `label`. Returns nil when `stop` was requested midway.
public func evaluate(_ network: EvalNetwork, on loader: DataLoader, observer: RunObserver? = nil, label: String = "test",
                     stop: StopSignal? = nil) throws -> EvaluationResult? {
    let wasTraining = network.isTraining
    network.eval()
    defer { network.train(wasTraining) }
    var lossSum = 0.0, top1 = 0, top5 = 0, seen = 0
    let device = network.device
    observer?.progressWillStart(label: label, total: loader.imagesPerEpoch, unit: "img", done: 0)
    defer { observer?.progressDidFinish() }
    try withNoGrad {
        for host in try loader.epoch(0) {
            let batch = try Batch(host, on: device)
            let logits = try network(batch.images).logits
            lossSum += try crossEntropy(logits, batch.labels).item() * Double(batch.count)
            top1 += try topKCorrect(logits, labels: batch.labels, k: 1)
            top5 += try topKCorrect(logits, labels: batch.labels, k: 5)
            seen += batch.count
            observer?.progress(done: seen, metrics: [("acc", percent(top1, seen))])
            if stop?.isRequested == true { break }
        }
    }
    if stop?.isRequested == true { return nil }
    guard seen > 0 else { return EvaluationResult(loss: 0, top1: 0, top5: 0, count: 0) }
    return EvaluationResult(loss: lossSum / Double(seen), top1: 100 * Double(top1) / Double(seen),
                            top5: 100 * Double(top5) / Double(seen), count: seen)
}

/// `part` of `whole` as a percentage with two decimals.
func percent(_ part: Int, _ whole: Int) -> String {
    String(format: "%.2f%%", whole > 0 ? 100 * Double(part) / Double(whole) : 0)
}
