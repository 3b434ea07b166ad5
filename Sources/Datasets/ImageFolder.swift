import Foundation

/// A folder in torchvision's ImageFolder layout, `root/<class>/<image>` (subfolders of a class
/// folder are searched too), read as a dataset whose images stay on disk and are decoded batch
/// by batch (`ImageFiles`). Only the listing is held: paths and labels.
///
/// Classes are the subfolders of `root` sorted by name, so class `i` is the `i`-th name as in
/// torchvision; images are the files ending in `.jpg`, `.jpeg` or `.png` in any case, in
/// torchvision's order (folders by path, files by name, each in byte order as Python sorts).
/// Unlike torchvision, names starting with a dot are skipped, so `.ipynb_checkpoints` is no
/// class and macOS's `._photo.jpg` no image.
///
/// ```swift
/// // root/train/<class>/*.jpg and root/val/<class>/*.jpg, 224 px, ImageNet training augmentation:
/// let data = try ImageFolder.load(root: "/data/flowers", outputSize: 224)
/// let loader = try DataLoader(dataset: data.train, batchSize: 64, augmentation: .imageNetTraining,
///                             seed: 1, prefetch: 4, workers: 4)
/// // One folder, cut 80/20 per class:
/// let split = try ImageFolder.load(root: "/data/pets", trainPortion: 0.8, seed: 1, outputSize: 32)
/// ```
public struct ImageFolder: Sendable {
    /// Extensions of image files, compared in lower case.
    public static let extensions: Set<String> = ["jpg", "jpeg", "png"]

    /// The folder holding the class folders.
    public let root: String
    /// One per class folder, sorted; label `i` is `classNames[i]`.
    public let classNames: [String]
    /// Every image file, class after class.
    public let paths: [String]
    /// The class of each path.
    public let labels: [Int32]

    /// Images found.
    public var count: Int { paths.count }

    /// Lists `root`. With `classNames` given (reading a validation folder with the training
    /// folder's classes), labels follow that list: a class missing here just has no images,
    /// a class folder not in the list is an error. Without it, a class folder without images
    /// is an error, as in torchvision.
    public init(root: String, classNames: [String]? = nil) throws {
        let layout = "expected one subfolder per class holding .jpg, .jpeg or .png images (torchvision's ImageFolder layout)"
        switch PathKind(root) {
        case .none: throw DatasetError.missing(path: root, fix: layout)
        case .file: throw DatasetError.missing(path: root, fix: "this is a file; " + layout)
        case .folder: break
        }
        let folders = try Self.visibleEntries(of: root).filter { PathKind(joinPath(root, $0)) == .folder }
        guard !folders.isEmpty else { throw DatasetError.missing(path: root, fix: "no class folders; " + layout) }
        let classes = classNames ?? folders
        let labelOf = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, Int32($0)) })
        var paths: [String] = []
        var labels: [Int32] = []
        for folder in folders {
            guard let label = labelOf[folder] else {
                throw DatasetError.invalidArgument(
                    "\(joinPath(root, folder)): class '\(folder)' is not among the \(classes.count) training classes; remove or rename the folder")
            }
            let images = try Self.imageFiles(under: joinPath(root, folder))
            if images.isEmpty && classNames == nil {
                throw DatasetError.missing(path: joinPath(root, folder),
                                           fix: "this class folder holds no .jpg, .jpeg or .png images; add some or remove it")
            }
            paths += images
            labels += [Int32](repeating: label, count: images.count)
        }
        guard !paths.isEmpty else { throw DatasetError.missing(path: root, fix: "no images found; " + layout) }
        self.init(root: root, classNames: classes, paths: paths, labels: labels)
    }

    init(root: String, classNames: [String], paths: [String], labels: [Int32]) {
        self.root = root
        self.classNames = classNames
        self.paths = paths
        self.labels = labels
    }

    /// How many images each class has.
    public func classCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for label in labels { counts[Int(label)] += 1 }
        return counts
    }

    /// Cuts the folder into a training and a validation part, class by class (the cut of
    /// `SearchSplit`): every class is divided in the ratio `trainPortion`, within one image,
    /// chosen by `seed`. Each part keeps the folder's order. For users with one folder and no
    /// separate validation images.
    public func split(trainPortion: Double, seed: UInt64) throws -> (train: ImageFolder, validation: ImageFolder) {
        let cut = try SearchSplit(labels: labels, classCount: classNames.count, trainPortion: trainPortion, seed: seed)
        func part(_ indices: [Int]) -> ImageFolder {
            let sorted = indices.sorted()
            return ImageFolder(root: root, classNames: classNames, paths: sorted.map { paths[$0] }, labels: sorted.map { labels[$0] })
        }
        return (part(cut.weightIndices), part(cut.architectureIndices))
    }

    /// The folder as a dataset of `outputSize` x `outputSize` images with `channels` channels
    /// (3: grey files become RGB, as torchvision's `convert("RGB")`; 1: colour files become
    /// grey). `statistics` default to ImageNet's (`ChannelStatistics.imageNet`) for 3 channels,
    /// mean 0.5 and std 0.5 for 1: fixed numbers, so loading decodes nothing. `name` defaults
    /// to the folder's name.
    public func dataset(
        name: String? = nil, part: String, outputSize: Int, channels: Int = 3, resizeSide: Int? = nil,
        unreadable: UnreadableImagePolicy = .stop, statistics: ChannelStatistics? = nil
    ) throws -> Dataset {
        let files = try ImageFiles(paths: paths, channels: channels, outputSize: outputSize, resizeSide: resizeSide,
                                   unreadable: unreadable)
        return try Dataset(name: name ?? URL(fileURLWithPath: root).lastPathComponent, part: part,
                           classNames: classNames, files: files, labels: labels,
                           statistics: statistics ?? Self.defaultStatistics(channels: channels))
    }

    /// ImageNet's statistics for colour, 0.5 / 0.5 for grey.
    public static func defaultStatistics(channels: Int) -> ChannelStatistics {
        channels == 3 ? .imageNet : .centered(channels: channels)
    }

    /// Reads `root/train` and `root/val` (or `root/test`), ImageNet's layout, the validation
    /// part with the training part's classes. The pair's `test` is the validation part.
    public static func load(
        root: String, outputSize: Int, channels: Int = 3, resizeSide: Int? = nil,
        unreadable: UnreadableImagePolicy = .stop, statistics: ChannelStatistics? = nil, name: String? = nil
    ) throws -> DatasetPair {
        let trainRoot = joinPath(root, "train")
        guard PathKind(trainRoot) == .folder else {
            throw DatasetError.missing(
                path: trainRoot, fix: "expected train/ and val/ class folders; for one folder of classes use load(root:trainPortion:seed:...)")
        }
        guard let validationRoot = ["val", "test"].map({ joinPath(root, $0) }).first(where: { PathKind($0) == .folder }) else {
            throw DatasetError.missing(
                path: joinPath(root, "val"), fix: "expected val/ (or test/) next to train/; or split train/ with load(root:trainPortion:seed:...)")
        }
        let train = try ImageFolder(root: trainRoot)
        let validation = try ImageFolder(root: validationRoot, classNames: train.classNames)
        let name = name ?? URL(fileURLWithPath: root).lastPathComponent
        return DatasetPair(
            train: try train.dataset(name: name, part: "train", outputSize: outputSize, channels: channels,
                                     resizeSide: resizeSide, unreadable: unreadable, statistics: statistics),
            test: try validation.dataset(name: name, part: "val", outputSize: outputSize, channels: channels,
                                         resizeSide: resizeSide, unreadable: unreadable, statistics: statistics))
    }

    /// Reads one folder of classes and cuts it into training and validation parts by
    /// `trainPortion` (see `split(trainPortion:seed:)`). The pair's `test` is the validation part.
    public static func load(
        root: String, trainPortion: Double, seed: UInt64, outputSize: Int, channels: Int = 3, resizeSide: Int? = nil,
        unreadable: UnreadableImagePolicy = .stop, statistics: ChannelStatistics? = nil, name: String? = nil
    ) throws -> DatasetPair {
        let parts = try ImageFolder(root: root).split(trainPortion: trainPortion, seed: seed)
        let name = name ?? URL(fileURLWithPath: root).lastPathComponent
        return DatasetPair(
            train: try parts.train.dataset(name: name, part: "train", outputSize: outputSize, channels: channels,
                                           resizeSide: resizeSide, unreadable: unreadable, statistics: statistics),
            test: try parts.validation.dataset(name: name, part: "val", outputSize: outputSize, channels: channels,
                                               resizeSide: resizeSide, unreadable: unreadable, statistics: statistics))
    }

    /// The names in `folder` not starting with a dot, in byte order (Python's `sorted`).
    static func visibleEntries(of folder: String) throws -> [String] {
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
        } catch {
            throw DatasetError.missing(path: folder, fix: "the folder cannot be listed (permissions?)")
        }
        return names.filter { !$0.hasPrefix(".") }.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    /// The image files under `folder` in torchvision's order: `sorted(os.walk(folder))`, i.e.
    /// folders by path, and in each its files by name. Symbolic links are followed, once each.
    static func imageFiles(under folder: String) throws -> [String] {
        var found: [(folder: String, files: [String])] = []
        var visited: Set<String> = []
        func walk(_ current: String) throws {
            guard visited.insert(URL(fileURLWithPath: current).resolvingSymlinksInPath().path).inserted else { return }
            var files: [String] = []
            for name in try visibleEntries(of: current) {
                let path = joinPath(current, name)
                switch PathKind(path) {
                case .folder: try walk(path)
                case .file where extensions.contains((name as NSString).pathExtension.lowercased()): files.append(path)
                default: break
                }
            }
            found.append((current, files))
        }
        try walk(folder)
        return found.sorted { $0.folder.utf8.lexicographicallyPrecedes($1.folder.utf8) }.flatMap(\.files)
    }
}
