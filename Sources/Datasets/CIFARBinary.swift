/// The CIFAR "binary version" record format: each record is its label bytes, then 3,072 pixel
/// bytes (the red, green and blue 32x32 planes, row-major). CIFAR-10 has one label byte,
/// CIFAR-100 two (coarse, then fine).
public struct CIFARBinary: Sendable {
    public static let channels = 3
    public static let side = 32
    public static let pixelBytes = 3 * 32 * 32

    /// The number of classes each label byte may name, in file order.
    public let labelRanges: [Int]
    /// Which label byte becomes the dataset's label.
    public let labelIndex: Int

    public var recordLength: Int { labelRanges.count + Self.pixelBytes }

    public init(labelRanges: [Int], labelIndex: Int) {
        precondition(labelRanges.indices.contains(labelIndex), "label index \(labelIndex) outside \(labelRanges.count) label bytes")
        self.labelRanges = labelRanges
        self.labelIndex = labelIndex
    }

    /// Reads `files` one after another. Each must be a non-empty whole number of records with
    /// every label in range, and hold exactly `recordsPerFile` records when that is given
    /// (the format has no header, so a file cut at a record boundary shows only this way);
    /// otherwise the error names the file and the first fault found.
    public func read(files: [String], recordsPerFile: Int? = nil) throws -> (images: [UInt8], labels: [Int32]) {
        var images: [UInt8] = []
        var labels: [Int32] = []
        for file in files {
            let bytes = try readFile(file)
            let records = bytes.count / recordLength
            let leftOver = bytes.count % recordLength
            guard records > 0, leftOver == 0 else {
                throw DatasetError.corrupt(
                    file: file,
                    reason: "\(bytes.count) bytes are not a whole number of \(recordLength)-byte records"
                        + " (\(records) records and \(leftOver) bytes over): truncated or not a CIFAR binary file")
            }
            if let recordsPerFile, records != recordsPerFile {
                throw DatasetError.corrupt(
                    file: file, reason: "holds \(records) records, the official release has \(recordsPerFile): truncated or not the original file")
            }
            images.reserveCapacity(images.count + records * Self.pixelBytes)
            labels.reserveCapacity(labels.count + records)
            for record in 0..<records {
                let start = record * recordLength
                for (offset, limit) in labelRanges.enumerated() where Int(bytes[start + offset]) >= limit {
                    throw DatasetError.corrupt(
                        file: file, reason: "record \(record): label \(bytes[start + offset]) is outside 0..<\(limit)")
                }
                labels.append(Int32(bytes[start + labelIndex]))
                images.append(contentsOf: bytes[(start + labelRanges.count)..<(start + recordLength)])
            }
        }
        return (images, labels)
    }

    /// The folder holding the `.bin` files: `path` itself when `marker` is in it, else the
    /// standard unpacked folder `subfolder` inside it.
    public static func resolveFolder(_ path: String, marker: String, subfolder: String, fix: String) throws -> String {
        switch PathKind(path) {
        case .none: throw DatasetError.missing(path: path, fix: fix)
        case .file: throw DatasetError.missing(path: path, fix: "this is a file, expected a folder; " + fix)
        case .folder: break
        }
        if PathKind(joinPath(path, marker)) == .file { return path }
        let inner = joinPath(path, subfolder)
        if PathKind(joinPath(inner, marker)) == .file { return inner }
        throw DatasetError.missing(path: path, fix: "no \(marker) there nor in \(subfolder)/; " + fix)
    }

    /// Checks that every file is present before any is read.
    static func requireFiles(_ names: [String], in folder: String, fix: String) throws -> [String] {
        try names.map { name in
            let path = joinPath(folder, name)
            guard PathKind(path) == .file else { throw DatasetError.missing(path: path, fix: fix) }
            return path
        }
    }
}
