import Foundation

/// A learning-rate schedule: the rate for an epoch (or step) index.
public protocol LearningRateSchedule: Sendable {
    func learningRate(at epoch: Int) -> Double
}

/// `CosineAnnealingLR(T_max, eta_min)` in closed form: what DARTS uses for w.
public struct CosineAnnealing: LearningRateSchedule {
    public let base: Double, minimum: Double, period: Int
    public init(base: Double, minimum: Double = 0, period: Int) {
        self.base = base
        self.minimum = minimum
        self.period = max(1, period)
    }
    public func learningRate(at epoch: Int) -> Double {
        minimum + (base - minimum) * (1 + cos(Double.pi * Double(epoch) / Double(period))) / 2
    }
}

/// `StepLR`: multiply by gamma every `stepSize` epochs (DARTS ImageNet: gamma 0.97 each epoch).
public struct StepDecay: LearningRateSchedule {
    public let base: Double, stepSize: Int, gamma: Double
    public init(base: Double, stepSize: Int, gamma: Double) {
        self.base = base
        self.stepSize = max(1, stepSize)
        self.gamma = gamma
    }
    public func learningRate(at epoch: Int) -> Double { base * pow(gamma, Double(epoch / stepSize)) }
}

/// Linear warm-up from base/warmup to base over `warmup` epochs, then the wrapped schedule
/// (PC-DARTS ImageNet warms up 5 epochs when the batch exceeds 256).
public struct LinearWarmup<Inner: LearningRateSchedule>: LearningRateSchedule {
    public let warmup: Int, inner: Inner
    public init(warmup: Int, then inner: Inner) {
        self.warmup = warmup
        self.inner = inner
    }
    public func learningRate(at epoch: Int) -> Double {
        guard epoch < warmup else { return inner.learningRate(at: epoch) }
        return inner.learningRate(at: 0) * Double(epoch + 1) / Double(warmup)
    }
}

/// Linear decay to zero (PC-DARTS ImageNet evaluation).
public struct LinearDecay: LearningRateSchedule {
    public let base: Double, epochs: Int
    public init(base: Double, epochs: Int) {
        self.base = base
        self.epochs = max(1, epochs)
    }
    public func learningRate(at epoch: Int) -> Double { base * max(0, 1 - Double(epoch) / Double(epochs)) }
}
