import CImageCodecs

/// PNG files through the system's libpng16 simplified API (Debian: libpng-dev), by way of the
/// small C target CImageCodecs.
public enum PNG {
    /// True when `bytes` starts with the PNG signature 89 'P' 'N' 'G'.
    public static func isPNG(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 4 && bytes[0] == 0x89 && bytes[1] == 0x50 && bytes[2] == 0x4e && bytes[3] == 0x47
    }

    /// Decodes a whole PNG file to 8-bit grey (1 channel) or RGB (3), whatever its bit depth,
    /// palette or alpha (dropped). `file` only labels the error.
    public static func decode(_ bytes: [UInt8], file: String) throws -> PixelImage {
        var image = ic_image()
        let status = bytes.withUnsafeBufferPointer { ic_png_decode($0.baseAddress, $0.count, &image) }
        return try CodecCall.image(status: status, image: &image, format: "PNG", file: file)
    }

    /// Encodes an image of 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA) channels as a PNG,
    /// losslessly; for fixtures and the synthetic folders of `make-image-folder`.
    public static func encode(_ image: PixelImage) throws -> [UInt8] {
        var output = ic_buffer()
        let status = image.interleaved().withUnsafeBufferPointer {
            ic_png_encode($0.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels), &output)
        }
        return try CodecCall.bytes(status: status, output: &output, format: "PNG")
    }
}
