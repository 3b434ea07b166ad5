import ArgumentParser
import Datasets
import Foundation
import NAS

/// How `--dataset folder` reads the user's images, and how many threads prepare batches; shared
/// by search, train, eval and run.
struct FolderOptions: ParsableArguments {
    @Option(name: .customLong("image-size"), help: "--dataset folder: side of the square images the network sees (default 224).")
    var imageSize: Int?
    @Option(name: .customLong("image-channels"), help: "--dataset folder: 3 (grey files become RGB; default) or 1 (colour files become grey).")
    var imageChannels: Int?
    @Option(help: "--dataset folder: what an unreadable image does: stop (default: the run ends naming the file; on resume, the run's) or skip (replaced by the next readable image, counted).")
    var unreadable: UnreadableImagePolicy?
    @Option(name: .customLong("val-portion"), help: "--dataset folder without train/ and val/: share of every class held out as the validation (test) part of train, run and eval (default 0.1; on resume and eval, the run's; a search uses every image).")
    var validationPortion: Double?
    @Option(help: "Threads preparing batches (decoding an image folder's files; default: 1 for in-memory datasets, else the cores).")
    var workers: Int?

    func validate() throws {
        if let workers, workers < 1 { throw ValidationError("--workers must be at least 1, got \(workers)") }
    }

    /// The folder settings: the flags given, else a stored run's (`size`, `channels`,
    /// `unreadable`, `validationPortion`), else the defaults.
    func settings(size: Int? = nil, channels: Int? = nil, unreadable stored: UnreadableImagePolicy? = nil,
                  validationPortion storedPortion: Double? = nil) -> DatasetSpec.FolderSettings {
        var s = DatasetSpec.FolderSettings()
        if let value = imageSize ?? size { s.imageSize = value }
        if let value = imageChannels ?? channels { s.channels = value }
        if let value = unreadable ?? stored { s.unreadable = value }
        if let value = validationPortion ?? storedPortion { s.validationPortion = value }
        return s
    }

    /// The settings that test a trained network (`eval`, `export`'s check): its image size and
    /// channels and, on the dataset it trained on, its held-out share and unreadable-image
    /// policy, so that its test part holds no image it trained on; the flags, where given, win.
    /// `data`: the --data given (another folder is another dataset).
    func testSettings(for config: TrainingConfiguration, dataset name: String, data: String?) -> DatasetSpec.FolderSettings {
        let trained = Self.isTrainingData(name, data, of: config)
        return settings(size: config.imageHeight, channels: config.inputChannels, unreadable: trained ? config.unreadable : nil,
                        validationPortion: trained ? config.validationPortion : nil)
    }

    /// A warning when `--val-portion` cuts the training dataset's test part otherwise than the
    /// network was trained with: that test part may hold images it trained on.
    func heldOutWarning(for config: TrainingConfiguration, dataset name: String, data: String?) -> String? {
        guard Self.isTrainingData(name, data, of: config), let stored = config.validationPortion,
              let given = validationPortion, given != stored else { return nil }
        return "warning: the network was trained with --val-portion \(stored); a test part cut with \(given) may hold "
            + "images it trained on (drop --val-portion to test on the part its training held out)"
    }

    /// Whether `name` is the dataset `config` trained on, however either is spelled ("folder",
    /// "image-folder", ...).
    static func isTrainingDataset(_ name: String, of config: TrainingConfiguration) -> Bool {
        DatasetSpec.Name(spelled: name).map { $0 == DatasetSpec.Name(spelled: config.dataset) } ?? false
    }

    /// Whether `name` with the folder `data` (nil: the training's) is what `config` trained on.
    private static func isTrainingData(_ name: String, _ data: String?, of config: TrainingConfiguration) -> Bool {
        func path(_ text: String) -> String { URL(fileURLWithPath: text).standardizedFileURL.path }
        return isTrainingDataset(name, of: config) && (data.map { config.dataPath.isEmpty || path($0) == path(config.dataPath) } ?? true)
    }

    /// Loader threads for `dataset`: the flag, or all cores for files and 1 in memory.
    func workerCount(for dataset: Dataset) -> Int {
        workers ?? (dataset.files != nil ? max(1, ProcessInfo.processInfo.activeProcessorCount) : 1)
    }
}

extension UnreadableImagePolicy: ExpressibleByArgument {}
