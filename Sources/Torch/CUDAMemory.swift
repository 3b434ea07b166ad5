import CTorch

/// What libtorch's CUDA caching allocator holds on one GPU, as PyTorch's
/// `torch.cuda.memory_allocated`, `max_memory_allocated` and `max_memory_reserved` report it.
/// Needs the wheel-cuda build (`Torch.isCUDALinked`); elsewhere every call throws.
public enum CUDAMemory {
    /// Bytes allocated on `device` now.
    public static func allocated(_ device: Device) throws -> Int { try statistic(device, 0) }
    /// Most bytes allocated at once since the last `resetPeak` (or the start).
    public static func peakAllocated(_ device: Device) throws -> Int { try statistic(device, 1) }
    /// Most bytes the allocator reserved from the driver at once.
    public static func peakReserved(_ device: Device) throws -> Int { try statistic(device, 2) }

    /// Starts the peaks afresh (before a measured stretch of work).
    public static func resetPeak(_ device: Device) throws {
        guard case .cuda(let index) = device else { throw TorchError.invalid("CUDA memory of \(device), not a GPU") }
        if ct_cuda_reset_peak_memory(Int32(index)) != 0 { throw TorchError.failure("resetting the peak memory of \(device)") }
    }

    /// Waits until `device` has finished its queued work, so wall-clock timings are honest.
    public static func synchronize(_ device: Device) throws {
        guard case .cuda(let index) = device else { return }
        if ct_cuda_synchronize(Int32(index)) != 0 { throw TorchError.failure("synchronizing \(device)") }
    }

    private static func statistic(_ device: Device, _ which: Int32) throws -> Int {
        guard case .cuda(let index) = device else { throw TorchError.invalid("CUDA memory of \(device), not a GPU") }
        let value = ct_cuda_memory(Int32(index), which)
        if value < 0 { throw TorchError.failure("reading the memory statistics of \(device)") }
        return Int(value)
    }
}

extension Torch {
    /// Whether this build links libtorch_cuda (ENTRANNAS_TORCH=wheel-cuda), so CUDA kernels are
    /// registered and a GPU can be used when the machine has one.
    public static var isCUDALinked: Bool { ct_cuda_linked() }
}
