import CImageCodecs

/// Turns the C codecs' results into Swift values and their failures into `DatasetError`s,
/// freeing what C allocated either way.
enum CodecCall {
    static func image(status: Int32, image: inout ic_image, format: String, file: String) throws -> PixelImage {
        defer { ic_free(image.pixels) }
        guard status == 0, let pixels = image.pixels else {
            throw DatasetError.corrupt(file: file, reason: "cannot be decoded as \(format) (\(message(&image.message)))")
        }
        let count = Int(image.width) * Int(image.height) * Int(image.channels)
        return try PixelImage(interleaved: UnsafeBufferPointer(start: pixels, count: count),
                              channels: Int(image.channels), height: Int(image.height), width: Int(image.width))
    }

    static func bytes(status: Int32, output: inout ic_buffer, format: String) throws -> [UInt8] {
        defer { ic_free(output.bytes) }
        guard status == 0, let bytes = output.bytes else {
            throw DatasetError.invalidArgument("\(format) encoding failed: \(message(&output.message))")
        }
        return Array(UnsafeBufferPointer(start: bytes, count: output.size))
    }

    /// A C message field (a fixed array, imported as a tuple) as a String.
    private static func message<T>(_ field: inout T) -> String {
        withUnsafeBytes(of: &field) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
    }
}
