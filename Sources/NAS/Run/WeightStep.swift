import Datasets
import Torch

/// What one forward pass gives the weight step: the loss to differentiate, the logits whose top-1
/// hits are counted, and the loss value reported per image (the training's main loss without
/// the auxiliary term; nil reports `loss` itself).
struct ForwardResult {
    var loss: Tensor
    var logits: Tensor
    var reported: Tensor?
}

/// The one SGD step on the weights of a search or a training: forward by `forward` on every
/// piece of the batch (gradients averaged over the whole batch of every rank), a non-finite
/// loss or gradient norm stops the run with `diverged`, gradient-norm clipping at `clip`, update,
/// and the gradients released.
/// Returns this process' loss sum, hits and rows.
func weightStep(_ batch: Batch, parameters: [Tensor], optimizer: SGD, clip: Double, parallel: DataParallel,
                diverged: (String) -> Error, forward: (_ images: Tensor, _ labels: Tensor) throws -> ForwardResult) throws -> StepTotals {
    var lossSum = 0.0, correct = 0
    let grads = try parallel.meanGradients(images: batch.images, labels: batch.labels) { images, labels in
        let result = try forward(images, labels)
        let value = try result.loss.item()
        guard value.isFinite else { throw diverged("the loss became \(value)") }
        lossSum += try (result.reported.map { try $0.item() } ?? value) * Double(labels.size(0))
        correct += try topKCorrect(result.logits, labels: labels, k: 1)
        return try gradients(of: [result.loss], withRespectTo: parameters, allowUnused: true)
    }
    for (p, g) in zip(parameters, grads) { try p.setGrad(g) }
    let norm = try clipGradNorm(parameters, maxNorm: clip)
    guard norm.isFinite else { throw diverged("the gradient norm became \(norm)") }
    try optimizer.step()
    // Let the gradients go: nothing reads them before the next step sets them anew.
    for p in parameters { p.zeroGrad() }
    return StepTotals(lossSum: lossSum, correct: Double(correct), count: Double(batch.count))
}
