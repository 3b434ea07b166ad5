import Foundation

/// The hand-over between the loader's worker threads and the consumer: batches arrive tagged
/// with their index, possibly out of order, and leave strictly in order. A worker may run at
/// most `capacity` batches ahead of the consumer, which bounds memory and still lets the
/// worker holding the next batch always deliver it (so the queue cannot deadlock).
final class BatchQueue: @unchecked Sendable {
    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var waiting: [Int: HostBatch] = [:]
    private var nextIndex: Int
    private let endIndex: Int
    private let capacity: Int
    private var cancelled = false

    init(startIndex: Int, endIndex: Int, capacity: Int) {
        nextIndex = startIndex
        self.endIndex = endIndex
        self.capacity = capacity
    }

    /// Blocks until batch `index` may be built without running more than `capacity` batches
    /// ahead. False once the consumer has gone, telling the worker to stop.
    func waitForRoom(for index: Int) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while !cancelled && index >= nextIndex + capacity {
            condition.wait()
        }
        return !cancelled
    }

    func put(_ batch: HostBatch) {
        condition.lock()
        defer { condition.unlock() }
        guard !cancelled else { return }
        waiting[batch.index] = batch
        condition.broadcast()
    }

    /// The next batch in order, waiting for it if need be; nil after the last one.
    func take() -> HostBatch? {
        condition.lock()
        defer { condition.unlock() }
        guard nextIndex < endIndex, !cancelled else { return nil }
        while waiting[nextIndex] == nil {
            condition.wait()
        }
        let batch = waiting.removeValue(forKey: nextIndex)
        nextIndex += 1
        condition.broadcast()
        return batch
    }

    /// Releases every waiting worker and drops what was prepared.
    func cancel() {
        condition.lock()
        defer { condition.unlock() }
        cancelled = true
        waiting.removeAll()
        condition.broadcast()
    }
}
