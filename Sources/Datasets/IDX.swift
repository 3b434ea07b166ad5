import Foundation

/// An unsigned-byte array read from an IDX file, the format of MNIST and Fashion-MNIST:
/// a magic number `00 00 08 rank`, `rank` big-endian UInt32 dimensions, then the bytes.
public struct IDXArray: Sendable, Equatable {
    public let dimensions: [Int]
    public let bytes: [UInt8]

    public init(dimensions: [Int], bytes: [UInt8]) {
        self.dimensions = dimensions
        self.bytes = bytes
    }

    /// Reads an IDX file, gzipped (detected by its magic number, whatever the name) or plain,
    /// and checks the magic number, the rank against `rank`, and that the data length is
    /// exactly the product of the dimensions.
    public init(contentsOf path: String, rank: Int) throws {
        let raw = try readFile(path)
        let bytes = Gzip.isGzip(raw) ? try Gzip.decompress(raw, file: path, limit: { Self.size(announcedBy: $0, rank: rank) }) : raw
        try self.init(parsing: bytes, rank: rank, file: path)
    }

    /// The file size the header at the start of `prefix` announces, as a bound for inflating it:
    /// 4 GiB until the header is out; the header's own length when its dimensions ask for more
    /// than 4 GiB, so inflating stops at once.
    static func size(announcedBy prefix: [UInt8], rank: Int) -> (bytes: Int, what: String) {
        let headerLength = 4 + 4 * rank
        guard prefix.count >= headerLength else { return Gzip.noTighterLimit }
        let (dimensions, count) = header(prefix, rank: rank)
        guard let product = count, product <= Gzip.maximumOutput else {
            return (headerLength, "IDX dimensions \(dimensions) are too large")
        }
        let shape = dimensions.map(String.init).joined(separator: "x")
        return (headerLength + product, "its IDX header announces \(shape) bytes of data")
    }

    /// The big-endian dimensions after the 4-byte magic number (`bytes` holds at least the
    /// header), up to the one whose product with those before it overflows, and that product
    /// (nil on overflow).
    static func header(_ bytes: [UInt8], rank: Int) -> (dimensions: [Int], count: Int?) {
        var dimensions: [Int] = []
        var product = 1
        for axis in 0..<rank {
            let at = 4 + 4 * axis
            let size = Int(bytes[at]) << 24 | Int(bytes[at + 1]) << 16 | Int(bytes[at + 2]) << 8 | Int(bytes[at + 3])
            dimensions.append(size)
            let (next, overflow) = product.multipliedReportingOverflow(by: size)
            if overflow { return (dimensions, nil) }
            product = next
        }
        return (dimensions, product)
    }

    /// Parses the bytes of an uncompressed IDX file; `file` only labels errors.
    public init(parsing bytes: [UInt8], rank: Int, file: String) throws {
        guard bytes.count >= 4 else {
            throw DatasetError.corrupt(file: file, reason: "too short for an IDX header (\(bytes.count) bytes)")
        }
        guard bytes[0] == 0, bytes[1] == 0 else {
            let magic = bytes[0..<4].map { String(format: "%02x", $0) }.joined(separator: " ")
            throw DatasetError.corrupt(file: file, reason: "wrong magic number \(magic), expected 00 00 08 0\(rank) (IDX)")
        }
        guard bytes[2] == 0x08 else {
            throw DatasetError.corrupt(file: file, reason: String(format: "IDX element type 0x%02x is not unsigned byte (0x08)", bytes[2]))
        }
        guard Int(bytes[3]) == rank else {
            throw DatasetError.corrupt(file: file, reason: "IDX rank \(bytes[3]), expected \(rank)")
        }
        let headerLength = 4 + 4 * rank
        guard bytes.count >= headerLength else {
            throw DatasetError.corrupt(file: file, reason: "truncated IDX header: \(bytes.count) of \(headerLength) bytes")
        }
        let (dimensions, count) = Self.header(bytes, rank: rank)
        guard let expected = count else {
            throw DatasetError.corrupt(file: file, reason: "IDX dimensions \(dimensions) are too large")
        }
        let found = bytes.count - headerLength
        guard found == expected else {
            let shape = dimensions.map(String.init).joined(separator: "x")
            let what = found < expected ? "truncated" : "too long"
            throw DatasetError.corrupt(file: file, reason: "\(what): dimensions \(shape) need \(expected) data bytes, found \(found)")
        }
        self.dimensions = dimensions
        self.bytes = Array(bytes[headerLength...])
    }
}
