/// One part (train or test) of an image classification dataset, held compactly in memory:
/// 8-bit pixels, image after image, each image channel-major (C planes of H x W, the NCHW
/// order of the batches), and one label per image. Nothing here is specific to 3 channels or
/// 10 classes; the dataset says what it is.
public struct Dataset: Sendable {
    /// Short name as the command line spells it ("fashion-mnist", "cifar10", ...).
    public let name: String
    /// "train" or "test".
    public let part: String
    public let channels: Int
    public let height: Int
    public let width: Int
    public let classNames: [String]
    /// Per-channel statistics used for normalisation, on the 0...1 scale. Both parts of a
    /// dataset carry the training part's statistics, as evaluation must.
    public let statistics: ChannelStatistics
    /// `count * channels * height * width` bytes.
    public let images: [UInt8]
    /// `count` labels, each in `0..<classCount`.
    public let labels: [Int32]

    public var count: Int { labels.count }
    public var classCount: Int { classNames.count }
    /// Values per image: channels x height x width.
    public var imageSize: Int { channels * height * width }
    public var shape: ImageShape { ImageShape(channels: channels, height: height, width: width) }
    public var mean: [Float] { statistics.mean }
    public var std: [Float] { statistics.std }

    /// Checks that images and labels agree in number and that every label names a class.
    /// With `statistics` nil, they are computed from `images`.
    public init(name: String, part: String, channels: Int, height: Int, width: Int, classNames: [String],
                images: [UInt8], labels: [Int32], statistics: ChannelStatistics? = nil) throws {
        guard channels > 0, height > 0, width > 0 else {
            throw DatasetError.invalidArgument("\(name) \(part): image shape \(channels)x\(height)x\(width) has an empty side")
        }
        guard !classNames.isEmpty else {
            throw DatasetError.invalidArgument("\(name) \(part): no classes")
        }
        let imageSize = channels * height * width
        guard images.count == labels.count * imageSize else {
            throw DatasetError.invalidArgument(
                "\(name) \(part): \(images.count) pixel bytes do not make \(labels.count) images of \(channels)x\(height)x\(width)")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classNames.count }) {
            throw DatasetError.invalidArgument(
                "\(name) \(part): image \(bad) has label \(labels[bad]), outside 0..<\(classNames.count)")
        }
        if let statistics {
            guard statistics.mean.count == channels, statistics.std.count == channels else {
                throw DatasetError.invalidArgument("\(name) \(part): statistics for \(statistics.mean.count) channels, images have \(channels)")
            }
            guard statistics.std.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw DatasetError.invalidArgument("\(name) \(part): standard deviations must be positive, got \(statistics.std)")
            }
        }
        self.name = name
        self.part = part
        self.channels = channels
        self.height = height
        self.width = width
        self.classNames = classNames
        self.images = images
        self.labels = labels
        self.statistics = statistics
            ?? ChannelStatistics(images: images, channels: channels, pixelsPerChannel: height * width)
    }

    /// The pixels of image `index`, channel-major.
    public func image(at index: Int) -> ArraySlice<UInt8> {
        images[(index * imageSize)..<((index + 1) * imageSize)]
    }

    /// How many images each class has.
    public func classCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classCount)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }
}

/// A dataset's training and test parts, as `DatasetSpec.load()` returns them.
public struct DatasetPair: Sendable {
    public let train: Dataset
    public let test: Dataset

    public init(train: Dataset, test: Dataset) {
        self.train = train
        self.test = test
    }
}
