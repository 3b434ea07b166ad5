import Torch

/// The line a run logs at its end on a GPU: the most memory libtorch's allocator held, so a
/// user sees what a larger batch or network would need; nil on the CPU or without CUDA linked.
func peakGPUMemoryLine(_ device: Device) throws -> String? {
    guard device.isCUDA, Torch.isCUDALinked else { return nil }
    return String(format: "peak GPU memory on %@: %.0f MiB allocated, %.0f MiB reserved", device.description,
                  Double(try CUDAMemory.peakAllocated(device)) / 1_048_576,
                  Double(try CUDAMemory.peakReserved(device)) / 1_048_576)
}
