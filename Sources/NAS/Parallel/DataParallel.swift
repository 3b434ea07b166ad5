import Datasets
import Torch

/// How one run spreads each batch over processes (docs/distributed.md): every process of the
/// group takes its own rows of the batch (`shard`), computes gradients on them, and the group
/// averages the gradients over all rows, as PyTorch's DistributedDataParallel does. A process
/// may also compute its rows in several `chunks`, one after the other (gradient accumulation):
/// one process with 2 chunks computes exactly what 2 processes compute, batch norm included,
/// because batch norm sees the same rows either way.
public struct DataParallel: Sendable {
    /// The processes sharing the work; nil for one process.
    public let group: ProcessGroup?
    /// Pieces this process splits its rows into (1: the whole share at once).
    public let chunks: Int

    /// One process computing whole batches.
    public static let single = DataParallel(uncheckedGroup: nil, chunks: 1)

    /// Throws when `chunks` is below 1.
    public init(group: ProcessGroup? = nil, chunks: Int = 1) throws {
        guard chunks >= 1 else { throw RunError("--batch-chunks must be at least 1, got \(chunks)") }
        self.init(uncheckedGroup: group, chunks: chunks)
    }

    private init(uncheckedGroup group: ProcessGroup?, chunks: Int) {
        self.group = group
        self.chunks = chunks
    }

    /// This process's rank, 0 without a group.
    public var rank: Int { group?.rank ?? 0 }
    /// Processes in the group, 1 without one.
    public var worldSize: Int { group?.worldSize ?? 1 }
    /// Rank 0, the one process that writes files and prints.
    public var isMain: Bool { rank == 0 }
    /// The rows of every batch this process takes.
    public var shard: DataShard { (try? DataShard(index: rank, count: worldSize)) ?? .whole }

    /// Refuses a batch size that leaves some piece without a row (a piece of one row also
    /// fails batch norm in training, which needs two values per channel).
    public func check(batchSize: Int) throws {
        let (pieces, overflow) = worldSize.multipliedReportingOverflow(by: chunks)
        guard !overflow, pieces <= batchSize / 2 else {
            throw RunError("batch size \(batchSize) gives some of the \(worldSize) process(es) x \(chunks) chunk(s) fewer than 2 images; "
                           + "raise --batch-size to at least \(2 * pieces) or use fewer processes or chunks")
        }
    }

    /// The mean gradient over every row of the global batch, of which `images` and `labels` are
    /// this process's share. `body` returns the mean gradient over one piece's rows (nil for a parameter the
    /// forward pass did not use, which must be the same in every piece). Pieces are weighted by
    /// their rows, so uneven ones average right.
    public func meanGradients(images: Tensor, labels: Tensor,
                              _ body: (_ images: Tensor, _ labels: Tensor) throws -> [Tensor?]) throws -> [Tensor?] {
        let count = labels.size(0)
        let pieces = (0..<chunks).map { DataShard.rows($0, of: chunks, in: count) }.filter { !$0.isEmpty }
        if group == nil && pieces.count == 1 { return try body(images, labels) }
        var sum: [Tensor?] = []
        for rows in pieces {
            let gradients = try body(images.narrow(dim: 0, start: rows.lowerBound, length: rows.count),
                                     labels.narrow(dim: 0, start: rows.lowerBound, length: rows.count))
            try withNoGrad {
                if sum.isEmpty {
                    sum = try gradients.map { try $0.map { try $0 * Double(rows.count) } }
                } else {
                    for (i, g) in gradients.enumerated() {
                        guard let g else { continue }
                        sum[i] = try sum[i].map { try $0 + g * Double(rows.count) } ?? g * Double(rows.count)
                    }
                }
            }
        }
        return try withNoGrad {
            let present = sum.compactMap { $0 }
            let rows = try Tensor.full([1], Double(count), dtype: present.first?.dtype ?? .float32)
            if let group { try group.allReduceSum(present + [rows.to(present.first?.device ?? .cpu)]) }
            let total = try rows.item()
            return try sum.map { try $0.map { try $0 / total } }
        }
    }

    /// Sums numbers over the group (row-weighted losses, counts); unchanged for one process.
    public func sum(_ values: [Double]) throws -> [Double] {
        guard let group else { return values }
        return try group.allReduceSum(values)
    }

    /// Whether any process says yes (a stop request must stop every rank at the same step).
    public func any(_ flag: Bool) throws -> Bool { try sum([flag ? 1 : 0])[0] > 0 }

    /// Copies rank 0's parameters and buffers to every rank: identical starting weights.
    public func broadcast(_ module: Module) throws {
        guard let group else { return }
        try group.broadcast(module.namedParameters().map(\.1) + module.namedBuffers().map(\.1), from: 0)
    }

    /// Copies rank 0's buffers (batch-norm running statistics, which each rank updates from its
    /// own rows) to every rank before an evaluation, as DDP's `broadcast_buffers` does.
    public func broadcastBuffers(_ module: Module) throws {
        guard let group else { return }
        try group.broadcast(module.namedBuffers().map(\.1), from: 0)
    }
}
