import CImageCodecs

/// JPEG files through the system's libjpeg-turbo (Debian: libjpeg62-turbo-dev), by way of the
/// small C target CImageCodecs, which turns libjpeg's longjmp-style errors into messages.
public enum JPEG {
    /// True when `bytes` starts with a JPEG's start-of-image marker, ff d8 ff.
    public static func isJPEG(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 3 && bytes[0] == 0xff && bytes[1] == 0xd8 && bytes[2] == 0xff
    }

    /// Decodes a whole JPEG file to grey (1 channel) or RGB (3; CMYK files are converted).
    /// `file` only labels the error.
    public static func decode(_ bytes: [UInt8], file: String) throws -> PixelImage {
        var image = ic_image()
        let status = bytes.withUnsafeBufferPointer { ic_jpeg_decode($0.baseAddress, $0.count, &image) }
        return try CodecCall.image(status: status, image: &image, format: "JPEG", file: file)
    }

    /// Encodes a grey or RGB image as a baseline JPEG of `quality` (1...100), or a progressive
    /// one (libjpeg's simple progression); for fixtures and the synthetic folders of
    /// `make-image-folder`.
    public static func encode(_ image: PixelImage, quality: Int = 90, progressive: Bool = false) throws -> [UInt8] {
        guard image.channels == 1 || image.channels == 3 else {
            throw DatasetError.invalidArgument("JPEG encodes grey or RGB images, not \(image.channels) channels")
        }
        var output = ic_buffer()
        let status = image.interleaved().withUnsafeBufferPointer {
            ic_jpeg_encode($0.baseAddress, Int32(image.width), Int32(image.height), Int32(image.channels),
                           Int32(quality), progressive ? 1 : 0, &output)
        }
        return try CodecCall.bytes(status: status, output: &output, format: "JPEG")
    }
}
