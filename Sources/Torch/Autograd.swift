import CTorch

// Reverse-mode differentiation, delegated to libtorch's autograd engine.

extension Tensor {
    /// Whether operations on this tensor are recorded for differentiation.
    public var requiresGrad: Bool {
        get { ct_requires_grad(handle) }
        set { if ct_set_requires_grad(handle, newValue) != 0 { TorchError.fail("requires_grad") } }
    }
    public var isLeaf: Bool { ct_is_leaf(handle) }

    /// Marks this tensor as a leaf that collects gradients, and returns it.
    @discardableResult
    public func requiringGrad(_ on: Bool = true) -> Tensor {
        requiresGrad = on
        return self
    }

    /// Accumulates d(self)/d(leaf) into every leaf's `grad`. `self` must be a scalar unless
    /// `gradient` is given.
    public func backward(gradient: Tensor? = nil, retainGraph: Bool = false, createGraph: Bool = false) {
        let rc = withExtendedLifetime(gradient) { ct_backward(handle, gradient?.handle, retainGraph, createGraph) }
        if rc != 0 { TorchError.fail("backward") }
    }

    /// The accumulated gradient, or nil when none has been computed.
    public var grad: Tensor? {
        get {
            guard let h = ct_grad(handle) else { return nil }
            return Tensor(owning: h)
        }
        set {
            let rc = withExtendedLifetime(newValue) { ct_set_grad(handle, newValue?.handle) }
            if rc != 0 { TorchError.fail("set grad") }
        }
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
                      retainGraph: Bool? = nil, createGraph: Bool = false, allowUnused: Bool = false) -> [Tensor?] {
    let outs: [OpaquePointer?] = outputs.map { $0.handle }
    let ins: [OpaquePointer?] = inputs.map { $0.handle }
    let gos: [OpaquePointer?]? = gradOutputs?.map { $0.handle }
    var result = [OpaquePointer?](repeating: nil, count: inputs.count)
    let rc = withExtendedLifetime((outputs, inputs, gradOutputs)) {
        gos.map { g in
            ct_autograd_grad(outs, Int64(outs.count), ins, Int64(ins.count), g, retainGraph ?? createGraph, createGraph,
                             allowUnused, &result)
        } ?? ct_autograd_grad(outs, Int64(outs.count), ins, Int64(ins.count), nil, retainGraph ?? createGraph,
                              createGraph, allowUnused, &result)
    }
    if rc != 0 { TorchError.fail("autograd.grad") }
    return result.map { $0.map { Tensor(owning: $0) } }
}

/// Gradient of a scalar with respect to inputs (all must be used).
public func gradients(of output: Tensor, withRespectTo inputs: [Tensor], createGraph: Bool = false) -> [Tensor] {
    gradients(of: [output], withRespectTo: inputs, createGraph: createGraph).map { $0! }
}
