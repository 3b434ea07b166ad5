/// Where a dataset's pixels are. Small datasets (Fashion-MNIST, CIFAR) are decoded once and
/// held in memory; an image folder (ImageNet does not fit in memory) stays on disk and each
/// batch decodes its own files, on the loader's worker threads.
public enum ImageStorage: Sendable {
    /// `count * channels * height * width` bytes, image after image, each channel-major.
    case memory([UInt8])
    /// One file per image, decoded and resized to the dataset's shape batch by batch.
    case files(ImageFiles)
}
