import Foundation
import NAS
import Torch
#if canImport(Glibc)
import Glibc
#endif

/// The data-parallel group this process belongs to, as torchrun or `entrannas launch` describes
/// it in the environment (RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT, LOCAL_RANK); joined once,
/// since `run` searches and trains in the same group. Ranks other than 0 print nothing on
/// stdout: rank 0 speaks for the group, errors still reach stderr.
enum Distributed {
    nonisolated(unsafe) private static var joined: ProcessGroup??
    private static let lock = NSLock()

    /// Seconds a collective or the rendezvous waits for a silent rank before failing
    /// (ENTRANNAS_DIST_TIMEOUT, default 300); a rank that dies is noticed at once.
    static var timeout: Double {
        get throws {
            guard let text = ProcessInfo.processInfo.environment["ENTRANNAS_DIST_TIMEOUT"] else { return 300 }
            guard let seconds = Double(text), seconds > 0, seconds <= ProcessGroup.maximumTimeout else {
                throw RunError("ENTRANNAS_DIST_TIMEOUT is '\(text)'; give a number of seconds above 0 and at most "
                               + "\(Int(ProcessGroup.maximumTimeout)) (libtorch's limit, about 24.8 days), or unset it for 300")
            }
            return seconds
        }
    }

    /// The group, or nil when WORLD_SIZE is unset or 1: NCCL when the run computes on a GPU
    /// and this build has NCCL (wheel-cuda), else Gloo. The first call decides.
    static func group(device: Device = .cpu) throws -> ProcessGroup? {
        lock.lock()
        defer { lock.unlock() }
        if let joined { return joined }
        let env = ProcessInfo.processInfo.environment
        var group: ProcessGroup?
        if let world = env["WORLD_SIZE"].flatMap(Int.init), world > 1 {
            let backend: ProcessGroup.Backend = device.isCUDA && ProcessGroup.isNCCLAvailable ? .nccl : .gloo
            guard backend == .nccl || ProcessGroup.isGlooAvailable else {
                throw RunError("WORLD_SIZE is \(world), but this libtorch build has no Gloo process group; "
                               + "build with the Debian libtorch (ENTRANNAS_TORCH=debian) for several processes on CPUs, "
                               + "or with ENTRANNAS_TORCH=wheel-cuda and --device cuda for NCCL")
            }
            let timeout = try timeout
            do { group = try ProcessGroup.fromEnvironment(timeout: timeout, backend: backend, device: device) } catch {
                throw RunError("cannot join the process group: \(error)")
            }
            if let group, group.rank > 0 { silenceStandardOutput() }
        }
        joined = .some(group)
        return group
    }

    /// This process's local rank on its machine (LOCAL_RANK), which picks its GPU.
    static var localRank: Int? { ProcessInfo.processInfo.environment["LOCAL_RANK"].flatMap(Int.init) }

    private static func silenceStandardOutput() {
        fflush(nil)
        let null = open("/dev/null", O_WRONLY)
        if null >= 0 {
            dup2(null, STDOUT_FILENO)
            close(null)
        }
    }
}
