import CZlib

/// gzip decoding through the system zlib (Foundation on Linux has no gzip API).
public enum Gzip {
    /// True when `bytes` starts with the gzip magic number 1f 8b.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// The most a gzip file may inflate to (4 GiB) when its reader knows no tighter bound.
    public static let maximumOutput = 1 << 32
    /// `decompress`'s limit where the reader knows no tighter one.
    public static let noTighterLimit = (bytes: maximumOutput, what: "4 GiB")

    /// Inflates a complete gzip file (several concatenated members are allowed, as `gzip -d`
    /// allows them). `file` only labels the error: a truncated stream, a bad CRC or a damaged
    /// deflate block all become `DatasetError.corrupt(file:reason:)`. `limit` bounds the output,
    /// given what has been inflated so far (a reader that knows its format, IDX, reads the size
    /// from the header once it is out, and returns what the bound is, for the error): a few
    /// kilobytes of gzip can inflate to gigabytes, so the size is never taken on trust.
    public static func decompress(_ compressed: [UInt8], file: String,
                                  limit: ([UInt8]) -> (bytes: Int, what: String) = { _ in noTighterLimit }) throws -> [UInt8] {
        guard isGzip(compressed) else {
            throw DatasetError.corrupt(file: file, reason: "not a gzip file (no 1f 8b magic number)")
        }
        guard compressed.count <= Int(UInt32.max) else {
            throw DatasetError.corrupt(file: file, reason: "gzip file over 4 GiB is not supported")
        }
        var output: [UInt8] = []
        // The gzip trailer holds the uncompressed size modulo 2^32: a first capacity, capped so a
        // damaged trailer cannot ask for gigabytes.
        if compressed.count >= 18 {
            let tail = compressed.count - 4
            let size = Int(compressed[tail]) | Int(compressed[tail + 1]) << 8
                | Int(compressed[tail + 2]) << 16 | Int(compressed[tail + 3]) << 24
            // Deflate inflates at most about 1032:1.
            output.reserveCapacity(min(size, 256 << 20, compressed.count * 1032))
        }

        // zlib checks that its stream never moves, so it lives at one fixed address.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        // 15 + 16: a 32 KiB window, gzip framing only.
        var status = inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw DatasetError.corrupt(file: file, reason: "zlib could not start (code \(status))")
        }
        defer { inflateEnd(stream) }

        let chunkSize = 1 << 20
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        try compressed.withUnsafeBufferPointer { input in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = UInt32(input.count)
            while true {
                let produced: Int = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.pointee.next_out = buffer.baseAddress
                    stream.pointee.avail_out = UInt32(chunkSize)
                    status = inflate(stream, Z_NO_FLUSH)
                    return chunkSize - Int(stream.pointee.avail_out)
                }
                output.append(contentsOf: chunk[0..<produced])
                let bound = limit(output)
                if output.count > bound.bytes {
                    throw DatasetError.corrupt(file: file, reason: "inflates to more than \(bound.bytes) bytes (\(bound.what))")
                }
                switch status {
                case Z_OK:
                    continue
                case Z_STREAM_END:
                    // Another gzip member may follow; trailing zero padding is tolerated.
                    let rest = Int(stream.pointee.avail_in)
                    if rest == 0 { return }
                    let offset = input.count - rest
                    if input[offset...].allSatisfy({ $0 == 0 }) { return }
                    guard rest >= 2, input[offset] == 0x1f, input[offset + 1] == 0x8b else {
                        throw DatasetError.corrupt(file: file, reason: "\(rest) bytes of garbage after the gzip stream")
                    }
                    status = inflateReset(stream)
                    guard status == Z_OK else {
                        throw DatasetError.corrupt(file: file, reason: "zlib could not restart (code \(status))")
                    }
                case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                    throw DatasetError.corrupt(file: file, reason: "truncated gzip stream (ends after \(output.count) decompressed bytes)")
                default:
                    let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                    throw DatasetError.corrupt(file: file, reason: "bad gzip data: \(message)")
                }
            }
        }
        return output
    }

    /// Compresses `bytes` into one gzip member; the tests use it to write gzipped IDX fixtures.
    public static func compress(_ bytes: [UInt8], level: Int32 = 6) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        // 15 + 16: a 32 KiB window with gzip framing; memory level 8 is zlib's default.
        let started = deflateInit2_(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                                    ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(started == Z_OK, "zlib deflateInit2 failed with code \(started)")
        defer { deflateEnd(stream) }
        let bound = Int(deflateBound(stream, UInt(bytes.count)))
        var output = [UInt8](repeating: 0, count: bound)
        let written: Int = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { buffer in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.pointee.avail_in = UInt32(input.count)
                stream.pointee.next_out = buffer.baseAddress
                stream.pointee.avail_out = UInt32(buffer.count)
                let status = deflate(stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "zlib deflate failed with code \(status)")
                return buffer.count - Int(stream.pointee.avail_out)
            }
        }
        output.removeSubrange(written...)
        return output
    }
}
