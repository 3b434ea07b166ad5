import Datasets
import Foundation
import Torch

/// How a call to `Trainer.run` ended.
public enum TrainingOutcome: Equatable, Sendable {
    /// Every epoch is done; the result is the final test evaluation.
    case finished(EvaluationResult)
    /// A stop was requested; the checkpoint holds `epoch` finished epochs and `batch` batches of the next.
    case stopped(epoch: Int, batch: Int)
    /// `--profile` recorded its steps and wrote profile.json and profile.md; the training stopped
    /// there as on a stop request, after `batch` batches of epoch `epoch` (checkpoint saved).
    case profiled(epoch: Int, batch: Int)
}

/// Trains an evaluation network from scratch by the DARTS protocol (docs/method.md#evaluation): SGD with
/// momentum, cosine learning rate per epoch, weight decay, gradient clipping, auxiliary loss,
/// drop-path ramped over the epochs, optional label smoothing and cutout, and a test after every
/// epoch. The loop, its folder, resume, stop and checkpoint are `RunLoop`'s, as for a search.
/// A failed write throws and ends the run, the last good checkpoint intact. A resumed run
/// computes bitwise what an uninterrupted one would (same threads, CPU). In a data-parallel
/// run (`parallel`) each rank trains on its rows of every batch, gradients are averaged over
/// all rows, and only rank 0 writes files.
public final class Trainer: RunJob {
    /// Every setting of the run, as stored in config.json and the checkpoint.
    public let configuration: TrainingConfiguration
    /// The network being trained.
    public let network: EvalNetwork
    /// SGD with momentum and weight decay over every parameter.
    public let optimizer: SGD
    /// Learning-rate schedule (cosine, or DARTS ImageNet's step decay), set once per epoch.
    public let schedule: any LearningRateSchedule
    /// Batches of the (possibly limited) training set, with the augmentation.
    public let trainLoader: DataLoader
    /// The whole test set: the last epoch and the reported result.
    public let testLoader: DataLoader
    /// The test images evaluated after the other epochs (`evalLimit` of them, or all).
    public let epochTestLoader: DataLoader
    /// The run's output folder.
    public let directory: RunDirectory
    /// Polled after each batch; a set stop saves a checkpoint and returns `.stopped`.
    public let stop: StopSignal
    /// Where the network trains (`--device`).
    public let device: Device
    /// The layout of the network's weights and of the batches (`--memory-format`).
    public let memoryFormat: MemoryFormat
    /// The processes the batches are spread over.
    public let parallel: DataParallel
    /// The epoch loop: folder, resume, stop, checkpoint, metrics and log.txt.
    public private(set) var loop: RunLoop<Trainer>!
    private var parameters: [Tensor] = []
    private var learningRate = 0.0

    /// Seeds libtorch with the configuration's seed and builds the network, the optimizer and
    /// the loaders; nothing is written before `run`.
    public init(configuration: TrainingConfiguration, train: Dataset, test: Dataset, directory: RunDirectory,
                stop: StopSignal = .shared, device: Device = .cpu, parallel: DataParallel = .single,
                workers: Int = 1, memoryFormat: MemoryFormat = .contiguous) throws {
        try configuration.validate()
        try parallel.check(batchSize: configuration.batchSize)
        for part in [train, test] {
            guard part.channels == configuration.inputChannels, part.height == configuration.imageHeight,
                  part.width == configuration.imageWidth, part.classCount == configuration.classes else {
                throw RunError("the \(part.name) \(part.part) images are \(part.channels)x\(part.height)x\(part.width) with "
                               + "\(part.classCount) classes, the run expects \(configuration.inputChannels)x"
                               + "\(configuration.imageHeight)x\(configuration.imageWidth) with \(configuration.classes); "
                               + "use the run's --dataset \(configuration.dataset)")
            }
        }
        self.configuration = configuration
        self.directory = directory
        self.stop = stop
        Torch.manualSeed(configuration.seed)
        network = try EvalNetwork(genotype: configuration.genotype, configuration: configuration.network)
        try network.to(device)
        try network.to(memoryFormat: memoryFormat)
        self.memoryFormat = memoryFormat
        try parallel.broadcast(network)
        self.parallel = parallel
        Self.seedDropPath(configuration.seed, parallel: parallel, epoch: 0, batch: 0)
        self.device = device
        optimizer = SGD(network.namedParameters(), learningRate: configuration.learningRate,
                        momentum: configuration.momentum, weightDecay: configuration.weightDecay)
        schedule = configuration.schedule
        do {
            (trainLoader, testLoader, epochTestLoader) = try Self.loaders(configuration, train: train, test: test,
                                                                          parallel: parallel, workers: workers)
        } catch let error as DatasetError {
            throw RunError("\(error)")
        }
        loop = RunLoop(job: self, directory: directory, parallel: parallel, stop: stop)
    }

    /// The training loader (class-balanced `limit` images, augmented), the whole test set, and the
    /// test images of the epochs before the last (`evalLimit` of them, or all).
    private static func loaders(_ configuration: TrainingConfiguration, train: Dataset, test: Dataset,
                                parallel: DataParallel, workers: Int) throws -> (DataLoader, DataLoader, DataLoader) {
        let c = configuration
        let indices = c.limit > 0
            ? try SearchSplit.balancedIndices(labels: train.labels, classCount: train.classCount, limit: c.limit, seed: c.seed)
            : nil
        // A piece of one image would leave batch norm one value per channel after the auxiliary
        // head's 2x2 convolution, which libtorch rejects in training: a last batch too small to
        // give every process and chunk two images is left out.
        let remainder = (indices?.count ?? train.count) % c.batchSize
        let trainLoader = try DataLoader(dataset: train, indices: indices, batchSize: c.batchSize,
                                         augmentation: augmentation(for: c), shuffle: true,
                                         dropLast: remainder > 0 && remainder < 2 * parallel.worldSize * parallel.chunks,
                                         seed: c.seed, prefetch: max(2, workers), workers: workers, shard: parallel.shard)
        let testLoader = try DataLoader(dataset: test, batchSize: c.batchSize, shuffle: false, seed: c.seed,
                                        prefetch: max(2, workers), workers: workers, shard: parallel.shard)
        guard c.evalLimit > 0 && c.evalLimit < test.count else { return (trainLoader, testLoader, testLoader) }
        let epochTestLoader = try DataLoader(
            dataset: test, indices: SearchSplit.balancedIndices(labels: test.labels, classCount: test.classCount,
                                                                limit: c.evalLimit, seed: c.seed),
            batchSize: c.batchSize, shuffle: false, seed: c.seed, prefetch: max(2, workers), workers: workers,
            shard: parallel.shard)
        return (trainLoader, testLoader, epochTestLoader)
    }

    /// Drop-path masks are drawn from libtorch's generator: ranks other than 0 get streams of
    /// their own (a function of seed, rank and position), so their rows are not masked alike.
    private static func seedDropPath(_ seed: UInt64, parallel: DataParallel, epoch: Int, batch: Int) {
        guard parallel.rank > 0 else { return }
        Torch.manualSeed(SplitMix64.key(seed, UInt64(parallel.rank), UInt64(epoch) << 32 | UInt64(batch)))
    }

    /// The dataset's usual training augmentation (crop, and flip for CIFAR) plus cutout.
    public static func augmentation(for configuration: TrainingConfiguration) -> Augmentation {
        var augmentation = (try? DatasetSpec(name: configuration.dataset))?.trainingAugmentation ?? Augmentation()
        augmentation.cutoutLength = configuration.cutout
        return augmentation
    }

    /// Trains from the start, or with `resume` from the directory's checkpoint, until every epoch
    /// is done or a stop is requested. On completion writes `model.safetensors` and the genotype.
    public func run(resume: Bool = false) throws -> TrainingOutcome {
        switch try loop.run(resume: resume) {
        case .stopped(let epoch, let batch): return .stopped(epoch: epoch, batch: batch)
        case .profiled(let epoch, let batch): return .profiled(epoch: epoch, batch: batch)
        case .finished: break
        }
        // A run resumed after its last epoch has no test of its own yet.
        guard let final = try lastTest ?? evaluate(network, on: testLoader, observer: observer, stop: stop, parallel: parallel) else {
            return .stopped(epoch: configuration.epochs, batch: 0)
        }
        guard parallel.isMain else { return .finished(final) }
        try TrainedModel.save(network, configuration: configuration, result: final, in: directory)
        try HTMLReport.write(for: directory.url)
        if let line = unreadableImagesLine([trainLoader.dataset, testLoader.dataset]) { try say(line) }
        if let line = try peakGPUMemoryLine(device) { try say(line) }
        try say(String(format: "test accuracy %.2f%% top-1, %.2f%% top-5", final.top1, final.top5)
                  + " on \(final.count) \(configuration.dataset) test images")
        try say("weights: \(directory.model.path) (genotype.json and genotype.txt beside it)")
        return .finished(final)
    }

    /// The last epoch's test, when this process ran it.
    private var lastTest: EvaluationResult?

    // MARK: RunJob

    public var kind: String { "train" }
    public var settingsJSON: String { configuration.jsonString() }
    public var resumableDifferences: Set<String> { TrainingConfiguration.resumableDifferences }
    public var dataSeed: UInt64 { configuration.seed }
    public var epochs: Int { configuration.epochs }
    public var model: Module { network }
    public var optimizers: [(name: String, optimizer: any Optimizer)] { [("sgd", optimizer)] }
    public var progressSpan: ProgressSpan { .epoch }
    public var state: NoJobState { NoJobState() }

    public func resume(epoch: Int, batch: Int, state: NoJobState?, legacy: [String: String]) throws {
        Self.seedDropPath(configuration.seed, parallel: parallel, epoch: epoch, batch: batch)
    }

    public func header(resumedAt: (epoch: Int, batch: Int)?) -> [String] {
        resumedAt.map { ["resuming \(directory.path) at epoch \($0.epoch + 1), batch \($0.batch) of \(trainLoader.batchCount)"] } ?? []
    }

    public func epochWillStart(_ epoch: Int, batch: Int) throws {
        learningRate = schedule.learningRate(at: epoch)
        optimizer.setLearningRate(learningRate)
        network.dropPathProbability = configuration.dropPathProbability(epoch: epoch)
        network.train()
        parameters = network.parameters()
    }

    /// One SGD step: loss (main + weighted auxiliary), gradients averaged over the whole batch of
    /// every rank, clip, update. Reports the main loss (without the auxiliary term).
    public func step(_ host: HostBatch, epoch: Int) throws -> StepTotals {
        let batch = try Batch(host, on: device, format: memoryFormat)
        return try Profiler.range("training step") {
            try weightStep(batch, parameters: parameters, optimizer: optimizer, clip: configuration.gradClip, parallel: parallel,
                           diverged: { what in
                               RunError.diverged(what, epoch: epoch, step: batch.index, of: self.trainLoader.batchCount,
                                                 learningRate: self.learningRate,
                                                 lower: "a lower --learning-rate (e.g. \(String(format: "%.4g", self.configuration.learningRate / 2))) or a lower --grad-clip")
                           }) { images, labels in
                let (logits, auxiliaryLogits) = try network(images)
                let main = try crossEntropy(logits, labels, labelSmoothing: configuration.labelSmoothing)
                guard let auxiliaryLogits else { return ForwardResult(loss: main, logits: logits) }
                let loss = try main + crossEntropy(auxiliaryLogits, labels, labelSmoothing: configuration.labelSmoothing)
                    * configuration.auxiliaryWeight
                // Reported: the classification loss alone, comparable with the test loss.
                return ForwardResult(loss: loss, logits: logits, reported: main)
            }
        }
    }

    /// The test (the whole test set in the last epoch, `evalLimit` images before), the epoch's
    /// line, and a refusal to go on with weights that are no longer finite.
    public func finishEpoch(_ epoch: Int, totals: EpochTotals, stop: StopSignal,
                            observer: RunObserver?) throws -> EpochRecordLines<EpochRecord>? {
        let loader = epoch == configuration.epochs - 1 ? testLoader : epochTestLoader
        guard let test = try evaluate(network, on: loader, observer: observer, label: "  test", stop: stop, parallel: parallel) else {
            return nil
        }
        lastTest = epoch == configuration.epochs - 1 ? test : nil
        let seen = max(totals.seen, 1)
        let record = EpochRecord(epoch: epoch + 1, epochs: configuration.epochs, learningRate: learningRate,
                                 dropPathProb: network.dropPathProbability, trainLoss: totals.lossSum / seen,
                                 trainTop1: 100 * totals.correct / seen, testLoss: test.loss,
                                 testTop1: test.top1, testTop5: test.top5, testImages: test.count, seconds: totals.seconds,
                                 imagesPerSecond: totals.seen / max(totals.seconds, 1e-9))
        try checkFinite(epoch: epoch, testLoss: test.loss)
        return EpochRecordLines(record: record,
                                logged: record.line + (loader.imagesPerEpoch < testLoader.imagesPerEpoch ? " [\(test.count) test images]" : ""))
    }

    /// Refuses to checkpoint weights, or batch-norm statistics, that are no longer finite, and a
    /// test loss that is not: weights huge but finite (a learning rate of 1e10) give a NaN test
    /// loss through batch norm, and a model that answers one class.
    private func checkFinite(epoch: Int, testLoss: Double) throws {
        let tensors = network.namedParameters() + network.namedBuffers()
        let bad = try withNoGrad {
            try tensors.first { try !$0.1.allFinite() }
        }
        let advice = "no checkpoint was saved for it. Start again with a lower --learning-rate (e.g. "
            + String(format: "%.4g", configuration.learningRate / 10) + ")"
        if let (name, _) = bad {
            throw RunError("\(name) is no longer finite after epoch \(epoch + 1); " + advice)
        }
        if !testLoss.isFinite {
            throw RunError("the test loss became \(testLoss) after epoch \(epoch + 1) (the weights grew too large); " + advice)
        }
    }

}

/// One line of `metrics.jsonl` for a training epoch (keys in snake_case).
public struct EpochRecord: Codable, Equatable, Sendable {
    /// The epoch just finished, from 1.
    public var epoch: Int
    /// Epochs of the whole run.
    public var epochs: Int
    /// Learning rate used in the epoch.
    public var learningRate: Double
    /// Drop-path probability used in the epoch.
    public var dropPathProb: Double
    /// Mean training cross-entropy of the main classifier (auxiliary term excluded, label smoothing
    /// included).
    public var trainLoss: Double
    /// Training top-1 accuracy of the epoch, in percent.
    public var trainTop1: Double
    /// Mean test cross-entropy.
    public var testLoss: Double
    /// Test top-1 accuracy, in percent.
    public var testTop1: Double
    /// Test top-5 accuracy, in percent.
    public var testTop5: Double
    /// Test images behind the three test numbers (fewer than the test set with `--eval-limit`).
    public var testImages: Int
    /// Wall-clock seconds of the epoch's training (test pass excluded).
    public var seconds: Double
    /// Training images per second in the epoch.
    public var imagesPerSecond: Double

    /// The printed per-epoch line.
    public var line: String {
        let width = String(epochs).count
        let number = String(repeating: " ", count: max(0, width - String(epoch).count)) + String(epoch)
        return "epoch \(number)/\(epochs)  "
            + String(format: "lr %.5f  drop-path %.3f  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%% top-5 %.2f%%  ",
                     learningRate, dropPathProb, trainLoss, trainTop1, testLoss, testTop1, testTop5)
            + ProgressBar.formatDuration(seconds) + String(format: " (%.0f img/s)", imagesPerSecond)
    }
}
