/// A parameter group: tensors updated together with one learning rate and weight decay.
/// Architecture parameters live in a group (and optimizer) apart from network weights.
public struct ParameterGroup {
    /// The tensors, with the names their state is saved under.
    public var parameters: [(name: String, tensor: Tensor)]
    /// Step size for this group; schedules change it.
    public var learningRate: Double
    /// L2 penalty coefficient added to the gradient (0 for none).
    public var weightDecay: Double
    /// A group of named tensors.
    public init(_ parameters: [(String, Tensor)], learningRate: Double, weightDecay: Double = 0) {
        self.parameters = parameters.map { (name: $0.0, tensor: $0.1) }
        self.learningRate = learningRate
        self.weightDecay = weightDecay
    }
}

/// Shared behaviour of SGD and Adam: groups, gradient clearing, and state (de)serialisation as
/// named tensors so checkpoints can hold it.
public protocol Optimizer: AnyObject {
    /// The parameter groups; schedules change their learning rates.
    var groups: [ParameterGroup] { get set }
    /// One update of every parameter that has a gradient.
    func step() throws
    /// Per-parameter state tensors keyed `<parameter name>.<slot>`, plus scalar counters.
    func stateDict() throws -> [(String, Tensor)]
    /// Restores state saved by `stateDict()`.
    func load(stateDict: [String: Tensor]) throws
}

extension Optimizer {
    /// Drops the gradient of every parameter in every group.
    public func zeroGrad() { for g in groups { for p in g.parameters { p.tensor.zeroGrad() } } }

    /// Sets the learning rate of every group (schedules call this once per epoch or step).
    public func setLearningRate(_ lr: Double) { for i in groups.indices { groups[i].learningRate = lr } }
    /// The first group's learning rate (0 with no groups).
    public var learningRate: Double { groups.first?.learningRate ?? 0 }
    /// Every tensor of every group.
    public var allParameters: [Tensor] { groups.flatMap { $0.parameters.map(\.tensor) } }
}

/// Rescales all gradients so their joint L2 norm is at most `maxNorm` (DARTS clips at 5).
/// Returns the norm before clipping.
@discardableResult
public func clipGradNorm(_ parameters: [Tensor], maxNorm: Double, foreach: Bool = true) throws -> Double {
    try withNoGrad {
        let grads = parameters.compactMap { $0.grad }
        guard !grads.isEmpty else { return 0 }
        let total = try Tensor.stack(grads.map { try $0.square().sum() }).sum().sqrt().item()
        let coef = maxNorm / (total + 1e-6)
        if coef < 1 {
            if foreach { try Foreach.mul_(grads, coef) } else { for g in grads { try g.mul_(coef) } }
        }
        return total
    }
}

func loadSlot(_ dict: [String: Tensor], _ key: String, like target: Tensor) throws -> Tensor? {
    guard let t = dict[key] else { return nil }
    guard t.shape == target.shape else {
        throw TorchError.invalid("optimizer state '\(key)' has shape \(t.shape), the parameter has \(target.shape)")
    }
    // On the parameter's device: a checkpoint written on a GPU resumes on a CPU and back.
    return try t.to(target.device).clone()
}
