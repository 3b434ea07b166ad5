extension ImageTransforms {
    /// Resizes `window` of `source` (any size) to `resizedHeight` x `resizedWidth` with bilinear
    /// interpolation and writes the `outputShape`-sized part of the result whose top-left corner
    /// is (`offsetY`, `offsetX`) into `output`. RandomResizedCrop uses the whole result (offsets
    /// 0); Resize + CenterCrop resizes the whole image and keeps its centre, computing only
    /// the kept pixels.
    ///
    /// Bilinear as Pillow (and so torchvision on PIL images) means it: a triangle filter whose
    /// support widens with the reduction factor, so shrinking averages every source pixel
    /// instead of aliasing; enlarging is plain bilinear with pixel centres at +0.5. Samples come
    /// only from inside the window, as torchvision crops before it resizes. Values are summed
    /// in Float and rounded once, so they can differ from Pillow's fixed-point result by one level.
    public static func resizedCrop(
        _ source: UnsafeBufferPointer<UInt8>, shape sourceShape: ImageShape, window: CropWindow,
        resizedHeight: Int, resizedWidth: Int, offsetY: Int = 0, offsetX: Int = 0,
        into output: UnsafeMutableBufferPointer<UInt8>, shape outputShape: ImageShape
    ) {
        precondition(source.count >= sourceShape.count && output.count >= outputShape.count, "buffers smaller than their shapes")
        precondition(sourceShape.channels == outputShape.channels, "resizing keeps the channel count")
        precondition(window.fits(in: sourceShape), "window \(window) outside the \(sourceShape) image")
        precondition(offsetY >= 0 && offsetX >= 0 && offsetY + outputShape.height <= resizedHeight
                     && offsetX + outputShape.width <= resizedWidth, "output part outside the resized image")
        let columns = FilterTaps(inputSize: window.width, outputSize: resizedWidth, first: offsetX, count: outputShape.width)
        let rows = FilterTaps(inputSize: window.height, outputSize: resizedHeight, first: offsetY, count: outputShape.height)
        // Horizontal pass over the source rows the vertical pass reads, into Float rows.
        let firstRow = rows.starts.first!
        let endRow = zip(rows.starts, rows.counts).map { $0 + $1 }.max()!
        let rowCount = endRow - firstRow
        let outputWidth = outputShape.width
        var horizontal = [Float](repeating: 0, count: outputShape.channels * rowCount * outputWidth)
        var accumulator = [Float](repeating: 0, count: outputWidth)
        horizontal.withUnsafeMutableBufferPointer { horizontal in
            columns.withPointers { starts, counts, columnWeights in
                for channel in 0..<sourceShape.channels {
                    for row in 0..<rowCount {
                        let sourceRow = source.baseAddress! + channel * sourceShape.planeCount
                            + (window.top + firstRow + row) * sourceShape.width + window.left
                        let target = horizontal.baseAddress! + (channel * rowCount + row) * outputWidth
                        for x in 0..<outputWidth {
                            let from = sourceRow + starts[x]
                            let weights = columnWeights + x * columns.stride
                            var sum: Float = 0
                            for tap in 0..<counts[x] { sum += weights[tap] * Float(from[tap]) }
                            target[x] = sum
                        }
                    }
                }
            }
            // Vertical pass: each output row a weighted sum of whole horizontal rows.
            accumulator.withUnsafeMutableBufferPointer { accumulator in
                let sum = accumulator.baseAddress!
                for channel in 0..<outputShape.channels {
                    for y in 0..<outputShape.height {
                        sum.update(repeating: 0, count: outputWidth)
                        for tap in 0..<rows.counts[y] {
                            let weight = rows.weights[y * rows.stride + tap]
                            let from = horizontal.baseAddress! + (channel * rowCount + rows.starts[y] - firstRow + tap) * outputWidth
                            for x in 0..<outputWidth { sum[x] += weight * from[x] }
                        }
                        let target = output.baseAddress! + channel * outputShape.planeCount + y * outputWidth
                        for x in 0..<outputWidth { target[x] = roundedByte(sum[x]) }
                    }
                }
            }
        }
    }

    /// torchvision's Resize(`resizeSide`) then CenterCrop: the shorter side becomes `resizeSide`,
    /// the longer one `int(resizeSide * long / short)`, and the centred `outputShape` window is
    /// kept (offsets rounded half to even, as Python's round). `resizeSide` must be at least
    /// the output's height and width.
    public static func resizeAndCenterCrop(
        _ source: UnsafeBufferPointer<UInt8>, shape sourceShape: ImageShape, resizeSide: Int,
        into output: UnsafeMutableBufferPointer<UInt8>, shape outputShape: ImageShape
    ) {
        precondition(resizeSide >= outputShape.height && resizeSide >= outputShape.width,
                     "resize side \(resizeSide) smaller than the \(outputShape) output")
        let (height, width) = resizedSize(height: sourceShape.height, width: sourceShape.width, shorterSide: resizeSide)
        let offsetY = Int((Double(height - outputShape.height) / 2).rounded(.toNearestOrEven))
        let offsetX = Int((Double(width - outputShape.width) / 2).rounded(.toNearestOrEven))
        resizedCrop(source, shape: sourceShape, window: CropWindow(covering: sourceShape),
                    resizedHeight: height, resizedWidth: width, offsetY: offsetY, offsetX: offsetX,
                    into: output, shape: outputShape)
    }

    /// The size torchvision's Resize(`shorterSide`) gives an image of `height` x `width`.
    public static func resizedSize(height: Int, width: Int, shorterSide: Int) -> (height: Int, width: Int) {
        if height <= width {
            return (shorterSide, Int(Double(shorterSide) * Double(width) / Double(height)))
        }
        return (Int(Double(shorterSide) * Double(height) / Double(width)), shorterSide)
    }

    static func roundedByte(_ value: Float) -> UInt8 {
        value <= 0 ? 0 : value >= 255 ? 255 : UInt8(value + 0.5)
    }
}

/// Pillow's bilinear filter taps along one axis: for each output index in
/// `first..<first + count` of a resize from `inputSize` to `outputSize`, the first input
/// index, how many follow, and their weights (normalised to sum 1), `stride` apart.
struct FilterTaps {
    var starts: [Int] = []
    var counts: [Int] = []
    var weights: [Float] = []
    let stride: Int

    init(inputSize: Int, outputSize: Int, first: Int, count: Int) {
        let scale = Double(inputSize) / Double(outputSize)
        let filterScale = max(scale, 1)
        let support = filterScale  // bilinear's support is 1, widened when shrinking
        stride = Int(support.rounded(.up)) * 2 + 1
        weights = [Float](repeating: 0, count: count * stride)
        for index in 0..<count {
            let center = (Double(first + index) + 0.5) * scale
            let low = max(Int(center - support + 0.5), 0)
            let high = min(Int(center + support + 0.5), inputSize)
            var total = 0.0
            for input in low..<high {
                total += max(0, 1 - abs((Double(input) - center + 0.5) / filterScale))
            }
            for input in low..<high {
                let weight = max(0, 1 - abs((Double(input) - center + 0.5) / filterScale))
                weights[index * stride + input - low] = Float(total > 0 ? weight / total : 0)
            }
            starts.append(low)
            counts.append(high - low)
        }
    }

    /// The three arrays as raw pointers, for the inner loop (no bounds checks per tap).
    func withPointers(_ body: (UnsafePointer<Int>, UnsafePointer<Int>, UnsafePointer<Float>) -> Void) {
        starts.withUnsafeBufferPointer { starts in
            counts.withUnsafeBufferPointer { counts in
                weights.withUnsafeBufferPointer { weights in
                    body(starts.baseAddress!, counts.baseAddress!, weights.baseAddress!)
                }
            }
        }
    }
}
