import Foundation

/// A learning-rate schedule: the rate for an epoch (or step) index.
public protocol LearningRateSchedule: Sendable {
    /// The rate for epoch (or step) `epoch`, counted from 0.
    func learningRate(at epoch: Int) -> Double
}

/// `CosineAnnealingLR(T_max, eta_min)` in closed form: what DARTS uses for w.
public struct CosineAnnealing: LearningRateSchedule {
    /// Starting rate, final rate (eta_min) and number of epochs to reach it (T_max, at least 1).
    public let base: Double, minimum: Double, period: Int
    /// Cosine from `base` down to `minimum` over `period` epochs.
    public init(base: Double, minimum: Double = 0, period: Int) {
        self.base = base
        self.minimum = minimum
        self.period = max(1, period)
    }
    /// minimum + (base - minimum) * (1 + cos(pi * epoch / period)) / 2.
    public func learningRate(at epoch: Int) -> Double {
        minimum + (base - minimum) * (1 + cos(Double.pi * Double(epoch) / Double(period))) / 2
    }
}

/// `StepLR`: multiply by gamma every `stepSize` epochs (DARTS ImageNet: gamma 0.97 each epoch).
public struct StepDecay: LearningRateSchedule {
    /// Starting rate, epochs between decays (at least 1), and the decay factor.
    public let base: Double, stepSize: Int, gamma: Double
    /// Decay by `gamma` every `stepSize` epochs.
    public init(base: Double, stepSize: Int, gamma: Double) {
        self.base = base
        self.stepSize = max(1, stepSize)
        self.gamma = gamma
    }
    /// base * gamma^(epoch / stepSize), with integer division.
    public func learningRate(at epoch: Int) -> Double { base * pow(gamma, Double(epoch / stepSize)) }
}

/// Linear warm-up from base/warmup to base over `warmup` epochs, then the wrapped schedule
/// (PC-DARTS ImageNet warms up 5 epochs when the batch exceeds 256).
public struct LinearWarmup<Inner: LearningRateSchedule>: LearningRateSchedule {
    /// Warm-up epochs, and the schedule used after them.
    public let warmup: Int, inner: Inner
    /// Warms up over `warmup` epochs towards `inner`'s first rate.
    public init(warmup: Int, then inner: Inner) {
        self.warmup = warmup
        self.inner = inner
    }
    /// inner's epoch-0 rate * (epoch + 1) / warmup during warm-up, then `inner`.
    public func learningRate(at epoch: Int) -> Double {
        guard epoch < warmup else { return inner.learningRate(at: epoch) }
        return inner.learningRate(at: 0) * Double(epoch + 1) / Double(warmup)
    }
}

/// Linear decay to zero (PC-DARTS ImageNet evaluation).
public struct LinearDecay: LearningRateSchedule {
    /// Starting rate, and the epoch count at which the rate reaches zero (at least 1).
    public let base: Double, epochs: Int
    /// Decay from `base` to zero over `epochs`.
    public init(base: Double, epochs: Int) {
        self.base = base
        self.epochs = max(1, epochs)
    }
    /// base * (1 - epoch / epochs), never below zero.
    public func learningRate(at epoch: Int) -> Double { base * max(0, 1 - Double(epoch) / Double(epochs)) }
}
