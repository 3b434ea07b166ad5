import CTorch

// In-place updates, for optimizers, running statistics and weight loading. They are not
// recorded by autograd only when called under `withNoGrad`, as in PyTorch's `torch.no_grad()`.

extension Tensor {
    private func check(_ rc: Int32, _ what: String) throws { if rc != 0 { throw TorchError.failure(what) } }

    /// Copies `source` (broadcast) into this tensor's memory.
    public func copy_(_ source: Tensor) throws { try check(ct_copy_(handle, source.handle), "copy_") }
    /// Sets every element to zero.
    public func zero_() throws { try check(ct_zero_(handle), "zero_") }
    /// Sets every element to `value`.
    public func fill_(_ value: Double) throws { try check(ct_fill_(handle, value), "fill_") }
    /// self += alpha * other
    public func add_(_ other: Tensor, alpha: Double = 1) throws { try check(ct_add_(handle, other.handle, alpha), "add_") }
    /// self *= scalar
    public func mul_(_ scalar: Double) throws { try check(ct_mul_scalar_(handle, scalar), "mul_") }
    /// self *= other (broadcast)
    public func mul_(_ other: Tensor) throws { try check(ct_mul_(handle, other.handle), "mul_") }
    /// self += value * a * b
    public func addcmul_(_ a: Tensor, _ b: Tensor, value: Double = 1) throws {
        try check(ct_addcmul_(handle, a.handle, b.handle, value), "addcmul_")
    }
    /// self += value * a / b
    public func addcdiv_(_ a: Tensor, _ b: Tensor, value: Double = 1) throws {
        try check(ct_addcdiv_(handle, a.handle, b.handle, value), "addcdiv_")
    }
}
