import Foundation

/// The first `train` training and `test` test images of Debian's Fashion-MNIST, written to
/// `folder` in the IDX layout `--data` reads. A training always ends by evaluating the whole test
/// set, 10,000 images: a debug build evaluates a dense DST cell at about 75 images a second, so
/// the command tests that train cells to check mechanics (units, resume, seeds) train on this
/// instead. Returns `folder`.
func smallFashionMNIST(in folder: URL, train: Int, test: Int) throws -> URL {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    for (set, count) in [("train", train), ("t10k", test)] {
        for (kind, itemBytes, header) in [("images-idx3-ubyte", 28 * 28, 16), ("labels-idx1-ubyte", 1, 8)] {
            let name = "\(set)-\(kind)"
            let bytes = try decompressed.bytes("/usr/share/datasets/fashion-mnist/\(name).gz")
            guard bytes.count >= header else { throw FixtureError(description: "\(name).gz is shorter than its header") }
            let whole = Int(bytes[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            guard count <= whole else {
                throw FixtureError(description: "\(name).gz holds \(whole) items, fewer than the \(count) asked for")
            }
            guard bytes.count >= header + count * itemBytes else {
                throw FixtureError(description: "\(name).gz is truncated: fewer bytes than its first \(count) items")
            }
            // The header with the new count (big-endian), then the first `count` items.
            var small = Data(bytes[0..<4]) + Data([24, 16, 8, 0].map { UInt8(truncatingIfNeeded: count >> $0) })
            small += bytes[8..<header] + bytes[header..<(header + count * itemBytes)]
            try small.write(to: folder.appendingPathComponent(name))
        }
    }
    return folder
}

/// Decompressed files, kept for the test process: the training images are 47 MB, decompressed
/// once instead of once per test that trains.
private let decompressed = DecompressedFiles()

private final class DecompressedFiles: @unchecked Sendable {
    private let lock = NSLock()
    private var files: [String: Data] = [:]

    func bytes(_ path: String) throws -> Data {
        lock.lock()
        defer { lock.unlock() }
        if let data = files[path] { return data }
        let data = try gunzip(path)
        files[path] = data
        return data
    }
}

/// The bytes of a gzipped file, through the system's `gzip`.
private func gunzip(_ path: String) throws -> Data {
    guard FileManager.default.fileExists(atPath: path) else {
        throw FixtureError(description: "\(path) is missing; scripts/install-deps.sh installs dataset-fashion-mnist")
    }
    let process = Process(), pipe = Pipe()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["gzip", "-dc", path]
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw FixtureError(description: "gzip -dc \(path) failed") }
    return data
}

struct FixtureError: Error, CustomStringConvertible {
    let description: String
}
