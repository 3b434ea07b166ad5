/// Per-channel mean and standard deviation of 8-bit images, on the 0...1 scale that
/// normalisation uses. Counted through a 256-bin histogram per channel, so the result is exact
/// up to Double rounding and costs one pass of byte increments.
public struct ChannelStatistics: Sendable, Equatable {
    public let mean: [Float]
    public let std: [Float]

    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// ImageNet's RGB statistics as torchvision's models use them: mean (0.485, 0.456, 0.406),
    /// std (0.229, 0.224, 0.225). Folders of colour images are normalised by them.
    public static let imageNet = ChannelStatistics(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])

    /// Mean 0.5, std 0.5 per channel, mapping 0...1 to -1...1: the neutral choice for a folder
    /// of grey images, which have no standard statistics and which no one wants decoded twice.
    public static func centered(channels: Int) -> ChannelStatistics {
        ChannelStatistics(mean: [Float](repeating: 0.5, count: channels), std: [Float](repeating: 0.5, count: channels))
    }

    /// `images` holds whole images, each `channels` planes of `pixelsPerChannel` bytes.
    /// A channel with no spread gets std 1, so normalising it never divides by zero.
    public init(images: [UInt8], channels: Int, pixelsPerChannel: Int) {
        precondition(channels > 0 && pixelsPerChannel > 0 && images.count % (channels * pixelsPerChannel) == 0,
                     "images must hold whole \(channels)-channel images")
        var histogram = [Int](repeating: 0, count: channels * 256)
        let imageSize = channels * pixelsPerChannel
        let imageCount = images.count / imageSize
        images.withUnsafeBufferPointer { pixels in
            histogram.withUnsafeMutableBufferPointer { bins in
                for image in 0..<imageCount {
                    for channel in 0..<channels {
                        let plane = image * imageSize + channel * pixelsPerChannel
                        let base = channel * 256
                        for offset in plane..<(plane + pixelsPerChannel) {
                            bins[base + Int(pixels[offset])] += 1
                        }
                    }
                }
            }
        }
        var mean: [Float] = []
        var std: [Float] = []
        let total = Double(imageCount * pixelsPerChannel)
        for channel in 0..<channels {
            var sum = 0.0
            var sumOfSquares = 0.0
            for value in 0..<256 {
                let count = Double(histogram[channel * 256 + value])
                let scaled = Double(value) / 255
                sum += count * scaled
                sumOfSquares += count * scaled * scaled
            }
            let channelMean = total > 0 ? sum / total : 0
            let variance = total > 0 ? max(0, sumOfSquares / total - channelMean * channelMean) : 0
            mean.append(Float(channelMean))
            std.append(variance > 0 ? Float(variance.squareRoot()) : 1)
        }
        self.mean = mean
        self.std = std
    }
}
