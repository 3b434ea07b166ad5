/// Fashion-MNIST (Xiao et al. 2017): 60,000 + 10,000 grayscale 28x28 images of 10 clothing
/// classes. The default dataset, because Debian ships it (`dataset-fashion-mnist`) and a run
/// therefore needs nothing from the network.
public enum FashionMNIST {
    /// Where Debian's `dataset-fashion-mnist` installs the gzipped IDX files.
    public static let debianPath = "/usr/share/datasets/fashion-mnist"

    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    public static let fix = "install it with `apt-get install dataset-fashion-mnist`, or pass --data with a folder holding "
        + IDXImageFolder.fileStems.map { $0 + ".gz" }.joined(separator: ", ")

    public static func load(from folder: String = debianPath) throws -> DatasetPair {
        try IDXImageFolder(name: "fashion-mnist", folder: folder, classNames: classNames, fix: fix).load()
    }
}
