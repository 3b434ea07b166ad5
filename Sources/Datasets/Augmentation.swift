/// What is done to each image on its way into a batch, for any channel count and size. Order,
/// as in the DARTS code: random crop with zero padding, random horizontal flip, conversion to
/// 0...1 and normalisation by the dataset's per-channel mean and std, then cutout.
public struct Augmentation: Sendable, Equatable, CustomStringConvertible {
    /// Pad every side by this many black pixels, then crop back to the original size at a
    /// random offset; 0 turns cropping off.
    public var cropPadding: Int
    /// Mirror left-right with probability 1/2.
    public var horizontalFlip: Bool
    /// Side of the square zeroed at a random centre after normalisation; 0 turns it off.
    public var cutoutLength: Int
    /// Subtract the per-channel mean and divide by the std; otherwise values stay in 0...1.
    public var normalize: Bool

    public init(cropPadding: Int = 0, horizontalFlip: Bool = false, cutoutLength: Int = 0, normalize: Bool = true) {
        self.cropPadding = cropPadding
        self.horizontalFlip = horizontalFlip
        self.cutoutLength = cutoutLength
        self.normalize = normalize
    }

    /// Normalisation only: what test and validation images get.
    public static let plain = Augmentation()

    /// True when images pass through unchanged apart from conversion and normalisation.
    public var isDeterministic: Bool { cropPadding == 0 && !horizontalFlip && cutoutLength == 0 }

    public var description: String {
        var parts: [String] = []
        if cropPadding > 0 { parts.append("crop(pad \(cropPadding))") }
        if horizontalFlip { parts.append("flip") }
        if normalize { parts.append("normalize") }
        if cutoutLength > 0 { parts.append("cutout(\(cutoutLength))") }
        return parts.isEmpty ? "none" : parts.joined(separator: " + ")
    }

    func validate() throws {
        guard cropPadding >= 0 else { throw DatasetError.invalidArgument("crop padding must be 0 or more, got \(cropPadding)") }
        guard cutoutLength >= 0 else { throw DatasetError.invalidArgument("cutout length must be 0 or more, got \(cutoutLength)") }
    }
}

/// An `Augmentation` bound to one image shape and the dataset's statistics, ready to run on
/// raw 8-bit images. Value type without shared state: each thread holds its own.
public struct Augmenter: Sendable {
    public let augmentation: Augmentation
    public let shape: ImageShape
    private let table: [Float]

    public init(_ augmentation: Augmentation, shape: ImageShape, statistics: ChannelStatistics) throws {
        try augmentation.validate()
        guard statistics.mean.count == shape.channels, statistics.std.count == shape.channels else {
            throw DatasetError.invalidArgument("statistics for \(statistics.mean.count) channels, images are \(shape)")
        }
        self.augmentation = augmentation
        self.shape = shape
        table = ImageTransforms.normalisationTable(
            channels: shape.channels, statistics: augmentation.normalize ? statistics : nil)
    }

    /// Augments one image from `source` into `output` (both `shape.count` long). `scratch`
    /// holds the cropped bytes and must be as long too. The draws from `random` come in a
    /// fixed order: crop offsets, flip, cutout centre.
    public func augment(
        _ source: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<Float>,
        scratch: UnsafeMutableBufferPointer<UInt8>, random: inout Xoshiro256
    ) {
        var pixels = source
        var pixelsAreInScratch = false
        if augmentation.cropPadding > 0 {
            let span = 2 * augmentation.cropPadding + 1
            let offsetY = random.below(span)
            let offsetX = random.below(span)
            ImageTransforms.crop(source, into: scratch, shape: shape, padding: augmentation.cropPadding,
                                 offsetY: offsetY, offsetX: offsetX, fill: 0)
            pixels = UnsafeBufferPointer(scratch)
            pixelsAreInScratch = true
        }
        if augmentation.horizontalFlip, random.next() >> 63 == 1 {
            if !pixelsAreInScratch {
                _ = scratch.update(fromContentsOf: source[0..<shape.count])
                pixels = UnsafeBufferPointer(scratch)
            }
            ImageTransforms.flipHorizontally(scratch, shape: shape)
        }
        table.withUnsafeBufferPointer { table in
            ImageTransforms.lookUp(pixels, into: output, shape: shape, table: table)
        }
        if augmentation.cutoutLength > 0 {
            let centerY = random.below(shape.height)
            let centerX = random.below(shape.width)
            ImageTransforms.cutout(output, shape: shape, centerY: centerY, centerX: centerX,
                                   length: augmentation.cutoutLength)
        }
    }

    /// Augments one image held in an array; for tests and one-off use.
    public func augment(_ image: ArraySlice<UInt8>, random: inout Xoshiro256) -> [Float] {
        precondition(image.count == shape.count, "image has \(image.count) values, shape \(shape) needs \(shape.count)")
        var output = [Float](repeating: 0, count: shape.count)
        var scratch = [UInt8](repeating: 0, count: shape.count)
        image.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { output in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    augment(source, into: output, scratch: scratch, random: &random)
                }
            }
        }
        return output
    }
}
