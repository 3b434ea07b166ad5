/// The deterministic pieces of augmentation, each one tight loop over one channel-major image.
/// The random choices (offsets, whether to flip, where to cut) are the caller's, so each piece
/// can be tested exactly; `Augmenter` draws them and chains the pieces.
public enum ImageTransforms {
    /// Crops a `shape`-sized window out of `source` padded by `padding` on every side with
    /// `fill`, the window's top-left corner at (`offsetY`, `offsetX`) of the padded image,
    /// each in `0...2 * padding`. With offsets equal to `padding` this is a copy.
    public static func crop<Element>(
        _ source: UnsafeBufferPointer<Element>, into output: UnsafeMutableBufferPointer<Element>,
        shape: ImageShape, padding: Int, offsetY: Int, offsetX: Int, fill: Element
    ) {
        precondition(source.count >= shape.count && output.count >= shape.count, "buffers smaller than \(shape)")
        precondition((0...(2 * padding)).contains(offsetY) && (0...(2 * padding)).contains(offsetX),
                     "crop offsets (\(offsetY), \(offsetX)) outside 0...\(2 * padding)")
        let (height, width) = (shape.height, shape.width)
        let shiftY = offsetY - padding
        let shiftX = offsetX - padding
        // Output columns whose source column lies inside the image.
        let firstColumn = min(width, max(0, -shiftX))
        let endColumn = max(firstColumn, min(width, width - shiftX))
        guard let sourceBase = source.baseAddress, let outputBase = output.baseAddress else { return }
        for channel in 0..<shape.channels {
            let plane = channel * shape.planeCount
            for y in 0..<height {
                let row = outputBase + plane + y * width
                let sourceY = y + shiftY
                if sourceY < 0 || sourceY >= height || firstColumn == endColumn {
                    row.update(repeating: fill, count: width)
                    continue
                }
                row.update(repeating: fill, count: firstColumn)
                (row + firstColumn).update(
                    from: sourceBase + plane + sourceY * width + firstColumn + shiftX, count: endColumn - firstColumn)
                (row + endColumn).update(repeating: fill, count: width - endColumn)
            }
        }
    }

    /// Mirrors every row in place (left becomes right).
    public static func flipHorizontally<Element>(_ image: UnsafeMutableBufferPointer<Element>, shape: ImageShape) {
        precondition(image.count >= shape.count, "buffer smaller than \(shape)")
        let width = shape.width
        for rowStart in stride(from: 0, to: shape.count, by: width) {
            var left = rowStart
            var right = rowStart + width - 1
            while left < right {
                image.swapAt(left, right)
                left += 1
                right -= 1
            }
        }
    }

    /// Writes `table[channel * 256 + byte]` for every pixel: 8-bit to Float and normalisation
    /// in one lookup (see `normalisationTable`).
    public static func lookUp(
        _ source: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<Float>,
        shape: ImageShape, table: UnsafeBufferPointer<Float>
    ) {
        precondition(source.count >= shape.count && output.count >= shape.count, "buffers smaller than \(shape)")
        precondition(table.count >= shape.channels * 256, "table needs 256 entries per channel")
        let planeCount = shape.planeCount
        for channel in 0..<shape.channels {
            let entries = table.baseAddress! + channel * 256
            let start = channel * planeCount
            for index in start..<(start + planeCount) {
                output[index] = entries[Int(source[index])]
            }
        }
    }

    /// The lookup table for `lookUp`: byte `v` of channel `c` becomes `(v / 255 - mean[c]) / std[c]`,
    /// or `v / 255` without statistics.
    public static func normalisationTable(channels: Int, statistics: ChannelStatistics?) -> [Float] {
        var table = [Float](repeating: 0, count: channels * 256)
        for channel in 0..<channels {
            let mean = statistics?.mean[channel] ?? 0
            let std = statistics?.std[channel] ?? 1
            for value in 0..<256 {
                table[channel * 256 + value] = (Float(value) / 255 - mean) / std
            }
        }
        return table
    }

    /// Cutout (DeVries and Taylor 2017, as in DARTS): zeroes, in every channel, the square of
    /// side `length` centred at (`centerY`, `centerX`), clipped to the image, so at most
    /// `length x length` pixels. Returns how many pixels per channel were zeroed.
    @discardableResult
    public static func cutout(
        _ image: UnsafeMutableBufferPointer<Float>, shape: ImageShape, centerY: Int, centerX: Int, length: Int
    ) -> Int {
        precondition(image.count >= shape.count, "buffer smaller than \(shape)")
        let top = min(shape.height, max(0, centerY - length / 2))
        let bottom = min(shape.height, max(0, centerY + length / 2))
        let left = min(shape.width, max(0, centerX - length / 2))
        let right = min(shape.width, max(0, centerX + length / 2))
        guard top < bottom, left < right, let base = image.baseAddress else { return 0 }
        for channel in 0..<shape.channels {
            for y in top..<bottom {
                (base + channel * shape.planeCount + y * shape.width + left).update(repeating: 0, count: right - left)
            }
        }
        return (bottom - top) * (right - left)
    }
}
