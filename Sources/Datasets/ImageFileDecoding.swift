extension PixelImage {
    /// Reads and decodes an image file. The format comes from the first bytes, not the name
    /// (as Pillow decides), so a PNG saved as `.jpg` still loads.
    public init(contentsOf path: String) throws {
        self = try Self.decode(readFile(path), file: path)
    }

    /// Decodes JPEG or PNG bytes; anything else is a `DatasetError.corrupt` naming `file`.
    public static func decode(_ bytes: [UInt8], file: String) throws -> PixelImage {
        if JPEG.isJPEG(bytes) { return try JPEG.decode(bytes, file: file) }
        if PNG.isPNG(bytes) { return try PNG.decode(bytes, file: file) }
        let reason = bytes.isEmpty ? "is empty" : "is neither a JPEG nor a PNG (first bytes \(bytes.prefix(4).map { String($0, radix: 16) }.joined(separator: " ")))"
        throw DatasetError.corrupt(file: file, reason: reason)
    }
}
