import Torch

/// Zeroes whole samples of `x` with probability `probability` and scales the kept ones by
/// 1 / (1 - probability), so the expected value is unchanged (DARTS `utils.drop_path`).
///
/// The mask has one entry per sample ([N, 1, 1, 1]) and is drawn from libtorch's generator, so
/// the generator state in a checkpoint makes a resumed run draw the same masks.
public func dropPath(_ x: Tensor, probability: Double) throws -> Tensor {
    guard probability >= 0 && probability < 1 else {
        throw TorchError.invalid("dropPath: probability \(probability) is outside [0, 1)")
    }
    guard probability > 0 else { return x }
    let keep = 1 - probability
    let mask = try Tensor.bernoulli([x.size(0), 1, 1, 1], p: keep).to(x.device)
    return try x * (try mask / keep)
}
