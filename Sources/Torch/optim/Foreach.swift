import CTorch

/// Multi-tensor ("foreach") updates: one libtorch call for a whole list, as torch.optim's foreach
/// implementations make them. On a GPU an optimizer step then launches a few kernels instead of
/// several per parameter (docs/performance.md#foreach); the numbers are those of the per-tensor
/// operations.
enum Foreach {
    private static func handles(_ tensors: [Tensor]) -> [OpaquePointer?] { tensors.map { $0.handle } }

    private static func check(_ a: [Tensor], _ b: [Tensor], _ what: String) throws {
        guard a.count == b.count else { throw TorchError.invalid("\(what): lists of \(a.count) and \(b.count) tensors") }
    }

    /// tensors[i] *= scalar.
    static func mul_(_ tensors: [Tensor], _ scalar: Double) throws {
        guard !tensors.isEmpty else { return }
        let hs = handles(tensors)
        try withExtendedLifetime(tensors) {
            try TorchError.check(ct_foreach_mul_scalar_(hs, Int64(hs.count), scalar), "foreach mul_")
        }
    }

    /// tensors[i] += alpha * others[i].
    static func add_(_ tensors: [Tensor], _ others: [Tensor], alpha: Double = 1) throws {
        try check(tensors, others, "foreach add_")
        guard !tensors.isEmpty else { return }
        let a = handles(tensors), b = handles(others)
        try withExtendedLifetime((tensors, others)) {
            try TorchError.check(ct_foreach_add_list_(a, b, Int64(a.count), alpha), "foreach add_")
        }
    }

    /// [tensors[i] * scalar].
    static func mul(_ tensors: [Tensor], _ scalar: Double) throws -> [Tensor] {
        guard !tensors.isEmpty else { return [] }
        let hs = handles(tensors)
        var out = [OpaquePointer?](repeating: nil, count: hs.count)
        try withExtendedLifetime(tensors) {
            try TorchError.check(ct_foreach_mul_scalar(hs, Int64(hs.count), scalar, &out), "foreach mul")
        }
        return try out.map { try Tensor(owning: $0, "foreach mul") }
    }

    /// [tensors[i] + alpha * others[i]].
    static func add(_ tensors: [Tensor], _ others: [Tensor], alpha: Double = 1) throws -> [Tensor] {
        try check(tensors, others, "foreach add")
        guard !tensors.isEmpty else { return [] }
        let a = handles(tensors), b = handles(others)
        var out = [OpaquePointer?](repeating: nil, count: a.count)
        try withExtendedLifetime((tensors, others)) {
            try TorchError.check(ct_foreach_add_list(a, b, Int64(a.count), alpha, &out), "foreach add")
        }
        return try out.map { try Tensor(owning: $0, "foreach add") }
    }
}
