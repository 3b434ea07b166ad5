import Torch

/// A batch as tensors: images NCHW float32, labels int64, made on the consumer's thread from
/// the `HostBatch` a worker prepared.
public struct Batch {
    public let images: Tensor
    public let labels: Tensor
    /// Which dataset image each row came from.
    public let indices: [Int]
    public let epoch: Int
    /// Position of this batch within its epoch.
    public let index: Int

    public init(_ host: HostBatch) {
        images = Tensor(host.images, shape: host.shape)
        labels = Tensor(host.labels, shape: [host.count])
        indices = host.indices
        epoch = host.epoch
        index = host.index
    }

    public var count: Int { indices.count }
}

/// Iterates an epoch as tensor batches.
public struct BatchIterator: IteratorProtocol {
    private let hostBatches: HostBatchIterator

    init(hostBatches: HostBatchIterator) {
        self.hostBatches = hostBatches
    }

    public mutating func next() -> Batch? {
        hostBatches.next().map(Batch.init)
    }
}
