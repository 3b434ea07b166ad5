/// One part (train or test) of an image classification dataset: its images, as 8-bit pixels
/// held compactly in memory (image after image, each channel-major: C planes of H x W, the NCHW
/// order of the batches) or as files decoded batch by batch (`storage`), and one label per
/// image. Nothing here is specific to 3 channels or 10 classes; the dataset says what it is.
public struct Dataset: Sendable {
    /// Short name as the command line spells it ("fashion-mnist", "cifar10", ...).
    public let name: String
    /// "train" or "test".
    public let part: String
    public let channels: Int
    /// The height of every image in a batch (for files: the output size they are resized to).
    public let height: Int
    public let width: Int
    public let classNames: [String]
    /// Per-channel statistics used for normalisation, on the 0...1 scale. Both parts of a
    /// dataset carry the training part's statistics, as evaluation must.
    public let statistics: ChannelStatistics
    /// Where the pixels are: in memory, or files decoded when a batch needs them.
    public let storage: ImageStorage
    /// `count` labels, each in `0..<classCount`.
    public let labels: [Int32]

    /// `count * channels * height * width` bytes when the images are held in memory; empty
    /// for a dataset of files (`files`), whose pixels exist only batch by batch.
    public var images: [UInt8] {
        if case let .memory(pixels) = storage { return pixels }
        return []
    }

    /// The files, for a dataset read from an image folder; nil when the images are in memory.
    public var files: ImageFiles? {
        if case let .files(files) = storage { return files }
        return nil
    }

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
        self.storage = .memory(images)
        self.labels = labels
        self.statistics = statistics
            ?? ChannelStatistics(images: images, channels: channels, pixelsPerChannel: height * width)
    }

    /// A dataset of image files, one label per file. `statistics` are required: computing them
    /// would mean decoding every file (`ImageFolder` supplies ImageNet's or 0.5/0.5).
    public init(name: String, part: String, classNames: [String], files: ImageFiles, labels: [Int32],
                statistics: ChannelStatistics) throws {
        guard !classNames.isEmpty else {
            throw DatasetError.invalidArgument("\(name) \(part): no classes")
        }
        guard files.paths.count == labels.count else {
            throw DatasetError.invalidArgument("\(name) \(part): \(files.paths.count) files but \(labels.count) labels")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || Int($0) >= classNames.count }) {
            throw DatasetError.invalidArgument(
                "\(name) \(part): \(files.paths[bad]) has label \(labels[bad]), outside 0..<\(classNames.count)")
        }
        guard statistics.mean.count == files.channels, statistics.std.count == files.channels else {
            throw DatasetError.invalidArgument("\(name) \(part): statistics for \(statistics.mean.count) channels, images have \(files.channels)")
        }
        guard statistics.std.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw DatasetError.invalidArgument("\(name) \(part): standard deviations must be positive, got \(statistics.std)")
        }
        self.name = name
        self.part = part
        self.channels = files.channels
        self.height = files.outputSize
        self.width = files.outputSize
        self.classNames = classNames
        self.storage = .files(files)
        self.labels = labels
        self.statistics = statistics
    }

    /// The pixels of image `index`, channel-major, for a dataset held in memory; an empty slice
    /// for a dataset of files (use `decodedImage(at:)`).
    public func image(at index: Int) -> ArraySlice<UInt8> {
        images.isEmpty ? [] : images[(index * imageSize)..<((index + 1) * imageSize)]
    }

    /// Image `index` as it enters augmentation: from memory at the dataset's shape, or decoded
    /// from its file at the file's own size (a failure names the file).
    public func decodedImage(at index: Int) throws -> PixelImage {
        switch storage {
        case let .memory(pixels):
            return try PixelImage(shape: shape, pixels: Array(pixels[(index * imageSize)..<((index + 1) * imageSize)]))
        case let .files(files):
            return try files.image(at: index)
        }
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
