/// One image as 8-bit pixels, channel-major (C planes of H x W, the order of the batches), at
/// whatever size it has: what the JPEG and PNG decoders return and the encoders take, before
/// the loader brings it to a dataset's output size.
public struct PixelImage: Sendable, Equatable {
    /// Channels (1 grey, 3 RGB; the PNG encoder also takes 2 and 4, with alpha), height, width.
    public let shape: ImageShape
    /// `shape.count` bytes, plane after plane.
    public let pixels: [UInt8]

    /// `shape.channels`.
    public var channels: Int { shape.channels }
    /// `shape.height`.
    public var height: Int { shape.height }
    /// `shape.width`.
    public var width: Int { shape.width }

    /// Checks that `pixels` fills `shape` exactly.
    public init(shape: ImageShape, pixels: [UInt8]) throws {
        guard shape.channels > 0, shape.height > 0, shape.width > 0 else {
            throw DatasetError.invalidArgument("image shape \(shape) has an empty side")
        }
        guard pixels.count == shape.count else {
            throw DatasetError.invalidArgument("\(pixels.count) pixel bytes do not make an image of \(shape)")
        }
        self.shape = shape
        self.pixels = pixels
    }

    /// From pixels stored the way files store them: row after row, each pixel's channels together.
    public init(interleaved: UnsafeBufferPointer<UInt8>, channels: Int, height: Int, width: Int) throws {
        let shape = ImageShape(channels: channels, height: height, width: width)
        guard channels > 0, height > 0, width > 0 else {
            throw DatasetError.invalidArgument("image shape \(shape) has an empty side")
        }
        guard interleaved.count >= shape.count else {
            throw DatasetError.invalidArgument("\(interleaved.count) interleaved bytes do not make an image of \(shape)")
        }
        let planeCount = shape.planeCount
        let planar = [UInt8](unsafeUninitializedCapacity: shape.count) { planar, initialized in
            let source = interleaved.baseAddress!
            let target = planar.baseAddress!
            if channels == 3 {
                // One pass over the source for the common case, not one per channel.
                let (red, green, blue) = (target, target + planeCount, target + 2 * planeCount)
                for pixel in 0..<planeCount {
                    red[pixel] = source[3 * pixel]
                    green[pixel] = source[3 * pixel + 1]
                    blue[pixel] = source[3 * pixel + 2]
                }
            } else {
                for channel in 0..<channels {
                    let plane = target + channel * planeCount
                    for pixel in 0..<planeCount { plane[pixel] = source[pixel * channels + channel] }
                }
            }
            initialized = shape.count
        }
        try self.init(shape: shape, pixels: planar)
    }

    /// The pixels interleaved (each pixel's channels together), as encoders take them.
    public func interleaved() -> [UInt8] {
        let channels = shape.channels
        let planeCount = shape.planeCount
        var result = [UInt8](repeating: 0, count: shape.count)
        for channel in 0..<channels {
            let plane = channel * planeCount
            for pixel in 0..<planeCount {
                result[pixel * channels + channel] = pixels[plane + pixel]
            }
        }
        return result
    }

    /// The same picture with `channels` planes: grey becomes RGB by repeating its plane, RGB
    /// becomes grey by Pillow's luma, (19595 R + 38470 G + 7471 B + 2^15) / 2^16 (ITU-R 601-2).
    /// So one folder can mix grey and colour files and still make batches of one shape.
    public func converted(toChannels channels: Int) throws -> PixelImage {
        if channels == shape.channels { return self }
        let planeCount = shape.planeCount
        let target = ImageShape(channels: channels, height: shape.height, width: shape.width)
        switch (shape.channels, channels) {
        case (1, 3):
            return try PixelImage(shape: target, pixels: pixels + pixels + pixels)
        case (3, 1):
            var grey = [UInt8](repeating: 0, count: planeCount)
            for pixel in 0..<planeCount {
                let red = UInt32(pixels[pixel])
                let green = UInt32(pixels[planeCount + pixel])
                let blue = UInt32(pixels[2 * planeCount + pixel])
                grey[pixel] = UInt8((19595 * red + 38470 * green + 7471 * blue + 0x8000) >> 16)
            }
            return try PixelImage(shape: target, pixels: grey)
        default:
            throw DatasetError.invalidArgument("cannot convert a \(shape.channels)-channel image to \(channels) channels; only grey (1) and RGB (3)")
        }
    }
}
