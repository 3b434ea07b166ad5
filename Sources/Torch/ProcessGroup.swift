import CTorch
import Foundation

/// A group of processes that exchange tensors through libtorch's own c10d, the engine behind
/// `torch.distributed`: a TCP store for the rendezvous and a Gloo (CPU tensors) or NCCL (CUDA
/// tensors) process group for the collectives. Rank 0 serves the store at host:port; every rank
/// blocks in `init` until all `worldSize` ranks have joined, or throws after `timeout` seconds.
public final class ProcessGroup: @unchecked Sendable {
    /// The collectives' engine, as `torch.distributed`'s backend names.
    public enum Backend: String, Sendable {
        /// CPU tensors; Debian's libtorch (with libgloo-dev's headers).
        case gloo
        /// CUDA tensors, between GPUs; the wheel-cuda build.
        case nccl
    }

    private let handle: OpaquePointer
    /// The engine of the collectives.
    public let backend: Backend
    /// Where `allReduceSum(_: [Double])` puts its numbers: the CPU for Gloo, this rank's GPU for NCCL.
    public let scalarDevice: Device
    /// This process's index, 0 ..< worldSize.
    public let rank: Int
    /// Number of processes in the group.
    public let worldSize: Int

    /// The longest timeout libtorch takes (2^31 - 1 milliseconds, about 24.8 days), in seconds.
    public static let maximumTimeout = Double(Int32.max / 1000)

    /// Whether this libtorch build has Gloo (Debian's does, with libgloo-dev's headers).
    public static var isGlooAvailable: Bool { ct_gloo_available() }
    /// Whether this libtorch build has NCCL (the wheel-cuda build).
    public static var isNCCLAvailable: Bool { ct_nccl_available() }

    /// Joins the group: Gloo by default; NCCL with `backend: .nccl`, whose tensors (and the
    /// numbers of `allReduceSum(_: [Double])`) live on `device`, this rank's GPU.
    public init(host: String = "127.0.0.1", port: Int, rank: Int, worldSize: Int, timeout: Double = 60,
                backend: Backend = .gloo, device: Device = .cpu) throws {
        guard worldSize >= 1, worldSize <= Int(Int32.max), (0..<worldSize).contains(rank) else {
            throw TorchError.invalid("process group: rank \(rank) is outside 0..<\(worldSize)")
        }
        guard (1...65535).contains(port) else { throw TorchError.invalid("process group: port \(port) is outside 1...65535") }
        // libtorch takes milliseconds as a 32-bit number.
        guard timeout > 0, timeout <= Self.maximumTimeout else {
            throw TorchError.invalid("process group: a timeout of \(timeout) s is not a number of seconds in (0, \(Int(Self.maximumTimeout))]")
        }
        let join = backend == .gloo ? ct_process_group_gloo : ct_process_group_nccl
        guard let h = join(host, Int32(port), Int32(rank), Int32(worldSize), Int32(timeout * 1000)) else {
            throw TorchError.failure("joining the \(backend.rawValue) process group at \(host):\(port) as rank \(rank) of \(worldSize)")
        }
        handle = h
        self.backend = backend
        scalarDevice = backend == .nccl ? device : .cpu
        self.rank = rank
        self.worldSize = worldSize
    }

    /// The group torchrun (or any launcher) describes in the environment: RANK, WORLD_SIZE,
    /// MASTER_ADDR, MASTER_PORT; nil when WORLD_SIZE is not set.
    public static func fromEnvironment(timeout: Double = 300, backend: Backend = .gloo, device: Device = .cpu) throws -> ProcessGroup? {
        let env = ProcessInfo.processInfo.environment
        guard let world = env["WORLD_SIZE"].flatMap(Int.init) else { return nil }
        guard let rank = env["RANK"].flatMap(Int.init), let port = env["MASTER_PORT"].flatMap(Int.init) else {
            throw TorchError.invalid("WORLD_SIZE is set, so RANK and MASTER_PORT must be too (as torchrun sets them)")
        }
        return try ProcessGroup(host: env["MASTER_ADDR"] ?? "127.0.0.1", port: port, rank: rank, worldSize: world,
                                timeout: timeout, backend: backend, device: device)
    }

    deinit { ct_process_group_free(handle) }

    /// Sums every tensor, in place, across the group.
    public func allReduceSum(_ tensors: [Tensor]) throws {
        try coalesced(tensors) { buffers in
            var handles: [OpaquePointer?] = buffers.map { $0.handle }
            let rc = withExtendedLifetime(buffers) { ct_all_reduce_sum(handle, &handles, Int64(handles.count)) }
            if rc != 0 { throw TorchError.failure("all-reduce on rank \(rank) of \(worldSize) (did another rank stop or die?)") }
        }
    }

    /// Runs a collective on one flat buffer per dtype and device (one exchange instead of one
    /// per tensor, as DDP's gradient buckets do), then copies the results back.
    private func coalesced(_ tensors: [Tensor], _ collective: ([Tensor]) throws -> Void) throws {
        var groups: [String: [Tensor]] = [:]
        var order: [String] = []
        for t in tensors {
            let key = "\(t.dtype) \(t.device)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(t)
        }
        for key in order {
            let members = groups[key]!
            guard members.count > 1 else { try collective(members); continue }
            let buffer = try withNoGrad { try Tensor.cat(members.map { try $0.reshape([-1]) }) }
            try collective([buffer])
            try withNoGrad {
                var offset = 0
                for t in members {
                    try t.copy_(buffer.narrow(dim: 0, start: offset, length: t.count).reshape(t.shape))
                    offset += t.count
                }
            }
        }
    }

    /// Averages every tensor, in place, across the group (gradients of data-parallel training).
    public func allReduceMean(_ tensors: [Tensor]) throws {
        try allReduceSum(tensors)
        guard worldSize > 1 else { return }
        try withNoGrad { for t in tensors { try t.mul_(1 / Double(worldSize)) } }
    }

    /// Sums plain numbers across the group (metrics, a stop request), in double precision.
    public func allReduceSum(_ values: [Double]) throws -> [Double] {
        guard !values.isEmpty else { return [] }
        let t = try Tensor(values, shape: [values.count]).to(scalarDevice)
        try allReduceSum([t])
        return try t.doubles()
    }

    /// Copies every tensor from rank `root` to all ranks, in place (identical starting weights).
    public func broadcast(_ tensors: [Tensor], from root: Int = 0) throws {
        try coalesced(tensors) { buffers in
            var handles: [OpaquePointer?] = buffers.map { $0.handle }
            let rc = withExtendedLifetime(buffers) { ct_broadcast(handle, &handles, Int64(handles.count), Int32(root)) }
            if rc != 0 { throw TorchError.failure("broadcast from rank \(root) on rank \(rank) of \(worldSize) (did another rank stop or die?)") }
        }
    }

    /// Returns when every rank has reached it.
    public func barrier() throws {
        if ct_barrier(handle) != 0 { throw TorchError.failure("barrier on rank \(rank)") }
    }
}
