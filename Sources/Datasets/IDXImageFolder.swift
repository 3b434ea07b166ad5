/// A folder in the MNIST layout: `train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
/// `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, each gzipped (`.gz`, preferred when
/// both exist) or plain. MNIST and Fashion-MNIST share it.
public struct IDXImageFolder: Sendable {
    public let name: String
    public let folder: String
    public let classNames: [String]
    /// Says how to get the files, for the error when they are not there.
    public let fix: String

    public static let fileStems = [
        "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
    ]

    public init(name: String, folder: String, classNames: [String], fix: String) {
        self.name = name
        self.folder = folder
        self.classNames = classNames
        self.fix = fix
    }

    /// Reads both parts. Every file is checked before any is decoded, so a missing dataset
    /// is reported as missing rather than as the first unreadable file.
    public func load() throws -> DatasetPair {
        switch PathKind(folder) {
        case .none: throw DatasetError.missing(path: folder, fix: fix)
        case .file: throw DatasetError.missing(path: folder, fix: "this is a file, expected a folder; " + fix)
        case .folder: break
        }
        let paths = try Self.fileStems.map { try locate($0) }
        let train = try readPart("train", images: paths[0], labels: paths[1], statistics: nil)
        let test = try readPart("test", images: paths[2], labels: paths[3], statistics: train.statistics)
        guard test.channels == train.channels, test.height == train.height, test.width == train.width else {
            throw DatasetError.corrupt(
                file: paths[2],
                reason: "images are \(test.height)x\(test.width), the training images \(train.height)x\(train.width)")
        }
        return DatasetPair(train: train, test: test)
    }

    private func locate(_ stem: String) throws -> String {
        for candidate in [joinPath(folder, stem + ".gz"), joinPath(folder, stem)] where PathKind(candidate) == .file {
            return candidate
        }
        throw DatasetError.missing(path: joinPath(folder, stem + ".gz"), fix: fix)
    }

    private func readPart(_ part: String, images imagePath: String, labels labelPath: String,
                          statistics: ChannelStatistics?) throws -> Dataset {
        let images = try IDXArray(contentsOf: imagePath, rank: 3)
        let labels = try IDXArray(contentsOf: labelPath, rank: 1)
        let count = images.dimensions[0]
        guard count > 0, images.dimensions[1] > 0, images.dimensions[2] > 0 else {
            throw DatasetError.corrupt(file: imagePath, reason: "holds no images (dimensions \(images.dimensions))")
        }
        guard labels.dimensions[0] == count else {
            throw DatasetError.corrupt(
                file: labelPath, reason: "holds \(labels.dimensions[0]) labels, but \(imagePath) holds \(count) images")
        }
        if let bad = labels.bytes.firstIndex(where: { Int($0) >= classNames.count }) {
            throw DatasetError.corrupt(
                file: labelPath, reason: "label \(labels.bytes[bad]) of image \(bad) is outside 0..<\(classNames.count)")
        }
        return try Dataset(
            name: name, part: part, channels: 1, height: images.dimensions[1], width: images.dimensions[2],
            classNames: classNames, images: images.bytes, labels: labels.bytes.map { Int32($0) }, statistics: statistics)
    }
}
