import Foundation

/// Which dataset a run uses and where it lives, as the command line gives it
/// (`--dataset NAME`, `--data PATH`). Fashion-MNIST is the default and is found at Debian's
/// path; MNIST, CIFAR and image folders need `--data`.
public struct DatasetSpec: Sendable, Equatable, CustomStringConvertible {
    public enum Name: String, CaseIterable, Sendable {
        case fashionMNIST = "fashion-mnist"
        case mnist
        case cifar10
        case cifar100
        /// The user's images in torchvision's ImageFolder layout (`ImageFolder`).
        case folder

        /// A name as the command line spells it ("cifar-10", "CIFAR10", "image-folder", ...);
        /// nil for an unknown one. Settings stored as typed compare by it.
        public init?(spelled name: String) {
            let folded = name.lowercased().replacingOccurrences(of: "_", with: "-")
            let known: [String: Name] = [
                "fashion-mnist": .fashionMNIST, "fashionmnist": .fashionMNIST, "mnist": .mnist,
                "cifar10": .cifar10, "cifar-10": .cifar10, "cifar100": .cifar100, "cifar-100": .cifar100,
                "folder": .folder, "imagefolder": .folder, "image-folder": .folder,
            ]
            guard let name = known[folded] else { return nil }
            self = name
        }
    }

    /// How an image folder becomes a dataset (unused for the other datasets).
    public struct FolderSettings: Sendable, Equatable {
        /// Side of the square images the network sees (ImageNet: 224).
        public var imageSize = 224
        /// 3 (grey files become RGB) or 1 (colour files become grey).
        public var channels = 3
        /// What an unreadable image does: stop the run (default) or be skipped and counted.
        public var unreadable = UnreadableImagePolicy.stop
        /// For one folder of classes without train/ and val/: the share of every class that
        /// becomes the validation (test) part of training and evaluation runs.
        public var validationPortion = 0.1
        /// Seed of that cut.
        public var seed: UInt64 = 0

        /// Whether `value` can be a held-out share: strictly between 0 and 1.
        public static func isShare(_ value: Double) -> Bool { value > 0 && value < 1 }

        /// ImageNet's settings: 224 pixels, RGB, stop on an unreadable image.
        public init() {}
    }

    public let name: Name
    /// The `--data` override; nil means the dataset's default location.
    public let path: String?
    /// CIFAR-100 only: train on the 20 coarse classes instead of the 100 fine ones.
    public let coarseLabels: Bool
    /// Image folders only: size, channels and the unreadable-image policy.
    public let folder: FolderSettings

    public init(name: Name = .fashionMNIST, path: String? = nil, coarseLabels: Bool = false,
                folder: FolderSettings = FolderSettings()) throws {
        guard !coarseLabels || name == .cifar100 else {
            throw DatasetError.invalidArgument("coarse labels exist only for cifar100, not \(name.rawValue)")
        }
        if let path, path.isEmpty {
            throw DatasetError.invalidArgument("--data was given an empty path")
        }
        self.name = name
        self.path = path
        self.coarseLabels = coarseLabels
        self.folder = folder
        if let message = SizeLimits.complaint("--image-size", folder.imageSize, 8...SizeLimits.imageSide) {
            throw DatasetError.invalidArgument(message)
        }
        guard [1, 3].contains(folder.channels) else {
            throw DatasetError.invalidArgument("--image-channels must be 1 or 3, got \(folder.channels)")
        }
        guard FolderSettings.isShare(folder.validationPortion) else {
            throw DatasetError.invalidArgument("--val-portion must lie strictly between 0 and 1, got \(folder.validationPortion)")
        }
    }

    /// Parses a dataset name as the command line spells it; "cifar-10", "CIFAR10" and the like
    /// are accepted too.
    public init(name: String, path: String? = nil, coarseLabels: Bool = false,
                folder: FolderSettings = FolderSettings()) throws {
        guard let parsed = Name(spelled: name) else {
            throw DatasetError.invalidArgument(
                "unknown dataset '\(name)'; choose one of \(Name.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try self.init(name: parsed, path: path, coarseLabels: coarseLabels, folder: folder)
    }

    /// Where the files are read from.
    public func resolvedPath() throws -> String {
        if let path { return path }
        switch name {
        case .fashionMNIST:
            return FashionMNIST.debianPath
        case .mnist:
            throw DatasetError.invalidArgument("mnist has no default location: " + MNIST.fix)
        case .cifar10:
            throw DatasetError.invalidArgument("cifar10 has no default location: " + CIFAR10.fix)
        case .cifar100:
            throw DatasetError.invalidArgument("cifar100 has no default location: " + CIFAR100.fix)
        case .folder:
            throw DatasetError.invalidArgument("--dataset folder needs --data DIR: a folder with train/ and val/ class folders, "
                                               + "or one folder of class folders")
        }
    }

    /// Reads both parts of the dataset.
    public func load() throws -> DatasetPair {
        let path = try resolvedPath()
        switch name {
        case .fashionMNIST: return try FashionMNIST.load(from: path)
        case .mnist: return try MNIST.load(from: path)
        case .cifar10: return try CIFAR10.load(from: path)
        case .cifar100: return try CIFAR100.load(from: path, coarseLabels: coarseLabels)
        case .folder:
            if hasTrainAndValidationFolders(path) {
                return try ImageFolder.load(root: path, outputSize: folder.imageSize, channels: folder.channels,
                                            unreadable: folder.unreadable, name: Name.folder.rawValue)
            }
            return try ImageFolder.load(root: path, trainPortion: 1 - folder.validationPortion, seed: folder.seed,
                                        outputSize: folder.imageSize, channels: folder.channels,
                                        unreadable: folder.unreadable, name: Name.folder.rawValue)
        }
    }

    /// The share of every class `load()` holds out as the test part: the folder's
    /// `validationPortion` for one folder of classes, nil for a dataset that comes in two parts.
    /// A run stores it, so that its resume and its evaluation test on the same images.
    public func heldOutPortion() throws -> Double? {
        guard name == .folder else { return nil }
        return hasTrainAndValidationFolders(try resolvedPath()) ? nil : folder.validationPortion
    }

    /// Why a run cut from one folder of classes by `share` cannot continue here: the folder has
    /// since gained train/ and val/, and no flag brings its parts back. Nil where it can.
    public func lostCut(_ share: Double?) throws -> String? {
        guard let share, name == .folder, try heldOutPortion() == nil else { return nil }
        return "the run was cut from one folder of classes (--val-portion \(share)), but \(try resolvedPath()) now has "
            + "train/ and val/; resume it on the folder as it was, or start anew in another --output"
    }

    /// The images a search draws its two splits from: the training part, or for one folder of
    /// classes (no train/ and val/), all of it.
    public func loadTrainingSet() throws -> Dataset {
        let path = try resolvedPath()
        guard name == .folder, !hasTrainAndValidationFolders(path) else { return try load().train }
        return try ImageFolder(root: path).dataset(name: Name.folder.rawValue, part: "train", outputSize: folder.imageSize,
                                                   channels: folder.channels, unreadable: folder.unreadable)
    }

    private func hasTrainAndValidationFolders(_ root: String) -> Bool {
        var isFolder: ObjCBool = false
        return FileManager.default.fileExists(atPath: (root as NSString).appendingPathComponent("train"), isDirectory: &isFolder)
            && isFolder.boolValue
    }

    /// Training-time augmentation the DARTS recipes use: for the 32x32 colour sets, random
    /// crop with padding 4 and horizontal flip; for the 28x28 grayscale sets, random crop with
    /// padding 2 and no flip (a mirrored digit is another symbol). Cutout is for evaluation,
    /// which sets `cutoutLength` itself.
    public var trainingAugmentation: Augmentation {
        switch name {
        case .fashionMNIST, .mnist: return Augmentation(cropPadding: 2, horizontalFlip: false)
        case .cifar10, .cifar100: return Augmentation(cropPadding: 4, horizontalFlip: true)
        case .folder: return .imageNetTraining
        }
    }

    public var description: String {
        let label = coarseLabels ? "\(name.rawValue) (coarse labels)"
            : name == .folder ? "folder (\(folder.imageSize) px, \(folder.channels) channels)" : name.rawValue
        return path.map { "\(label) from \($0)" } ?? label
    }
}
