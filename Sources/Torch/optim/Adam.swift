/// Adam with bias correction and L2 weight decay added to the gradient, as `torch.optim.Adam`
/// (DARTS' architecture optimizer: lr 3e-4, betas 0.5/0.999, weight decay 1e-3).
public final class Adam: Optimizer {
    /// The parameter groups, each with its own learning rate and weight decay.
    public var groups: [ParameterGroup]
    /// Decay rates of the first and second moment estimates, and the denominator's epsilon.
    public let beta1: Double, beta2: Double, eps: Double
    /// Steps taken per parameter name (for bias correction; saved in checkpoints).
    public private(set) var steps: [String: Int] = [:]
    private var expAvg: [String: Tensor] = [:]
    private var expAvgSq: [String: Tensor] = [:]

    /// Adam over `groups`; DARTS' architect uses betas (0.5, 0.999).
    public init(_ groups: [ParameterGroup], betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8) {
        self.groups = groups
        beta1 = betas.0
        beta2 = betas.1
        self.eps = eps
    }
    /// Adam over one group of named parameters.
    public convenience init(_ parameters: [(String, Tensor)], learningRate: Double, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0) {
        self.init([ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)], betas: betas, eps: eps)
    }

    /// One update of every parameter that has a gradient; runs without gradient recording.
    public func step() throws {
        try withNoGrad {
            for group in groups {
                for (name, p) in group.parameters {
                    guard let grad = p.grad else { continue }
                    let g = try group.weightDecay != 0 ? grad + p * group.weightDecay : grad
                    let t = (steps[name] ?? 0) + 1
                    steps[name] = t
                    let m = try expAvg[name] ?? Tensor.zeros(like: p)
                    let v = try expAvgSq[name] ?? Tensor.zeros(like: p)
                    expAvg[name] = m
                    expAvgSq[name] = v
                    try m.mul_(beta1)
                    try m.add_(g, alpha: 1 - beta1)
                    try v.mul_(beta2)
                    try v.addcmul_(g, g, value: 1 - beta2)
                    let bc1 = 1 - pow(beta1, Double(t))
                    let bc2 = 1 - pow(beta2, Double(t))
                    let denom = try v.sqrt() / bc2.squareRoot() + eps
                    try p.addcdiv_(m, denom, value: -group.learningRate / bc1)
                }
            }
        }
    }

    /// `<name>.step`, `<name>.exp_avg` and `<name>.exp_avg_sq` for every parameter stepped so far,
    /// as PyTorch names them.
    public func stateDict() throws -> [(String, Tensor)] {
        try steps.keys.sorted().flatMap { name in
            [("\(name).step", try Tensor([Int64(steps[name]!)], shape: [])),
             ("\(name).exp_avg", expAvg[name]!), ("\(name).exp_avg_sq", expAvgSq[name]!)]
        }
    }
    /// Restores state saved by `stateDict()`; parameters without a saved step start fresh.
    public func load(stateDict dict: [String: Tensor]) throws {
        steps = [:]
        expAvg = [:]
        expAvgSq = [:]
        for group in groups {
            for (name, p) in group.parameters {
                guard let step = dict["\(name).step"] else { continue }
                guard let m = try loadSlot(dict, "\(name).exp_avg", like: p),
                      let v = try loadSlot(dict, "\(name).exp_avg_sq", like: p) else {
                    throw TorchError.invalid("optimizer state for '\(name)' is incomplete")
                }
                steps[name] = try step.itemInt()
                expAvg[name] = m
                expAvgSq[name] = v
            }
        }
    }
}

import Foundation
