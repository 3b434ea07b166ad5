extension ImageTransforms {
    /// Pillow's luma of pixel `pixel` of a channel-major RGB image, (19595 R + 38470 G +
    /// 7471 B + 2^15) / 2^16: the grey that contrast and saturation blend towards.
    static func luma(_ image: UnsafeMutableBufferPointer<UInt8>, planeCount: Int, pixel: Int) -> Int {
        (19595 * Int(image[pixel]) + 38470 * Int(image[planeCount + pixel]) + 7471 * Int(image[2 * planeCount + pixel])
            + 0x8000) >> 16
    }

    /// Pillow's `Image.blend(degenerate, image, factor)` for one byte: `degenerate + factor *
    /// (value - degenerate)`, truncated and clipped to 0...255, as Pillow's ImageEnhance does.
    static func blend(_ degenerate: Float, _ value: UInt8, _ factor: Float) -> UInt8 {
        let blended = degenerate + factor * (Float(value) - degenerate)
        return blended <= 0 ? 0 : blended >= 255 ? 255 : UInt8(blended)
    }

    /// Scales every value by `factor` (1 leaves the image as it is, 0 makes it black).
    public static func adjustBrightness(_ image: UnsafeMutableBufferPointer<UInt8>, shape: ImageShape, factor: Float) {
        for index in 0..<shape.count { image[index] = blend(0, image[index], factor) }
    }

    /// Blends every value with the image's mean grey (rounded, as Pillow's ImageEnhance.Contrast
    /// takes it): 1 leaves the image, 0 makes it one flat grey.
    public static func adjustContrast(_ image: UnsafeMutableBufferPointer<UInt8>, shape: ImageShape, factor: Float) {
        let planeCount = shape.planeCount
        var total = 0
        if shape.channels == 3 {
            for pixel in 0..<planeCount { total += luma(image, planeCount: planeCount, pixel: pixel) }
        } else {
            for pixel in 0..<planeCount { total += Int(image[pixel]) }
        }
        let mean = Float(Int(Double(total) / Double(planeCount) + 0.5))
        for index in 0..<shape.count { image[index] = blend(mean, image[index], factor) }
    }

    /// Blends every RGB pixel with its own grey: 1 leaves the image, 0 makes it grey. A grey
    /// image has no saturation and is left alone.
    public static func adjustSaturation(_ image: UnsafeMutableBufferPointer<UInt8>, shape: ImageShape, factor: Float) {
        guard shape.channels == 3 else { return }
        let planeCount = shape.planeCount
        for pixel in 0..<planeCount {
            let grey = Float(luma(image, planeCount: planeCount, pixel: pixel))
            for channel in 0..<3 {
                let index = channel * planeCount + pixel
                image[index] = blend(grey, image[index], factor)
            }
        }
    }

    /// Turns every RGB pixel's hue by `shift` of a full turn (in -0.5...0.5), through HSV in
    /// Float as torchvision's tensor path does, rounding back to bytes. A grey image has no
    /// hue and is left alone.
    public static func adjustHue(_ image: UnsafeMutableBufferPointer<UInt8>, shape: ImageShape, shift: Float) {
        guard shape.channels == 3, shift != 0 else { return }
        let planeCount = shape.planeCount
        for pixel in 0..<planeCount {
            let red = Float(image[pixel]) / 255
            let green = Float(image[planeCount + pixel]) / 255
            let blue = Float(image[2 * planeCount + pixel]) / 255
            let maximum = max(red, green, blue)
            let spread = maximum - min(red, green, blue)
            guard spread > 0 else { continue }  // grey: hue undefined, nothing turns
            var hue: Float
            if maximum == red {
                hue = (green - blue) / spread
            } else if maximum == green {
                hue = 2 + (blue - red) / spread
            } else {
                hue = 4 + (red - green) / spread
            }
            hue = hue / 6 + shift
            hue -= hue.rounded(.down)
            let saturation = spread / maximum
            let sector = hue * 6
            let whole = min(5, Int(sector))
            let fraction = sector - Float(whole)
            let p = maximum * (1 - saturation)
            let q = maximum * (1 - saturation * fraction)
            let t = maximum * (1 - saturation * (1 - fraction))
            let (r, g, b): (Float, Float, Float)
            switch whole {
            case 0: (r, g, b) = (maximum, t, p)
            case 1: (r, g, b) = (q, maximum, p)
            case 2: (r, g, b) = (p, maximum, t)
            case 3: (r, g, b) = (p, q, maximum)
            case 4: (r, g, b) = (t, p, maximum)
            default: (r, g, b) = (maximum, p, q)
            }
            image[pixel] = roundedByte(r * 255)
            image[planeCount + pixel] = roundedByte(g * 255)
            image[2 * planeCount + pixel] = roundedByte(b * 255)
        }
    }
}
