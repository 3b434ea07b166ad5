/// Stochastic gradient descent with momentum, Nesterov and L2 weight decay, updating exactly as
/// `torch.optim.SGD` does (dampening 0): g = grad + wd*p; buf = m*buf + g; p -= lr*(g + m*buf or buf).
public final class SGD: Optimizer {
    /// The parameter groups, each with its own learning rate and weight decay.
    public var groups: [ParameterGroup]
    /// Momentum factor (DARTS: 0.9); 0 for plain SGD.
    public let momentum: Double
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool
    /// Momentum buffers by parameter name (created on the first step, as in PyTorch).
    public private(set) var buffers: [String: Tensor] = [:]
    /// Whether a step updates each group with multi-tensor calls (the default) or each parameter
    /// with its own calls, as torch.optim.SGD's `foreach` flag chooses; the numbers are the same.
    public var foreach: Bool

    /// SGD over `groups`.
    public init(_ groups: [ParameterGroup], momentum: Double = 0, nesterov: Bool = false, foreach: Bool = true) {
        self.groups = groups
        self.momentum = momentum
        self.nesterov = nesterov
        self.foreach = foreach
    }
    /// SGD over one group of named parameters.
    public convenience init(_ parameters: [(String, Tensor)], learningRate: Double, momentum: Double = 0,
                            weightDecay: Double = 0, nesterov: Bool = false, foreach: Bool = true) {
        self.init([ParameterGroup(parameters, learningRate: learningRate, weightDecay: weightDecay)],
                  momentum: momentum, nesterov: nesterov, foreach: foreach)
    }

    /// One update of every parameter that has a gradient; runs without gradient recording. Each
    /// group's parameters are updated together, a few multi-tensor calls per group (`Foreach`),
    /// which compute what the per-parameter operations of torch.optim.SGD compute.
    public func step() throws {
        guard foreach else { return try stepPerParameter() }
        try withNoGrad {
            for group in groups {
                let present = group.parameters.compactMap { name, p in p.grad.map { (name, p, $0) } }
                guard !present.isEmpty else { continue }
                let parameters = present.map(\.1)
                var d = present.map(\.2)
                if group.weightDecay != 0 { d = try Foreach.add(d, try Foreach.mul(parameters, group.weightDecay)) }
                if momentum != 0 {
                    // buf = momentum * buf + d; a parameter's first step starts its buffer at d.
                    let updated = present.indices.filter { buffers[present[$0].0] != nil }
                    let old = updated.map { buffers[present[$0].0]! }
                    try Foreach.mul_(old, momentum)
                    try Foreach.add_(old, updated.map { d[$0] })
                    for (i, (name, _, _)) in present.enumerated() where buffers[name] == nil {
                        buffers[name] = try d[i].detached().clone()
                    }
                    let buf = present.map { buffers[$0.0]! }
                    d = try nesterov ? Foreach.add(d, try Foreach.mul(buf, momentum)) : buf
                }
                try Foreach.add_(parameters, d, alpha: -group.learningRate)
            }
        }
    }

    /// The same update with calls per parameter (`foreach` false).
    private func stepPerParameter() throws {
        try withNoGrad {
            for group in groups {
                for (name, p) in group.parameters {
                    guard let grad = p.grad else { continue }
                    var d = grad
                    if group.weightDecay != 0 { d = try grad + p * group.weightDecay }
                    if momentum != 0 {
                        let buf: Tensor
                        if let b = buffers[name] {
                            try b.mul_(momentum)
                            try b.add_(d)
                            buf = b
                        } else {
                            buf = try d.detached().clone()
                            buffers[name] = buf
                        }
                        d = try nesterov ? d + buf * momentum : buf
                    }
                    try p.add_(d, alpha: -group.learningRate)
                }
            }
        }
    }

    /// The momentum buffer of a parameter (DARTS' second-order virtual step reads it).
    public func momentumBuffer(_ name: String) -> Tensor? { buffers[name] }

    /// `<name>.momentum_buffer` for every parameter with a buffer, as PyTorch names them.
    public func stateDict() -> [(String, Tensor)] {
        buffers.keys.sorted().map { ("\($0).momentum_buffer", buffers[$0]!) }
    }
    /// Restores momentum buffers saved by `stateDict()`; parameters without one start fresh.
    public func load(stateDict dict: [String: Tensor]) throws {
        var loaded: [String: Tensor] = [:]
        for group in groups {
            for (name, p) in group.parameters {
                if let t = try loadSlot(dict, "\(name).momentum_buffer", like: p) { loaded[name] = t }
            }
        }
        buffers = loaded
    }
}
