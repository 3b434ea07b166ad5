import Torch

/// A batch as tensors: images NCHW float32, labels int64, made on the consumer's thread from
/// the `HostBatch` a worker prepared (`try Batch(host)`: making tensors can fail in libtorch,
/// so it is a throwing step of the loop, not of the iteration).
public struct Batch {
    public private(set) var images: Tensor
    public private(set) var labels: Tensor
    /// Which dataset image each row came from.
    public let indices: [Int]
    public let epoch: Int
    /// Position of this batch within its epoch.
    public let index: Int

    /// Throws the host batch's `failure` (an unreadable image file) if it has one.
    public init(_ host: HostBatch) throws {
        _ = try host.checked()
        images = try Tensor(host.images, shape: host.shape)
        labels = try Tensor(host.labels, shape: [host.count])
        indices = host.indices
        epoch = host.epoch
        index = host.index
    }

    /// The batch's tensors on `device`: on a GPU copied from page-locked memory without
    /// blocking, so the copy overlaps with the work already queued. With `format`
    /// `.channelsLast` the images get NHWC strides, as a channels-last network wants them.
    public init(_ host: HostBatch, on device: Device, format: MemoryFormat = .contiguous) throws {
        try self.init(host)
        if device != .cpu {
            images = try images.pinned().to(device, nonBlocking: true)
            labels = try labels.pinned().to(device, nonBlocking: true)
        }
        if format != .contiguous { images = try images.to(memoryFormat: format) }
    }

    public var count: Int { indices.count }
}
