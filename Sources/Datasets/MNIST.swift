/// MNIST handwritten digits: 60,000 + 10,000 grayscale 28x28 images, 10 classes. Debian does
/// not package it, so it is read from the user's folder of IDX files.
public enum MNIST {
    public static let classNames = (0..<10).map(String.init)

    public static let fix = "pass --data with a folder holding MNIST's "
        + IDXImageFolder.fileStems.map { $0 + ".gz" }.joined(separator: ", ") + " (gzipped or not)"

    public static func load(from folder: String) throws -> DatasetPair {
        try IDXImageFolder(name: "mnist", folder: folder, classNames: classNames, fix: fix).load()
    }
}
