import Foundation

/// Which dataset a run uses and where it lives, as the command line gives it
/// (`--dataset NAME`, `--data PATH`). Fashion-MNIST is the default and is found at Debian's
/// path; MNIST and CIFAR need `--data`.
public struct DatasetSpec: Sendable, Equatable, CustomStringConvertible {
    public enum Name: String, CaseIterable, Sendable {
        case fashionMNIST = "fashion-mnist"
        case mnist
        case cifar10
        case cifar100
    }

    public let name: Name
    /// The `--data` override; nil means the dataset's default location.
    public let path: String?
    /// CIFAR-100 only: train on the 20 coarse classes instead of the 100 fine ones.
    public let coarseLabels: Bool

    public init(name: Name = .fashionMNIST, path: String? = nil, coarseLabels: Bool = false) throws {
        guard !coarseLabels || name == .cifar100 else {
            throw DatasetError.invalidArgument("coarse labels exist only for cifar100, not \(name.rawValue)")
        }
        if let path, path.isEmpty {
            throw DatasetError.invalidArgument("--data was given an empty path")
        }
        self.name = name
        self.path = path
        self.coarseLabels = coarseLabels
    }

    /// Parses a dataset name as the command line spells it; "cifar-10", "CIFAR10" and the like
    /// are accepted too.
    public init(name: String, path: String? = nil, coarseLabels: Bool = false) throws {
        let folded = name.lowercased().replacingOccurrences(of: "_", with: "-")
        let known: [String: Name] = [
            "fashion-mnist": .fashionMNIST, "fashionmnist": .fashionMNIST, "mnist": .mnist,
            "cifar10": .cifar10, "cifar-10": .cifar10, "cifar100": .cifar100, "cifar-100": .cifar100,
        ]
        guard let parsed = known[folded] else {
            throw DatasetError.invalidArgument(
                "unknown dataset '\(name)'; choose one of \(Name.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        try self.init(name: parsed, path: path, coarseLabels: coarseLabels)
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
        }
    }

    /// Training-time augmentation the DARTS recipes use: for the 32x32 colour sets, random
    /// crop with padding 4 and horizontal flip; for the 28x28 grayscale sets, random crop with
    /// padding 2 and no flip (a mirrored digit is another symbol). Cutout is for evaluation,
    /// which sets `cutoutLength` itself.
    public var trainingAugmentation: Augmentation {
        switch name {
        case .fashionMNIST, .mnist: return Augmentation(cropPadding: 2, horizontalFlip: false)
        case .cifar10, .cifar100: return Augmentation(cropPadding: 4, horizontalFlip: true)
        }
    }

    public var description: String {
        let label = coarseLabels ? "\(name.rawValue) (coarse labels)" : name.rawValue
        return path.map { "\(label) from \($0)" } ?? label
    }
}
