import CTorch

/// Where tensors live and compute: the CPU or one CUDA GPU. Every command takes
/// `--device auto|cpu|cuda[:N]`; `auto` is the first GPU when libtorch sees one, else the CPU.
public enum Device: Hashable, Sendable, CustomStringConvertible {
    case cpu
    /// The CUDA GPU with this index.
    case cuda(Int)

    /// Parses "cpu", "cuda", "cuda:N" or "auto"; a GPU that does not exist is an error naming
    /// the devices there are.
    public init(parsing text: String) throws {
        let t = text.lowercased()
        switch t {
        case "auto": self = Device.auto
        case "cpu": self = .cpu
        case "cuda", "gpu": self = .cuda(0)
        default:
            guard t.hasPrefix("cuda:"), let index = Int(t.dropFirst(5)), index >= 0 else {
                throw TorchError.invalid("unknown device '\(text)'; use auto, cpu, cuda or cuda:N")
            }
            self = .cuda(index)
        }
        if case .cuda(let index) = self, index >= Torch.cudaDeviceCount {
            throw TorchError.invalid("device \(self) is not available: libtorch sees \(Torch.cudaDeviceCount) CUDA device(s) "
                                     + "(\(Torch.devices.joined(separator: ", "))); use --device cpu or auto")
        }
    }

    /// The first CUDA device when there is one, else the CPU.
    public static var auto: Device { Torch.cudaDeviceCount > 0 ? .cuda(0) : .cpu }

    /// "cpu" or "cuda:N", as PyTorch spells it.
    public var description: String {
        switch self {
        case .cpu: return "cpu"
        case .cuda(let index): return "cuda:\(index)"
        }
    }

    public var isCUDA: Bool { if case .cuda = self { return true } else { return false } }

    var code: (type: Int32, index: Int32) {
        switch self {
        case .cpu: return (Int32(CT_CPU.rawValue), 0)
        case .cuda(let index): return (Int32(CT_CUDA.rawValue), Int32(index))
        }
    }
}

extension Torch {
    /// CUDA devices libtorch can use (0 without a GPU, a driver or a CUDA build).
    public static var cudaDeviceCount: Int { Int(ct_cuda_device_count()) }
}

extension Tensor {
    /// The device this tensor lives on.
    public var device: Device {
        var index: Int32 = 0
        return ct_device_type(handle, &index) == Int32(CT_CUDA.rawValue) ? .cuda(Int(index)) : .cpu
    }

    /// The tensor on `device` (itself when already there). `nonBlocking` lets a copy from
    /// pinned host memory overlap with GPU work.
    public func to(_ device: Device, nonBlocking: Bool = false) throws -> Tensor {
        let (type, index) = device.code
        return try Tensor(owning: ct_to_device(handle, type, index, nonBlocking), "to(\(device))")
    }

    /// A page-locked copy, for fast asynchronous copies to a GPU (the tensor itself without CUDA).
    public func pinned() throws -> Tensor { try Tensor(owning: ct_pin_memory(handle), "pin_memory") }

    /// Zeros with this tensor's shape, dtype and device.
    public static func zeros(like tensor: Tensor) throws -> Tensor {
        try Tensor(owning: ct_zeros_like(tensor.handle), "zeros_like")
    }
}

extension Module {
    /// The device of the module's first parameter or buffer (the CPU for a module with none).
    public var device: Device { (namedParameters().first ?? namedBuffers().first)?.1.device ?? .cpu }

    /// Moves every parameter and buffer to `device` in place, as PyTorch's `module.to(device)`:
    /// each tensor keeps its identity, so optimizers built before the move still hold them.
    /// Gradients are dropped.
    public func to(_ device: Device) throws {
        try withNoGrad {
            for (name, tensor) in namedParameters() + namedBuffers() where tensor.device != device {
                let moved = try tensor.detached().to(device)
                guard ct_set_data(tensor.handle, moved.handle) == 0 else { throw TorchError.failure("moving \(name) to \(device)") }
                try tensor.setGrad(nil)
            }
        }
    }
}
