import CTorch

/// How a 4-D tensor's elements lie in memory: row-major NCHW (libtorch's default) or NHWC,
/// "channels last", which some convolution kernels run faster on. Only the strides differ:
/// shapes, indexing and saved files stay NCHW. The raw values are the benchmarks' flag spellings.
public enum MemoryFormat: String, CaseIterable, Sendable, CustomStringConvertible {
    /// NCHW row-major, PyTorch's `torch.contiguous_format`.
    case contiguous = "contiguous"
    /// NHWC strides, PyTorch's `torch.channels_last` (4-D tensors only).
    case channelsLast = "channels-last"

    public var description: String { rawValue }

    var code: Int32 {
        switch self {
        case .contiguous: return Int32(CT_CONTIGUOUS_FORMAT.rawValue)
        case .channelsLast: return Int32(CT_CHANNELS_LAST.rawValue)
        }
    }
}

extension Tensor {
    /// The same values dense in `format` (self when already dense in it), as PyTorch's
    /// `contiguous(memory_format=)`. A tensor dense in both layouts (one channel, 1x1 spatial
    /// size) comes back as it is; `to(memoryFormat:)` restrides it.
    public func contiguous(_ format: MemoryFormat = .contiguous) throws -> Tensor {
        try Tensor(owning: ct_contiguous(handle, format.code), "contiguous(\(format))")
    }

    /// Whether the elements are dense in `format`'s order (both are true for some shapes).
    public func isContiguous(_ format: MemoryFormat = .contiguous) -> Bool { ct_is_contiguous(handle, format.code) == 1 }

    /// The layout libtorch reads from the strides (`suggest_memory_format`): the layout
    /// convolutions, batch norm and element-wise operations give their outputs.
    public var memoryFormat: MemoryFormat {
        ct_memory_format_of(handle) == Int32(CT_CHANNELS_LAST.rawValue) ? .channelsLast : .contiguous
    }

    /// The tensor with `format`'s strides (self when its `memoryFormat` is already `format`), as
    /// PyTorch's `to(memory_format=)`. Unlike `contiguous(_:)` it restrides a one-channel image
    /// or a 1x1 kernel too, so a network's first convolution already runs channels-last.
    public func to(memoryFormat format: MemoryFormat) throws -> Tensor {
        try Tensor(owning: ct_to_memory_format(handle, format.code), "to(memoryFormat: \(format))")
    }
}

extension Module {
    /// The layout of the module's 4-D weights (its first convolution's): what its inputs
    /// should have; `.contiguous` for a module without any.
    public var memoryFormat: MemoryFormat {
        namedParameters().first { $0.1.rank == 4 }?.1.memoryFormat ?? .contiguous
    }

    /// Gives every 4-D parameter and buffer `format`'s strides in place, as PyTorch's
    /// `module.to(memory_format=)`: each tensor keeps its identity, so optimizers built before
    /// still hold them. Gradients of converted tensors are dropped; other ranks are left alone.
    public func to(memoryFormat format: MemoryFormat) throws {
        try withNoGrad {
            for (name, tensor) in namedParameters() + namedBuffers() where tensor.rank == 4 && tensor.memoryFormat != format {
                let converted = try tensor.detached().to(memoryFormat: format)
                guard ct_set_data(tensor.handle, converted.handle) == 0 else {
                    throw TorchError.failure("converting \(name) to \(format)")
                }
                try tensor.setGrad(nil)
            }
        }
    }
}
