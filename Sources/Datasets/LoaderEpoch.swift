import Foundation

/// One epoch of a `DataLoader`, from a start batch to the end. Iterating it starts the
/// background workers; each new iteration starts afresh and yields the same batches.
public struct LoaderEpoch: Sequence, Sendable {
    public let loader: DataLoader
    public let epoch: Int
    public let startBatch: Int

    init(loader: DataLoader, epoch: Int, startBatch: Int) {
        self.loader = loader
        self.epoch = epoch
        self.startBatch = startBatch
    }

    /// Batches this iteration will yield.
    public var underestimatedCount: Int { loader.batchCount - startBatch }

    /// The batches as plain arrays; `try Batch(host)` makes the tensors.
    public func makeIterator() -> HostBatchIterator {
        HostBatchIterator(loader: loader, epoch: epoch, startBatch: startBatch)
    }
}

/// Yields an epoch's `HostBatch`es in order while `loader.workers` threads prepare up to
/// `loader.prefetch` batches ahead. Dropping the iterator early stops the threads.
public final class HostBatchIterator: IteratorProtocol, Sequence {
    private let queue: BatchQueue
    private var started = false
    private let startWorkers: () -> Void

    init(loader: DataLoader, epoch: Int, startBatch: Int) {
        let endBatch = loader.batchCount
        let queue = BatchQueue(startIndex: startBatch, endIndex: endBatch, capacity: loader.prefetch)
        self.queue = queue
        startWorkers = {
            // Each worker computes the epoch's order itself (a shuffle of at most the dataset's
            // indices) so no thread waits on another before its first batch.
            for worker in 0..<loader.workers {
                let thread = Thread {
                    let order = loader.order(epoch: epoch)
                    for index in stride(from: startBatch + worker, to: endBatch, by: loader.workers) {
                        guard queue.waitForRoom(for: index) else { return }
                        queue.put(loader.makeBatch(epoch: epoch, index: index, order: order))
                    }
                }
                thread.name = "entrannas.loader.\(worker)"
                thread.start()
            }
        }
    }

    deinit {
        queue.cancel()
    }

    public func next() -> HostBatch? {
        if !started {
            started = true
            startWorkers()
        }
        return queue.take()
    }
}
