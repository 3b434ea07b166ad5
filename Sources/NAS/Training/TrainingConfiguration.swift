import Datasets
import Foundation
import Torch

/// Starting points for `entrannas train`; every setting can still be changed by its flag.
public enum TrainingPreset: String, Codable, CaseIterable, Sendable {
    /// Minutes on 2 CPU cores with Fashion-MNIST: 8 cells, 16 channels, a few thousand images,
    /// a few epochs, light regularisation (cutout and drop-path hurt runs this short).
    case quick
    /// DARTS' CIFAR-10 evaluation protocol (docs/method.md#evaluation): 20 cells, 36 channels, 600 epochs,
    /// batch 96, SGD lr 0.025 cosine to 0, momentum 0.9, weight decay 3e-4, grad clip 5,
    /// cutout 16, drop-path 0.2 ramped over the epochs, auxiliary weight 0.4.
    case paper
    /// DARTS' ImageNet protocol in the mobile setting: 14 cells, 48 channels, ImageNet stems,
    /// 250 epochs, batch 128, lr 0.1 times 0.97 each epoch, weight decay 3e-5, label smoothing 0.1.
    case imagenet
}

/// Every setting of a training run. It is stored as JSON in `config.json`, in each checkpoint
/// and in the trained model, so `--resume` and `eval` rebuild exactly the same network.
public struct TrainingConfiguration: Codable, Equatable, Sendable {
    /// The preset the other settings started from.
    public var preset: TrainingPreset
    /// How the genotype was named on the command line (a built-in name, a file, or "custom").
    public var genotypeName: String
    /// The cell architecture to train.
    public var genotype: Genotype
    /// Dataset name as the command line spells it ("fashion-mnist", "cifar10", ...).
    public var dataset: String
    /// The `--data` folder ("" for the dataset's default location). Not compared on resume:
    /// the files may move between a stop and a resume.
    public var dataPath: String
    /// Image channels of the dataset.
    public var inputChannels: Int
    /// Image height in pixels.
    public var imageHeight: Int
    /// Image width in pixels.
    public var imageWidth: Int
    /// Number of classes.
    public var classes: Int

    /// Cells in the network (`--layers`; DARTS evaluation: 20).
    public var layers: Int
    /// Channels of the first cell's nodes (`--init-channels`, C; DARTS evaluation: 36).
    public var initChannels: Int
    /// Training epochs (DARTS evaluation: 600).
    public var epochs: Int
    /// Images per batch (DARTS evaluation: 96).
    public var batchSize: Int
    /// Initial learning rate, annealed by cosine (DARTS: 0.025).
    public var learningRate: Double
    /// The cosine schedule's floor (DARTS evaluation: 0).
    public var learningRateMin: Double
    /// SGD momentum (DARTS: 0.9).
    public var momentum: Double
    /// L2 weight decay (DARTS: 3e-4).
    public var weightDecay: Double
    /// Gradient-norm clip (DARTS: 5).
    public var gradClip: Double
    /// Weight of the auxiliary head's loss; 0 builds the network without the head.
    public var auxiliaryWeight: Double
    /// Final drop-path probability; epoch e uses dropPathProb * e / epochs.
    public var dropPathProb: Double
    /// Label smoothing of the training loss; 0 turns it off.
    public var labelSmoothing: Double
    /// Cutout square side in pixels; 0 turns it off.
    public var cutout: Int
    /// Training images used, class-balanced; 0 means all.
    public var limit: Int
    /// Test images evaluated after each epoch but the last, class-balanced; 0 means all. The
    /// last epoch and the reported result always use the whole test set.
    public var evalLimit: Int
    /// Seeds libtorch (weights, drop-path) and the data loader (order, augmentation).
    public var seed: UInt64
    /// Network stems: nil or `.cifar`, or `.imagenet` (224-pixel images; the imagenet preset).
    /// Optional so that configurations written before it existed read back unchanged.
    public var style: EvalNetworkConfiguration.Style?
    /// When set, the learning rate is multiplied by this every epoch (DARTS ImageNet: 0.97)
    /// instead of following the cosine schedule.
    public var learningRateDecay: Double?
    /// An image folder's share of every class held out as the test part, where one folder of
    /// classes was split (`--val-portion`); nil for a dataset in two parts. Compared on resume and
    /// used by `eval`, so that neither tests on images the network trained on.
    public var validationPortion: Double?
    /// An image folder's unreadable-image policy (`--unreadable`); nil for another dataset. A
    /// resume may change it: it changes no weight until a file fails to read.
    public var unreadable: UnreadableImagePolicy?

    /// The preset's settings for a dataset of the given image shape and class count.
    public init(preset: TrainingPreset, genotype: Genotype, genotypeName: String, dataset: String, dataPath: String = "",
                inputChannels: Int, imageHeight: Int, imageWidth: Int, classes: Int, seed: UInt64) {
        self.preset = preset
        self.genotype = genotype
        self.genotypeName = genotypeName
        self.dataset = dataset
        self.dataPath = dataPath
        self.inputChannels = inputChannels
        self.imageHeight = imageHeight
        self.imageWidth = imageWidth
        self.classes = classes
        self.seed = seed
        learningRate = 0.025
        learningRateMin = 0
        momentum = 0.9
        weightDecay = 3e-4
        gradClip = 5
        auxiliaryWeight = 0.4
        labelSmoothing = 0
        switch preset {
        case .quick:
            layers = 8
            initChannels = 16
            epochs = 4
            batchSize = 64
            limit = 4000
            evalLimit = 2000
            cutout = 0
            dropPathProb = 0
        case .paper:
            layers = 20
            initChannels = 36
            epochs = 600
            batchSize = 96
            limit = 0
            evalLimit = 0
            cutout = 16
            dropPathProb = 0.2
        case .imagenet:
            style = .imagenet
            layers = 14
            initChannels = 48
            epochs = 250
            batchSize = 128
            learningRate = 0.1
            learningRateDecay = 0.97
            weightDecay = 3e-5
            labelSmoothing = 0.1
            limit = 0
            evalLimit = 0
            cutout = 0
            dropPathProb = 0
        }
    }

    /// The learning rate per epoch: cosine to `learningRateMin`, or the step decay when set.
    public var schedule: any LearningRateSchedule {
        if let learningRateDecay { return StepDecay(base: learningRate, stepSize: 1, gamma: learningRateDecay) }
        return CosineAnnealing(base: learningRate, minimum: learningRateMin, period: epochs)
    }

    /// The network these settings describe (CIFAR style, auxiliary head when its weight is > 0).
    public var network: EvalNetworkConfiguration {
        EvalNetworkConfiguration(style: style ?? .cifar, layers: layers, initChannels: initChannels, inputChannels: inputChannels,
                                 classes: classes, auxiliary: auxiliaryWeight > 0)
    }

    /// Drop-path probability of epoch `epoch` (0-based): ramped linearly from 0 (DARTS).
    public func dropPathProbability(epoch: Int) -> Double { dropPathProb * Double(epoch) / Double(epochs) }

    /// Throws a one-line error naming the first setting that cannot work, and its flag.
    public func validate() throws {
        func fail(_ message: String) -> RunError { RunError(message) }
        if let message = SizeLimits.complaint("--epochs", epochs, 1...SizeLimits.epochs) { throw fail(message) }
        if batchSize < 2 { throw fail("--batch-size must be at least 2 (batch norm needs two images), got \(batchSize)") }
        if let message = SizeLimits.complaint("--batch-size", batchSize, 2...SizeLimits.batchSize) { throw fail(message) }
        if !(learningRate > 0 && learningRate <= SizeLimits.float32) {
            throw fail("--learning-rate must be a positive number (at most 3.4e38, float32's largest), got \(learningRate)")
        }
        if !(learningRateMin >= 0) || learningRateMin > learningRate {
            throw fail("--learning-rate-min must lie between 0 and --learning-rate (\(learningRate)), got \(learningRateMin)")
        }
        if !(momentum >= 0 && momentum < 1) { throw fail("--momentum must lie in [0, 1), got \(momentum)") }
        if !(weightDecay >= 0 && weightDecay <= SizeLimits.float32) {
            throw fail("--weight-decay must be 0 or more (at most 3.4e38, float32's largest), got \(weightDecay)")
        }
        if !(gradClip > 0) { throw fail("--grad-clip must be positive, got \(gradClip)") }
        if !(auxiliaryWeight >= 0) { throw fail("--auxiliary-weight must be 0 (no auxiliary head) or more, got \(auxiliaryWeight)") }
        if !(dropPathProb >= 0 && dropPathProb < 1) { throw fail("--drop-path-prob must lie in [0, 1), got \(dropPathProb)") }
        if !(labelSmoothing >= 0 && labelSmoothing < 1) {
            throw fail("--label-smoothing must lie in [0, 1), got \(labelSmoothing)")
        }
        if let learningRateDecay, !(learningRateDecay > 0 && learningRateDecay <= 1) {
            throw fail("--learning-rate-decay must lie in (0, 1], got \(learningRateDecay)")
        }
        if let validationPortion, !DatasetSpec.FolderSettings.isShare(validationPortion) {
            throw fail("--val-portion must lie strictly between 0 and 1, got \(validationPortion)")
        }
        if cutout < 0 { throw fail("--cutout must be 0 (off) or a length in pixels, got \(cutout)") }
        // A square of twice the image's side erases all of it wherever its centre falls.
        let side = max(imageHeight, imageWidth)
        if side > 0 && cutout >= 2 * side {
            throw fail("--cutout \(cutout) is at least twice the \(imageHeight)x\(imageWidth) images' side, so it erases every "
                       + "image whole; use less than \(2 * side) (DARTS: 16 on 32-pixel images)")
        }
        if limit < 0 { throw fail("--limit must be 0 (all images) or a positive count, got \(limit)") }
        if limit > 0 && limit < classes {
            throw fail("--limit \(limit) is below the \(classes) classes; use at least one image per class")
        }
        if evalLimit < 0 { throw fail("--eval-limit must be 0 (all test images) or a positive count, got \(evalLimit)") }
        if evalLimit > 0 && evalLimit < classes {
            throw fail("--eval-limit \(evalLimit) is below the \(classes) classes; use at least one image per class")
        }
        try EvalNetwork.validate(genotype: genotype, configuration: network)
    }

    /// Settings that may differ between a checkpoint and the run resuming it: they change neither
    /// the weights nor the random streams.
    public static let resumableDifferences: Set<String> = ["data_path", "eval_limit", "unreadable"]

    /// Pretty JSON with sorted keys, as written to `config.json` and into checkpoints. A
    /// non-finite setting (`--grad-clip inf` passes `validate()`) is written as "inf" (JSONFormat).
    public func jsonString() -> String {
        // Plain numbers, strings and a genotype always encode; should that ever change, an empty
        // object makes `init(json:source:)` fail with a clear error where a crash would lose the run.
        (try? JSONFormat.text(self, snakeCase: false, pretty: true)) ?? "{}"
    }

    /// Reads the JSON of `jsonString()`; `source` names the file in the error.
    public init(json: String, source: String) throws {
        do {
            self = try JSONFormat.decoder(snakeCase: false).decode(TrainingConfiguration.self, from: Data(json.utf8))
        } catch {
            throw RunError("\(source): the stored training configuration cannot be read (\(JSONFormat.describe(error))); "
                           + "the file is damaged, or was written by another version of entrannas")
        }
        // Named as the file's, not as a --val-portion the user never gave.
        if let validationPortion, !DatasetSpec.FolderSettings.isShare(validationPortion) {
            throw RunError("\(source): the stored val_portion \(validationPortion) is not a share between 0 and 1; the file is damaged")
        }
    }

    private enum CodingKeys: String, CodingKey {
        case preset, genotype, dataset, classes, layers, epochs, momentum, cutout, limit, seed
        case genotypeName = "genotype_name"
        case dataPath = "data_path"
        case evalLimit = "eval_limit"
        case inputChannels = "input_channels"
        case imageHeight = "image_height"
        case imageWidth = "image_width"
        case initChannels = "init_channels"
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case learningRateMin = "learning_rate_min"
        case weightDecay = "weight_decay"
        case gradClip = "grad_clip"
        case auxiliaryWeight = "auxiliary_weight"
        case dropPathProb = "drop_path_prob"
        case labelSmoothing = "label_smoothing"
        case style
        case learningRateDecay = "learning_rate_decay"
        case validationPortion = "val_portion"
        case unreadable
    }
}
