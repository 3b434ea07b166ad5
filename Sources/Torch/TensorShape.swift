import CTorch

// Views, slicing, joining and reshaping. Negative dimensions count from the end, as in PyTorch.

extension Tensor {
    /// The same elements in a new shape; one dimension may be -1 (inferred).
    public func reshape(_ shape: [Int]) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try Tensor(owning: ct_reshape(handle, s, Int64(s.count)), "reshape to \(shape)")
    }
    /// Flattens dimensions `from...` into one (the classifier input).
    public func flatten(from start: Int = 1) throws -> Tensor {
        let s = shape
        return try reshape(Array(s.prefix(start)) + [-1])
    }
    /// Reorders the dimensions: dimension i of the result is `dims[i]` of self (a view).
    public func permute(_ dims: [Int]) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try Tensor(owning: ct_permute(handle, d, Int64(d.count)), "permute")
    }
    /// Swaps two dimensions (a view).
    public func transpose(_ d0: Int, _ d1: Int) throws -> Tensor {
        try Tensor(owning: ct_transpose(handle, Int64(d0), Int64(d1)), "transpose")
    }
    /// Elements `start..<start+length` along `dim` (a view).
    public func narrow(dim: Int, start: Int, length: Int) throws -> Tensor { try slice(dim: dim, start: start, end: start + length) }
    /// Every `step`-th element in `start..<end` along `dim` (a view); `end` defaults to the end.
    public func slice(dim: Int, start: Int = 0, end: Int = Int(Int64.max), step: Int = 1) throws -> Tensor {
        try Tensor(owning: ct_slice(handle, Int64(dim), Int64(start), Int64(end), Int64(step)), "slice")
    }
    /// The slice at `index` along `dim`, which is removed (a view).
    public func select(dim: Int, index: Int) throws -> Tensor {
        try Tensor(owning: ct_select(handle, Int64(dim), Int64(index)), "select")
    }
    /// The slice at `index` along the first dimension.
    public subscript(index: Int) -> Tensor { get throws { try select(dim: 0, index: index) } }
    /// The slices along `dim` at the int64 indices in `index` (a copy).
    public func indexSelect(dim: Int, index: Tensor) throws -> Tensor {
        try Tensor(owning: ct_index_select(handle, Int64(dim), index.handle), "index_select")
    }
    /// Inserts a dimension of size 1 at `dim`.
    public func unsqueeze(_ dim: Int) throws -> Tensor { try Tensor(owning: ct_unsqueeze(handle, Int64(dim)), "unsqueeze") }
    /// Removes dimension `dim` when its size is 1.
    public func squeeze(_ dim: Int) throws -> Tensor { try Tensor(owning: ct_squeeze_dim(handle, Int64(dim)), "squeeze") }
    /// Broadcasts size-1 dimensions to `shape` without copying; -1 keeps a size.
    public func expand(_ shape: [Int]) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try Tensor(owning: ct_expand(handle, s, Int64(s.count)), "expand")
    }
    /// A deep copy that stays in the autograd graph.
    public func clone() throws -> Tensor { try Tensor(owning: ct_clone(handle), "clone") }
    /// The same data, cut from the autograd graph.
    public func detached() throws -> Tensor { try Tensor(owning: ct_detach(handle), "detach") }
    /// A second Swift handle on the same libtorch tensor (same data, same autograd identity).
    public func alias() throws -> Tensor { try Tensor(owning: ct_shallow(handle), "alias") }

    /// Splits into `chunks` near-equal pieces along `dim` (views); the last may be smaller or fewer
    /// may return.
    public func chunked(_ chunks: Int, dim: Int = 0) throws -> [Tensor] {
        var out = [OpaquePointer?](repeating: nil, count: chunks)
        let n = ct_chunk(handle, Int64(chunks), Int64(dim), &out, Int64(chunks))
        if n < 0 { throw TorchError.failure("chunk") }
        return try out.prefix(Int(n)).map { try Tensor(owning: $0, "chunk") }
    }

    /// Consecutive pieces of the given sizes along `dim` (views; the sizes must add up to the
    /// dimension). Unlike `narrow`, whose backward pass fills a zero tensor of the whole input for
    /// each piece and adds them, the pieces' gradients are joined in one concatenation.
    public func split(sizes: [Int], dim: Int = 0) throws -> [Tensor] {
        var out = [OpaquePointer?](repeating: nil, count: sizes.count)
        let n = ct_split_sizes(handle, sizes.map(Int64.init), Int64(sizes.count), Int64(dim), &out)
        if n != sizes.count { throw TorchError.failure("split") }
        return try out.map { try Tensor(owning: $0, "split") }
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

    /// ShuffleNet's channel shuffle (PC-DARTS mixes partial channels with it): one copy, in
    /// this tensor's memory format.
    public func channelShuffle(groups: Int) throws -> Tensor {
        let s = shape
        guard s.count == 4, groups > 0, s[1] % groups == 0 else {
            throw TorchError.invalid("channelShuffle needs NCHW channels divisible by \(groups) groups, got shape \(s)")
        }
        if memoryFormat == .channelsLast {
            // Shuffles the last dimension of the NHWC view, so the result keeps NHWC strides.
            let (n, c, h, w) = (s[0], s[1], s[2], s[3])
            return try permute([0, 2, 3, 1]).reshape([n, h, w, groups, c / groups]).transpose(3, 4).contiguous()
                .reshape([n, h, w, c]).permute([0, 3, 1, 2])
        }
        return try reshape([s[0], groups, s[1] / groups, s[2], s[3]]).transpose(1, 2).contiguous().reshape(s)
    }
}
