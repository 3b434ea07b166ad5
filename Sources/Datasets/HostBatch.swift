/// A batch as plain arrays, ready to become tensors: what the loader's background threads
/// build, so that no Tensor is ever created off the consumer's thread.
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

    public init(images: [Float], labels: [Int64], shape: [Int], indices: [Int], epoch: Int, index: Int) {
        self.images = images
        self.labels = labels
        self.shape = shape
        self.indices = indices
        self.epoch = epoch
        self.index = index
    }

    public var count: Int { labels.count }
}
