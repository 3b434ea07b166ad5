/// A batch as plain arrays, ready to become tensors: what the loader's background threads
/// build, so that no Tensor is ever created off the consumer's thread. A batch whose files
/// could not be read (the `.stop` policy of an image folder) carries the error instead of
/// images, and `Batch(host)` throws it on the consumer's thread: iteration itself never fails.
public struct HostBatch: Sendable, Equatable {
    /// NCHW float32 values, `shape` in order.
    public let images: [Float]
    /// One class index per image.
    public let labels: [Int64]
    /// [batch, channels, height, width].
    public let shape: [Int]
    /// Which dataset image each row came from.
    public let indices: [Int]
    public let epoch: Int
    /// Position of this batch within its epoch.
    public let index: Int
    /// Why the batch could not be built (its images and labels are then empty); nil when it was.
    public let failure: DatasetError?

    public init(images: [Float], labels: [Int64], shape: [Int], indices: [Int], epoch: Int, index: Int,
                failure: DatasetError? = nil) {
        self.images = images
        self.labels = labels
        self.shape = shape
        self.indices = indices
        self.epoch = epoch
        self.index = index
        self.failure = failure
    }

    /// The batch, or its `failure` thrown.
    public func checked() throws -> HostBatch {
        if let failure { throw failure }
        return self
    }

    public var count: Int { labels.count }
}
