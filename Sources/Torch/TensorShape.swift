import CTorch

// Views, slicing, joining and reshaping. Negative dimensions count from the end, as in PyTorch.

extension Tensor {
    public func reshape(_ shape: [Int]) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try Tensor(owning: ct_reshape(handle, s, Int64(s.count)), "reshape to \(shape)")
    }
    /// Flattens dimensions `from...` into one (the classifier input).
    public func flatten(from start: Int = 1) throws -> Tensor {
        let s = shape
        return try reshape(Array(s.prefix(start)) + [-1])
    }
    public func permute(_ dims: [Int]) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try Tensor(owning: ct_permute(handle, d, Int64(d.count)), "permute")
    }
    public func transpose(_ d0: Int, _ d1: Int) throws -> Tensor {
        try Tensor(owning: ct_transpose(handle, Int64(d0), Int64(d1)), "transpose")
    }
    /// Elements `start..<start+length` along `dim` (a view).
    public func narrow(dim: Int, start: Int, length: Int) throws -> Tensor { try slice(dim: dim, start: start, end: start + length) }
    public func slice(dim: Int, start: Int = 0, end: Int = Int(Int64.max), step: Int = 1) throws -> Tensor {
        try Tensor(owning: ct_slice(handle, Int64(dim), Int64(start), Int64(end), Int64(step)), "slice")
    }
    public func select(dim: Int, index: Int) throws -> Tensor {
        try Tensor(owning: ct_select(handle, Int64(dim), Int64(index)), "select")
    }
    public subscript(index: Int) -> Tensor { get throws { try select(dim: 0, index: index) } }
    public func indexSelect(dim: Int, index: Tensor) throws -> Tensor {
        try Tensor(owning: ct_index_select(handle, Int64(dim), index.handle), "index_select")
    }
    public func unsqueeze(_ dim: Int) throws -> Tensor { try Tensor(owning: ct_unsqueeze(handle, Int64(dim)), "unsqueeze") }
    public func squeeze(_ dim: Int) throws -> Tensor { try Tensor(owning: ct_squeeze_dim(handle, Int64(dim)), "squeeze") }
    public func expand(_ shape: [Int]) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try Tensor(owning: ct_expand(handle, s, Int64(s.count)), "expand")
    }
    public func contiguous() throws -> Tensor { try Tensor(owning: ct_contiguous(handle), "contiguous") }
    /// A deep copy that stays in the autograd graph.
    public func clone() throws -> Tensor { try Tensor(owning: ct_clone(handle), "clone") }
    /// The same data, cut from the autograd graph.
    public func detached() throws -> Tensor { try Tensor(owning: ct_detach(handle), "detach") }
    /// A second Swift handle on the same libtorch tensor (same data, same autograd identity).
    public func alias() throws -> Tensor { try Tensor(owning: ct_shallow(handle), "alias") }

    public func chunked(_ chunks: Int, dim: Int = 0) throws -> [Tensor] {
        var out = [OpaquePointer?](repeating: nil, count: chunks)
        let n = ct_chunk(handle, Int64(chunks), Int64(dim), &out, Int64(chunks))
        if n < 0 { throw TorchError.failure("chunk") }
        return try out.prefix(Int(n)).map { try Tensor(owning: $0, "chunk") }
    }

    /// Zero padding (or `value`) of the last two dimensions: left, right, top, bottom.
    public func padded(_ pad: [Int], value: Double = 0) throws -> Tensor {
        let p = pad.map(Int64.init)
        return try Tensor(owning: ct_constant_pad(handle, p, Int64(p.count), value), "pad")
    }

    /// Concatenation along an existing dimension.
    public static func cat(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        let hs: [OpaquePointer?] = tensors.map { $0.handle }
        return try withExtendedLifetime(tensors) { try Tensor(owning: ct_cat(hs, Int64(hs.count), Int64(dim)), "cat") }
    }
    /// Stacking along a new dimension.
    public static func stack(_ tensors: [Tensor], dim: Int = 0) throws -> Tensor {
        let hs: [OpaquePointer?] = tensors.map { $0.handle }
        return try withExtendedLifetime(tensors) { try Tensor(owning: ct_stack(hs, Int64(hs.count), Int64(dim)), "stack") }
    }

    /// ShuffleNet's channel shuffle (PC-DARTS mixes partial channels with it).
    public func channelShuffle(groups: Int) throws -> Tensor {
        let s = shape
        guard s.count == 4, groups > 0, s[1] % groups == 0 else {
            throw TorchError.invalid("channelShuffle needs NCHW channels divisible by \(groups) groups, got shape \(s)")
        }
        return try reshape([s[0], groups, s[1] / groups, s[2], s[3]]).transpose(1, 2).contiguous().reshape(s)
    }
}
