import CTorch
import Foundation

/// Process-wide libtorch settings: threads, seed, RNG state, allocator, devices.
///
/// The allocator tuning and the default thread count (the machine's cores, or
/// `ENTRANNAS_THREADS`) are applied when the shim library loads, before any tensor exists.
public enum Torch {
    /// The libtorch version string, for logs and reports.
    public static var version: String { String(cString: ct_version()) }

    /// Threads libtorch uses for intra-op parallelism; values below 1 are raised to 1.
    public static var threadCount: Int {
        get { Int(ct_get_num_threads()) }
        set { ct_set_num_threads(Int32(clamping: max(1, newValue))) }
    }

    /// Whether glibc malloc was told to keep large blocks (docs/libtorch-binding.md#allocator).
    public static var allocatorTuned: Bool { ct_allocator_tuned() == 1 }

    /// The allocator in use, in words, for the run log.
    public static var allocatorDescription: String {
        if let pre = ProcessInfo.processInfo.environment["LD_PRELOAD"], pre.contains("tcmalloc") { return "tcmalloc (LD_PRELOAD)" }
        return allocatorTuned ? "glibc, mmap_threshold=32MiB trim_threshold=1GiB" : "glibc defaults (untuned)"
    }

    /// Devices libtorch can see: "cpu", then "cuda:N" for each GPU.
    public static var devices: [String] {
        var d = ["cpu"]
        let n = Int(ct_cuda_device_count())
        if n > 0 { d += (0..<n).map { "cuda:\($0)" } }
        return d
    }

    /// Seeds libtorch's global CPU generator (weights, randn, dropout, drop-path) and the
    /// generator of every CUDA device.
    public static func manualSeed(_ seed: UInt64) {
        ct_manual_seed(seed)
        _ = ct_cuda_manual_seed_all(seed)
    }

    /// The generator's state, to store in checkpoints so a resumed run draws the same numbers.
    public static func rngState() throws -> Tensor { try Tensor(owning: ct_rng_get_state(), "rng state") }

    /// Restores a state from `rngState()`, so a resumed run continues the same random stream.
    public static func setRNGState(_ state: Tensor) throws {
        try TorchError.check(ct_rng_set_state(state.handle), "restoring the random generator state")
    }
}

/// Runs `body` with gradient recording off, like `torch.no_grad()`.
@discardableResult
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = ct_set_grad_enabled(false)
    defer { ct_set_grad_enabled(previous) }
    return try body()
}

/// Runs `body` with gradient recording on (inside an outer no-grad scope, for example).
@discardableResult
public func withGrad<R>(_ body: () throws -> R) rethrows -> R {
    let previous = ct_set_grad_enabled(true)
    defer { ct_set_grad_enabled(previous) }
    return try body()
}

/// Whether gradient recording is on (false inside `withNoGrad`).
public var isGradEnabled: Bool { ct_is_grad_enabled() }
