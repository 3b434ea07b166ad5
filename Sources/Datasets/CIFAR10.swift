/// CIFAR-10: 50,000 + 10,000 colour 32x32 images of 10 classes, read from the user's copy of
/// the binary version (`cifar-10-binary.tar.gz`, unpacked to `cifar-10-batches-bin/`).
public enum CIFAR10 {
    public static let classNames = [
        "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck",
    ]
    public static let trainFiles = (1...5).map { "data_batch_\($0).bin" }
    public static let testFile = "test_batch.bin"
    public static let subfolder = "cifar-10-batches-bin"
    /// Images in each `.bin` file of the official release.
    public static let recordsPerFile = 10_000

    public static let fix = "download the CIFAR-10 binary version (cifar-10-binary.tar.gz, "
        + "https://www.cs.toronto.edu/~kriz/cifar.html), unpack it and pass --data with the folder holding "
        + "data_batch_1.bin ... data_batch_5.bin and test_batch.bin (or the folder above \(subfolder)/)"

    /// `path` is the folder holding the `.bin` files or the one holding `cifar-10-batches-bin/`.
    /// With `requireOfficialSize` (the default) every file must hold its 10,000 images, so a
    /// file cut short at a record boundary is not read as a smaller dataset.
    public static func load(from path: String, requireOfficialSize: Bool = true) throws -> DatasetPair {
        let folder = try CIFARBinary.resolveFolder(path, marker: trainFiles[0], subfolder: subfolder, fix: fix)
        let train = try CIFARBinary.requireFiles(trainFiles, in: folder, fix: fix)
        let test = try CIFARBinary.requireFiles([testFile], in: folder, fix: fix)
        let format = CIFARBinary(labelRanges: [10], labelIndex: 0)
        let expected = requireOfficialSize ? recordsPerFile : nil
        let trainRecords = try format.read(files: train, recordsPerFile: expected)
        let testRecords = try format.read(files: test, recordsPerFile: expected)
        let trainPart = try Dataset(
            name: "cifar10", part: "train", channels: 3, height: 32, width: 32, classNames: classNames,
            images: trainRecords.images, labels: trainRecords.labels)
        let testPart = try Dataset(
            name: "cifar10", part: "test", channels: 3, height: 32, width: 32, classNames: classNames,
            images: testRecords.images, labels: testRecords.labels, statistics: trainPart.statistics)
        return DatasetPair(train: trainPart, test: testPart)
    }
}
