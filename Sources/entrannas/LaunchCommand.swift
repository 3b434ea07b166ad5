import ArgumentParser
import Datasets
import Foundation
import NAS
import Torch
#if canImport(Glibc)
import Glibc
#endif

/// `entrannas launch`: starts one process per rank on this machine with the environment
/// torchrun sets, so `search`, `train`, `run` and `eval` run data-parallel over c10d. Like
/// torchrun, a rank that fails brings the others down, so a group never hangs on a dead rank.
struct LaunchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "launch",
        abstract: "Run a command on several processes, data-parallel (as torchrun does).",
        discussion: """
        Each process gets RANK, LOCAL_RANK, WORLD_SIZE, LOCAL_WORLD_SIZE, MASTER_ADDR and MASTER_PORT; \
        rank 0 prints and writes the files, the others only compute. Each takes its own rows of every \
        batch and gradients are averaged over all rows (batch-norm statistics stay per process, as in \
        PyTorch's DDP). Ctrl-C stops every rank cleanly at the same step; --resume continues.

        Examples:
          entrannas launch --nproc-per-node 2 -- \\
            search --method entrannas-dst --preset quick --output runs/dp
          entrannas launch --nnodes 2 --node-rank 0 --master-addr 10.0.0.1 --nproc-per-node 4 -- \\
            train --genotype DARTS_V2
        """)

    @Option(help: "Processes to start on this machine.")
    var nprocPerNode = 2
    @Option(help: "Machines taking part (each runs the same launch command with its own --node-rank).")
    var nnodes = 1
    @Option(help: "This machine's index, 0 ..< --nnodes; node 0 hosts the rendezvous.")
    var nodeRank = 0
    @Option(help: "Address of node 0, reachable from every node.")
    var masterAddr = "127.0.0.1"
    @Option(help: "TCP port of the rendezvous on node 0 (default: a free port with one node, else 29500).")
    var masterPort: Int?
    @Flag(help: "One machine: rendezvous on 127.0.0.1 at a free port, as torchrun's --standalone (the default with --nnodes 1 and no --master-port).")
    var standalone = false
    @Option(help: "Seconds the other ranks get to stop after one failed, before they are killed.")
    var graceSeconds = 15.0

    @Argument(parsing: .captureForPassthrough, help: "The entrannas command and its options, after --.")
    var command: [String] = []

    func validate() throws {
        // Everything after launch's own options goes to the ranks, so its own --help is caught here.
        if let first = command.first, ["--help", "-h", "help"].contains(first) { throw CleanExit.helpRequest(self) }
        if let message = SizeLimits.complaint("--nproc-per-node", nprocPerNode, 1...SizeLimits.processesPerNode) {
            throw ValidationError(message)
        }
        // The world (nodes x processes) is a 32-bit count in c10d.
        if let message = SizeLimits.complaint("--nnodes", nnodes, 1...(Int(Int32.max) / nprocPerNode)) { throw ValidationError(message) }
        if !(graceSeconds >= 0 && graceSeconds.isFinite) {
            throw ValidationError("--grace-seconds must be a number of seconds, 0 or more, got \(graceSeconds)")
        }
        if !(0..<nnodes).contains(nodeRank) { throw ValidationError("--node-rank \(nodeRank) is outside 0..<\(nnodes)") }
        if let masterPort, !(1...65535).contains(masterPort) { throw ValidationError("--master-port \(masterPort) is outside 1...65535") }
        if standalone && nnodes > 1 { throw ValidationError("--standalone is for one machine; drop it or --nnodes \(nnodes)") }
        if standalone && masterPort != nil { throw ValidationError("--standalone picks a free port itself; drop it or --master-port") }
        let args = command.first == "--" ? Array(command.dropFirst()) : command
        guard let name = args.first else {
            throw ValidationError("missing command: give it after --, e.g. entrannas launch --nproc-per-node 2 -- search --preset quick")
        }
        if ["launch", "experiment"].contains(name) {
            throw ValidationError("`\(name)` cannot be launched on several processes; launch search, train, run or eval")
        }
    }

    func run() throws {
        let args = command.first == "--" ? Array(command.dropFirst()) : command
        let world = nnodes * nprocPerNode
        var environment = ProcessInfo.processInfo.environment
        // Torch's threads are shared out between the ranks of this machine, as torchrun's
        // OMP_NUM_THREADS=1 avoids oversubscription; --threads or ENTRANNAS_THREADS override.
        if environment["ENTRANNAS_THREADS"] == nil {
            environment["ENTRANNAS_THREADS"] = "\(max(1, ProcessInfo.processInfo.activeProcessorCount / nprocPerNode))"
        }
        environment["WORLD_SIZE"] = "\(world)"
        environment["LOCAL_WORLD_SIZE"] = "\(nprocPerNode)"
        // One machine needs no agreed port: a free one avoids two groups meeting at 29500.
        let single = standalone || (nnodes == 1 && masterPort == nil)
        let address = standalone ? "127.0.0.1" : masterAddr
        let port = try masterPort ?? (single ? ProcessGroup.freeLoopbackPort() : 29500)
        environment["MASTER_ADDR"] = address
        environment["MASTER_PORT"] = "\(port)"
        // Installed before the first rank starts: a Ctrl-C from here on is passed on, not fatal.
        ForwardedSignals.install()
        let group = RankGroup()
        for local in 0..<nprocPerNode {
            let rank = nodeRank * nprocPerNode + local
            environment["RANK"] = "\(rank)"
            environment["LOCAL_RANK"] = "\(local)"
            try group.start(rank: rank, executable: UnitProcesses.executable, arguments: args, environment: environment)
        }
        print("launch: \(nprocPerNode) of \(world) ranks on this machine ("
              + group.ranks.map { "rank \($0.rank) pid \($0.pid)" }.joined(separator: ", ") + "), rendezvous \(address):\(port)")
        fflush(nil)
        let status = try group.wait(grace: graceSeconds)
        if status != 0 { throw ExitCode(status) }
    }
}

/// The launched ranks: started in a process group of their own, so the launcher alone gets the
/// terminal's Ctrl-C and passes it on once; waited on together, and brought down together when
/// one fails.
final class RankGroup {
    struct Rank { let rank: Int; let pid: pid_t }
    private(set) var ranks: [Rank] = []

    func start(rank: Int, executable: String, arguments: [String], environment: [String: String]) throws {
        do {
            let pid = try ChildProcess.spawn(executable: executable, arguments: arguments, environment: environment,
                                             group: ranks.first?.pid ?? 0)
            ranks.append(Rank(rank: rank, pid: pid))
        } catch {
            signalAll(SIGKILL)
            throw RunError("cannot start rank \(rank): \(error)")
        }
    }

    /// Waits for every rank. Returns 0 when all succeeded, the stop code when they were stopped,
    /// else the first failure's status, after stopping the others (SIGTERM, then SIGKILL after
    /// `grace` seconds).
    func wait(grace: Double) throws -> Int32 {
        var running = Dictionary(uniqueKeysWithValues: ranks.map { ($0.pid, $0.rank) })
        var failure: (rank: Int, status: Int32)?
        var stopped = false
        var killAt: Date?
        while !running.isEmpty {
            var status: Int32 = 0
            let pid = waitpid(-1, &status, WNOHANG)
            if pid > 0, let rank = running.removeValue(forKey: pid) {
                let signalled = (status & 0x7f) != 0
                let code = signalled ? 128 + (status & 0x7f) : (status >> 8) & 0xff
                if code == StopSignal.exitCode { stopped = true }
                if code != 0 && code != StopSignal.exitCode && failure == nil {
                    failure = (rank, code)
                    let how = signalled ? "was killed by signal \(status & 0x7f)" : "exited with status \(code)"
                    FileHandle.standardError.write(Data("launch: rank \(rank) \(how); stopping the other \(running.count) rank(s)\n".utf8))
                    signal(running.keys, SIGTERM)
                    killAt = Date().addingTimeInterval(grace)
                }
                continue
            }
            let pending = ForwardedSignals.take()
            if pending != 0 { signal(running.keys, pending) }
            if let deadline = killAt, Date() > deadline {
                FileHandle.standardError.write(Data("launch: \(running.count) rank(s) still running after \(grace) s; killing them\n".utf8))
                signal(running.keys, SIGKILL)
                killAt = nil
            }
            usleep(50_000)
        }
        if let failure { return failure.status }
        return stopped ? StopSignal.exitCode : 0
    }

    private func signal(_ pids: Dictionary<pid_t, Int>.Keys, _ sig: Int32) {
        for pid in pids { kill(pid, sig) }
    }

    private func signalAll(_ sig: Int32) {
        for rank in ranks { kill(rank.pid, sig) }
    }
}
