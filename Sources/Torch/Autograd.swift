import CTorch

// Reverse-mode differentiation, delegated to libtorch's autograd engine.

extension Tensor {
    /// Whether operations on this tensor are recorded for differentiation.
    public var requiresGrad: Bool { ct_requires_grad(handle) }
    /// Whether this is a leaf of the graph (created by the user, not by an op); only leaves get `grad`.
    public var isLeaf: Bool { ct_is_leaf(handle) }

    /// Marks this tensor as a leaf that collects gradients, and returns it.
    @discardableResult
    public func requiringGrad(_ on: Bool = true) throws -> Tensor {
        if ct_set_requires_grad(handle, on) != 0 { throw TorchError.failure("requires_grad") }
        return self
    }

    /// Accumulates d(self)/d(leaf) into every leaf's `grad`. `self` must be a scalar unless
    /// `gradient` is given.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false, createGraph: Bool = false) throws {
        let rc = withExtendedLifetime(gradient) { ct_backward(handle, gradient?.handle, retainGraph, createGraph) }
        if rc != 0 { throw TorchError.failure("backward") }
    }

    /// The accumulated gradient, or nil when none has been computed.
    public var grad: Tensor? { ct_grad(handle).map { Tensor(valid: $0) } }

    /// Replaces the accumulated gradient (nil drops it); its shape must match.
    public func setGrad(_ gradient: Tensor?) throws {
        let rc = withExtendedLifetime(gradient) { ct_set_grad(handle, gradient?.handle) }
        if rc != 0 { throw TorchError.failure("set grad") }
    }

    /// Drops the accumulated gradient (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() { _ = ct_zero_grad(handle) }
}

/// d(outputs)/d(inputs) without touching `.grad`, like `torch.autograd.grad`.
///
/// With `createGraph` the result is itself differentiable, which is how the second-order DARTS
/// step gets a Hessian-vector product. Inputs that do not influence the outputs get nil when
/// `allowUnused` is set (otherwise libtorch reports an error).
public func gradients(of outputs: [Tensor], withRespectTo inputs: [Tensor], gradOutputs: [Tensor]? = nil,
                      retainGraph: Bool? = nil, createGraph: Bool = false, allowUnused: Bool = false) throws -> [Tensor?] {
    let outs: [OpaquePointer?] = outputs.map { $0.handle }
    let ins: [OpaquePointer?] = inputs.map { $0.handle }
    // The shim reads one grad output per output: a shorter list would be read past its end.
    if let gradOutputs, gradOutputs.count != outputs.count {
        throw TorchError.invalid("autograd.grad: \(gradOutputs.count) grad outputs for \(outputs.count) outputs; give one per output")
    }
    let gos: [OpaquePointer?]? = gradOutputs?.map { $0.handle }
    var result = [OpaquePointer?](repeating: nil, count: inputs.count)
    let rc = withExtendedLifetime((outputs, inputs, gradOutputs)) {
        gos.map { g in
            ct_autograd_grad(outs, Int64(outs.count), ins, Int64(ins.count), g, retainGraph ?? createGraph, createGraph,
                             allowUnused, &result)
        } ?? ct_autograd_grad(outs, Int64(outs.count), ins, Int64(ins.count), nil, retainGraph ?? createGraph,
                              createGraph, allowUnused, &result)
    }
    if rc != 0 { throw TorchError.failure("autograd.grad") }
    return result.map { $0.map { Tensor(valid: $0) } }
}

/// Gradient of a scalar with respect to inputs (all must be used).
public func gradients(of output: Tensor, withRespectTo inputs: [Tensor], createGraph: Bool = false) throws -> [Tensor] {
    try gradients(of: [output], withRespectTo: inputs, createGraph: createGraph).map { $0! }
}
