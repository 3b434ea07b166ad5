/// Adam with bias correction and L2 weight decay added to the gradient, as `torch.optim.Adam`
/// (DARTS' architecture optimizer: lr 3e-4, betas 0.5/0.999, weight decay 1e-3).
public final class Adam: Optimizer {
    public var groups: [ParameterGroup]
    public let beta1: Double, beta2: Double, eps: Double
    public private(set) var steps: [String: Int] = [:]
    private var expAvg: [String: Tensor] = [:]
    private var expAvgSq: [String: Tensor] = [:]

    public init(_ groups: [ParameterGroup], betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8) {
        self.groups = groups
        beta1 = betas.0
        beta2 = betas.1
        self.eps = eps
    }
    public convenience init(_ parameters: [(String, Tensor)], learningRate: Double, betas: (Double, Double) = (0.9, 0.999),
                            eps: Double = 1e-8, weightDecay: Double = 0) {
        self.init([ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)], betas: betas, eps: eps)
    }

    public func step() throws {
        try withNoGrad {
            for group in groups {
                for (name, p) in group.parameters {
                    guard let grad = p.grad else { continue }
                    let g = try group.weightDecay != 0 ? grad + p * group.weightDecay : grad
                    let t = (steps[name] ?? 0) + 1
                    steps[name] = t
                    let m = try expAvg[name] ?? Tensor.zeros(p.shape, dtype: p.dtype)
                    let v = try expAvgSq[name] ?? Tensor.zeros(p.shape, dtype: p.dtype)
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

    public func stateDict() throws -> [(String, Tensor)] {
        try steps.keys.sorted().flatMap { name in
            [("\(name).step", try Tensor([Int64(steps[name]!)], shape: [])),
             ("\(name).exp_avg", expAvg[name]!), ("\(name).exp_avg_sq", expAvgSq[name]!)]
        }
    }
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
