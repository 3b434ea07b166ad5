/// What is done to each image on its way into a batch, for any channel count and size. Order,
/// as in the DARTS code: random resized crop (ImageNet), random crop with zero padding, random
/// horizontal flip, colour jitter, conversion to 0...1, PCA lighting, normalisation by the
/// dataset's per-channel mean and std, then cutout. Each step is off unless set.
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
    /// Crop a random window and resize it to the output size (ImageNet training); nil keeps
    /// the whole image (a folder dataset's images are then resized and centre-cropped).
    public var randomResizedCrop: RandomResizedCrop?
    /// Random brightness, contrast, saturation and hue; nil turns it off.
    public var colorJitter: ColorJitter?
    /// Standard deviation of AlexNet's PCA lighting noise (ImageNet recipes use 0.1); 0 turns it off.
    public var lighting: Double

    /// Every step off unless given, normalisation on.
    public init(cropPadding: Int = 0, horizontalFlip: Bool = false, cutoutLength: Int = 0, normalize: Bool = true,
                randomResizedCrop: RandomResizedCrop? = nil, colorJitter: ColorJitter? = nil, lighting: Double = 0) {
        self.cropPadding = cropPadding
        self.horizontalFlip = horizontalFlip
        self.cutoutLength = cutoutLength
        self.normalize = normalize
        self.randomResizedCrop = randomResizedCrop
        self.colorJitter = colorJitter
        self.lighting = lighting
    }

    /// Normalisation only: what test and validation images get.
    public static let plain = Augmentation()

    /// ImageNet training as in DARTS' `train_imagenet.py` plus the PCA lighting of the ImageNet
    /// recipes: RandomResizedCrop (area 8%...100%, ratio 3/4...4/3), horizontal flip,
    /// ColorJitter(0.4, 0.4, 0.4, 0.2), lighting 0.1, normalisation.
    public static let imageNetTraining = Augmentation(
        horizontalFlip: true, randomResizedCrop: RandomResizedCrop(), colorJitter: .darts, lighting: 0.1)

    /// True when images pass through unchanged apart from conversion and normalisation (and,
    /// for a folder dataset, the fixed resize and centre crop).
    public var isDeterministic: Bool {
        cropPadding == 0 && !horizontalFlip && cutoutLength == 0 && randomResizedCrop == nil && colorJitter == nil
            && lighting == 0
    }

    public var description: String {
        var parts: [String] = []
        if let randomResizedCrop { parts.append(randomResizedCrop.description) }
        if cropPadding > 0 { parts.append("crop(pad \(cropPadding))") }
        if horizontalFlip { parts.append("flip") }
        if let colorJitter { parts.append(colorJitter.description) }
        if lighting > 0 { parts.append("lighting(\(lighting))") }
        if normalize { parts.append("normalize") }
        if cutoutLength > 0 { parts.append("cutout(\(cutoutLength))") }
        return parts.isEmpty ? "none" : parts.joined(separator: " + ")
    }

    func validate() throws {
        guard cropPadding >= 0 else { throw DatasetError.invalidArgument("crop padding must be 0 or more, got \(cropPadding)") }
        guard cutoutLength >= 0 else { throw DatasetError.invalidArgument("cutout length must be 0 or more, got \(cutoutLength)") }
        guard lighting >= 0, lighting.isFinite else {
            throw DatasetError.invalidArgument("lighting noise std must be 0 or more, got \(lighting)")
        }
        try randomResizedCrop?.validate()
        try colorJitter?.validate()
    }
}

/// An `Augmentation` bound to one output shape and the dataset's statistics, ready to run on
/// raw 8-bit images. Value type without shared state: each thread holds its own.
public struct Augmenter: Sendable {
    public let augmentation: Augmentation
    /// The shape of every augmented image.
    public let shape: ImageShape
    /// A folder dataset's evaluation sizing: without a random resized crop, every image's
    /// shorter side is resized to this and the centre `shape` window kept. Nil for in-memory
    /// datasets, whose images already have `shape`.
    public let resizeSide: Int?
    private let table: [Float]
    /// Per channel, what a shift of 1 on the 0...1 scale becomes after normalisation.
    private let lightingScale: [Float]

    /// Checks the augmentation's settings against `shape`, `statistics` and `resizeSide`.
    public init(_ augmentation: Augmentation, shape: ImageShape, statistics: ChannelStatistics, resizeSide: Int? = nil) throws {
        try augmentation.validate()
        guard statistics.mean.count == shape.channels, statistics.std.count == shape.channels else {
            throw DatasetError.invalidArgument("statistics for \(statistics.mean.count) channels, images are \(shape)")
        }
        if let resizeSide, resizeSide < max(shape.height, shape.width) {
            throw DatasetError.invalidArgument("resize side \(resizeSide) is smaller than the \(shape) output it is cropped to")
        }
        self.augmentation = augmentation
        self.shape = shape
        self.resizeSide = resizeSide
        table = ImageTransforms.normalisationTable(
            channels: shape.channels, statistics: augmentation.normalize ? statistics : nil)
        lightingScale = augmentation.normalize ? statistics.std.map { 1 / $0 } : [Float](repeating: 1, count: shape.channels)
    }

    /// Augments one image of `shape` from `source` into `output` (both `shape.count` long).
    /// `scratch` holds the intermediate bytes and must be as long too.
    public func augment(
        _ source: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<Float>,
        scratch: UnsafeMutableBufferPointer<UInt8>, random: inout Xoshiro256
    ) {
        augment(source, shape: shape, into: output, scratch: scratch, random: &random)
    }

    /// Augments one image of any size (`sourceShape`, with `shape`'s channel count) into
    /// `output` (`shape.count` long); `scratch` must be `shape.count` long. Without a random
    /// resized crop, the image is resized to `resizeSide` and centre-cropped (with no
    /// `resizeSide`, only an image of another size is, to the output's longer side). The draws
    /// from `random` come in a fixed order: resized-crop window, crop offsets, flip, colour
    /// jitter, lighting, cutout centre; steps that are off draw nothing.
    public func augment(
        _ source: UnsafeBufferPointer<UInt8>, shape sourceShape: ImageShape,
        into output: UnsafeMutableBufferPointer<Float>, scratch: UnsafeMutableBufferPointer<UInt8>,
        random: inout Xoshiro256
    ) {
        precondition(sourceShape.channels == shape.channels, "a \(sourceShape) image for \(shape) output")
        precondition(scratch.count >= shape.count, "scratch smaller than \(shape)")
        var pixels = source
        var pixelsAreInScratch = false
        func useScratch() {
            pixels = UnsafeBufferPointer(scratch)
            pixelsAreInScratch = true
        }
        if let crop = augmentation.randomResizedCrop {
            let window = crop.window(height: sourceShape.height, width: sourceShape.width, random: &random)
            ImageTransforms.resizedCrop(source, shape: sourceShape, window: window, resizedHeight: shape.height,
                                        resizedWidth: shape.width, into: scratch, shape: shape)
            useScratch()
        } else if resizeSide != nil || sourceShape != shape {
            ImageTransforms.resizeAndCenterCrop(source, shape: sourceShape, resizeSide: resizeSide ?? max(shape.height, shape.width),
                                                into: scratch, shape: shape)
            useScratch()
        }
        if augmentation.cropPadding > 0 {
            let span = 2 * augmentation.cropPadding + 1
            let offsetY = random.below(span)
            let offsetX = random.below(span)
            if pixelsAreInScratch {
                // Resized into scratch already: crop from a copy (crop cannot work in place).
                let sized = Array(scratch[0..<shape.count])
                sized.withUnsafeBufferPointer { sized in
                    ImageTransforms.crop(sized, into: scratch, shape: shape, padding: augmentation.cropPadding,
                                         offsetY: offsetY, offsetX: offsetX, fill: 0)
                }
            } else {
                ImageTransforms.crop(source, into: scratch, shape: shape, padding: augmentation.cropPadding,
                                     offsetY: offsetY, offsetX: offsetX, fill: 0)
                useScratch()
            }
        }
        if augmentation.horizontalFlip, random.next() >> 63 == 1 {
            if !pixelsAreInScratch {
                _ = scratch.update(fromContentsOf: source[0..<shape.count])
                useScratch()
            }
            ImageTransforms.flipHorizontally(scratch, shape: shape)
        }
        if let jitter = augmentation.colorJitter {
            if !pixelsAreInScratch {
                _ = scratch.update(fromContentsOf: source[0..<shape.count])
                useScratch()
            }
            jitter.apply(scratch, shape: shape, random: &random)
        }
        table.withUnsafeBufferPointer { table in
            ImageTransforms.lookUp(pixels, into: output, shape: shape, table: table)
        }
        if augmentation.lighting > 0, shape.channels == 3 {
            let offsets = Lighting.offsets(std: augmentation.lighting, random: &random)
            for channel in 0..<3 {
                let shift = offsets[channel] * lightingScale[channel]
                let start = channel * shape.planeCount
                for index in start..<(start + shape.planeCount) { output[index] += shift }
            }
        }
        if augmentation.cutoutLength > 0 {
            let centerY = random.below(shape.height)
            let centerX = random.below(shape.width)
            ImageTransforms.cutout(output, shape: shape, centerY: centerY, centerX: centerX,
                                   length: augmentation.cutoutLength)
        }
    }

    /// Augments one image of `shape` held in an array; for tests and one-off use.
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

    /// Augments one decoded image of any size; for tests and one-off use.
    public func augment(_ image: PixelImage, random: inout Xoshiro256) -> [Float] {
        precondition(image.channels == shape.channels, "a \(image.shape) image for \(shape) output")
        var output = [Float](repeating: 0, count: shape.count)
        var scratch = [UInt8](repeating: 0, count: shape.count)
        image.pixels.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { output in
                scratch.withUnsafeMutableBufferPointer { scratch in
                    augment(source, shape: image.shape, into: output, scratch: scratch, random: &random)
                }
            }
        }
        return output
    }
}
