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
/// drop-path ramped over the epochs, optional label smoothing and cutout. Tests the network after
/// every epoch, appends `metrics.jsonl` and `log.txt`, rewrites the checkpoint atomically, and
/// stops cleanly on request. A failed write throws and ends the run, the last good checkpoint
/// intact. A resumed run computes bitwise what an uninterrupted one would (same threads, CPU).
/// In a data-parallel run (`parallel`) each rank trains on its rows of every batch, gradients
/// are averaged over all rows, and only rank 0 writes files.
public final class Trainer {
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
    /// Display only (progress bars, printed lines); nil trains silently with the same files.
    public var observer: RunObserver?
    /// Records a few steps (`--profile`); the run stops once it is done, as on a stop request.
    public var profiler: StepProfiler?
    /// The processes the batches are spread over.
    public let parallel: DataParallel

    private let log: RunLog?
    private var tensorBoard: TensorBoardLog?

    /// Seeds libtorch with the configuration's seed and builds the network, the optimizer and
    /// the loaders. `directory` must have been prepared (`RunDirectory.prepare`).
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
            let indices = configuration.limit > 0
                ? try SearchSplit.balancedIndices(labels: train.labels, classCount: train.classCount,
                                                  limit: configuration.limit, seed: configuration.seed)
                : nil
            let count = indices?.count ?? train.count
            // A piece of one image would leave batch norm one value per channel after the
            // auxiliary head's 2x2 convolution, which libtorch rejects in training: a last batch
            // too small to give every process and chunk two images is left out.
            let remainder = count % configuration.batchSize
            trainLoader = try DataLoader(dataset: train, indices: indices, batchSize: configuration.batchSize,
                                         augmentation: Self.augmentation(for: configuration), shuffle: true,
                                         dropLast: remainder > 0 && remainder < 2 * parallel.worldSize * parallel.chunks,
                                         seed: configuration.seed, prefetch: max(2, workers), workers: workers,
                                         shard: parallel.shard)
            testLoader = try DataLoader(dataset: test, batchSize: configuration.batchSize, shuffle: false,
                                        seed: configuration.seed, prefetch: max(2, workers), workers: workers,
                                        shard: parallel.shard)
            epochTestLoader = configuration.evalLimit > 0 && configuration.evalLimit < test.count
                ? try DataLoader(dataset: test,
                                 indices: SearchSplit.balancedIndices(labels: test.labels, classCount: test.classCount,
                                                                      limit: configuration.evalLimit, seed: configuration.seed),
                                 batchSize: configuration.batchSize, shuffle: false, seed: configuration.seed,
                                 prefetch: max(2, workers), workers: workers, shard: parallel.shard)
                : testLoader
        } catch let error as DatasetError {
            throw RunError("\(error)")
        }
        log = parallel.isMain ? try RunLog(url: directory.log) : nil
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
        let folderLock = parallel.isMain ? try RunLock(directory) : nil
        defer { withExtendedLifetime(folderLock) {} }
        var epoch = 0
        var startBatch = 0
        var partial = PartialEpoch()
        if resume {
            let checkpoint = try Checkpoint.load(from: directory.checkpoint)
            try checkpoint.checkConfiguration(configuration.jsonString(), kind: "train",
                                              ignoring: TrainingConfiguration.resumableDifferences)
            try checkpoint.restore(model: network, optimizers: [("sgd", optimizer)])
            (epoch, startBatch) = (checkpoint.epoch, checkpoint.batch)
            Self.seedDropPath(configuration.seed, parallel: parallel, epoch: epoch, batch: startBatch)
            partial = PartialEpoch(checkpoint.values)
            if parallel.isMain { try MetricsLog.rewind(directory.metrics, keepingThrough: epoch) }
            if let threads = checkpoint.threadCount, threads != Torch.threadCount {
                try say("note: the checkpoint was written with \(threads) threads, this run has \(Torch.threadCount); "
                          + "results match an uninterrupted run bitwise only with the same --threads")
            }
            try say("resuming \(directory.path) at epoch \(epoch + 1), batch \(startBatch) of \(trainLoader.batchCount)")
        } else if parallel.isMain {
            do { try AtomicFile.write(configuration.jsonString() + "\n", to: directory.configuration) } catch {
                throw RunError("cannot write \(directory.configuration.path): \(error)")
            }
        }
        let metrics = parallel.isMain ? try MetricsLog(url: directory.metrics) : nil
        if parallel.isMain { tensorBoard = try TensorBoardLog(run: directory, resume: resume) }
        var last: EvaluationResult?
        while epoch < configuration.epochs {
            switch try runEpoch(epoch, from: startBatch, partial: partial, metrics: metrics) {
            case .tested(let result): last = result
            case .stopped(let epoch, let batch):
                if parallel.isMain { try HTMLReport.write(for: directory.url) }
                if let profiler, profiler.isDone {
                    for line in profiler.lines { try say(line) }
                    return .profiled(epoch: epoch, batch: batch)
                }
                return .stopped(epoch: epoch, batch: batch)
            }
            epoch += 1
            startBatch = 0
            partial = PartialEpoch()
            if try parallel.any(stop.isRequested) && epoch < configuration.epochs { return .stopped(epoch: epoch, batch: 0) }
        }
        try profiler?.finish()
        let final: EvaluationResult
        if let last {
            final = last
        } else {
            guard let result = try evaluate(network, on: testLoader, observer: observer, stop: stop, parallel: parallel) else {
                return .stopped(epoch: epoch, batch: 0)
            }
            final = result
        }
        guard parallel.isMain else { return .finished(final) }
        try TrainedModel.save(network, configuration: configuration, result: final, in: directory)
        try HTMLReport.write(for: directory.url)
        if let line = unreadableImagesLine([trainLoader.dataset, testLoader.dataset]) { try say(line) }
        if let line = try peakGPUMemoryLine(device) { try say(line) }
        for line in profiler?.lines ?? [] { try say(line) }
        try say(String(format: "test accuracy %.2f%% top-1, %.2f%% top-5", final.top1, final.top5)
                  + " on \(final.count) \(configuration.dataset) test images")
        try say("weights: \(directory.model.path) (genotype.json and genotype.txt beside it)")
        return .finished(final)
    }

    private enum EpochEnd {
        case tested(EvaluationResult)
        case stopped(epoch: Int, batch: Int)
    }

    /// Sums of the batches done so far in the current epoch (kept in checkpoints mid-epoch).
    private struct PartialEpoch {
        var lossSum = 0.0, correct = 0, seen = 0, seconds = 0.0

        init() {}

        init(_ values: [String: String]) {
            lossSum = values["partial_loss_sum"].flatMap(Double.init) ?? 0
            correct = values["partial_correct"].flatMap(Int.init) ?? 0
            seen = values["partial_seen"].flatMap(Int.init) ?? 0
            seconds = values["partial_seconds"].flatMap(Double.init) ?? 0
        }

        var values: [String: String] {
            ["partial_loss_sum": String(lossSum), "partial_correct": String(correct), "partial_seen": String(seen),
             "partial_seconds": String(seconds)]
        }
    }

    /// One epoch from batch `startBatch`, then the test; on a stop request, saves the checkpoint.
    private func runEpoch(_ epoch: Int, from startBatch: Int, partial start: PartialEpoch,
                          metrics: MetricsLog?) throws -> EpochEnd {
        let learningRate = schedule.learningRate(at: epoch)
        optimizer.setLearningRate(learningRate)
        network.dropPathProbability = configuration.dropPathProbability(epoch: epoch)
        network.train()
        var partial = start
        let began = Date()
        let elapsed = { partial.seconds + Date().timeIntervalSince(began) }
        observer?.progressWillStart(label: "epoch \(epoch + 1)/\(configuration.epochs)", total: trainLoader.imagesPerEpoch,
                                    unit: "img", done: partial.seen)
        let parameters = network.parameters()
        for host in try trainLoader.epoch(epoch, startingAtBatch: startBatch) {
            try profiler?.stepWillStart()
            let batch = try Batch(host, on: device, format: memoryFormat)
            let local = try Profiler.range("training step") {
                try step(batch, epoch: epoch, parameters: parameters, learningRate: learningRate)
            }
            // The whole batch's loss and hits; then whether any rank stops, so all stop together.
            let totals = try parallel.sum([local.lossSum, Double(local.correct), Double(batch.count)])
            partial.lossSum += totals[0]
            partial.correct += Int(totals[1])
            partial.seen += Int(totals[2])
            observer?.progress(done: partial.seen, metrics: [("loss", String(format: "%.4f", partial.lossSum / Double(partial.seen))),
                                                             ("acc", percent(partial.correct, partial.seen))])
            try profiler?.stepDidEnd()
            if try parallel.any(stop.isRequested || profiler?.isDone == true) {
                observer?.progressDidFinish()
                partial.seconds = elapsed()
                try saveCheckpoint(epoch: epoch, batch: batch.index + 1, partial: partial)
                return .stopped(epoch: epoch, batch: batch.index + 1)
            }
        }
        observer?.progressDidFinish()
        partial.seconds = elapsed()
        let loader = epoch == configuration.epochs - 1 ? testLoader : epochTestLoader
        guard let test = try evaluate(network, on: loader, observer: observer, label: "  test", stop: stop, parallel: parallel) else {
            try saveCheckpoint(epoch: epoch, batch: trainLoader.batchCount, partial: partial)
            return .stopped(epoch: epoch, batch: trainLoader.batchCount)
        }
        let seen = max(partial.seen, 1)
        let record = EpochRecord(epoch: epoch + 1, epochs: configuration.epochs, learningRate: learningRate,
                                 dropPathProb: network.dropPathProbability, trainLoss: partial.lossSum / Double(seen),
                                 trainTop1: 100 * Double(partial.correct) / Double(seen), testLoss: test.loss,
                                 testTop1: test.top1, testTop5: test.top5, testImages: test.count, seconds: partial.seconds,
                                 imagesPerSecond: Double(partial.seen) / max(partial.seconds, 1e-9))
        try metrics?.append(record)
        try tensorBoard?.append(record)
        try say(record.line + (loader.imagesPerEpoch < testLoader.imagesPerEpoch ? " [\(test.count) test images]" : ""))
        try checkFinite(epoch: epoch)
        try saveCheckpoint(epoch: epoch + 1, batch: 0, partial: PartialEpoch())
        if parallel.isMain { try HTMLReport.write(for: directory.url) }
        return .tested(test)
    }

    /// One SGD step on one batch: loss (main + weighted auxiliary), gradients averaged over the
    /// whole batch of every rank, clip, update. Returns this rank's sum of the main loss (without
    /// the auxiliary term) and its number of correct top-1 guesses.
    private func step(_ batch: Batch, epoch: Int, parameters: [Tensor],
                      learningRate: Double) throws -> (lossSum: Double, correct: Int) {
        var lossSum = 0.0, correct = 0
        let grads = try parallel.meanGradients(images: batch.images, labels: batch.labels) { images, labels in
            let (logits, auxiliaryLogits) = try network(images)
            let main = try crossEntropy(logits, labels, labelSmoothing: configuration.labelSmoothing)
            var loss = main
            if let auxiliaryLogits {
                loss = try loss + crossEntropy(auxiliaryLogits, labels, labelSmoothing: configuration.labelSmoothing)
                    * configuration.auxiliaryWeight
            }
            let total = try loss.item()
            guard total.isFinite else { throw nonFinite("the loss became \(total)", epoch, batch, learningRate) }
            // Reported: the classification loss alone, comparable with the test loss.
            lossSum += try (auxiliaryLogits == nil ? total : main.item()) * Double(labels.size(0))
            correct += try topKCorrect(logits, labels: labels, k: 1)
            return try gradients(of: [loss], withRespectTo: parameters, allowUnused: true)
        }
        for (p, g) in zip(parameters, grads) { try p.setGrad(g) }
        let norm = try clipGradNorm(parameters, maxNorm: configuration.gradClip)
        guard norm.isFinite else { throw nonFinite("the gradient norm became \(norm)", epoch, batch, learningRate) }
        try optimizer.step()
        return (lossSum, correct)
    }

    private func nonFinite(_ what: String, _ epoch: Int, _ batch: Batch, _ learningRate: Double) -> RunError {
        let kept = epoch > 0 ? "the checkpoint of epoch \(epoch) is kept" : "no checkpoint was written"
        return RunError("\(what) at epoch \(epoch + 1), step \(batch.index + 1) of \(trainLoader.batchCount) "
                        + "(learning rate \(String(format: "%.4g", learningRate))); training stopped and \(kept). "
                        + "Start again with a lower --learning-rate (e.g. \(String(format: "%.4g", configuration.learningRate / 2))) "
                        + "or a lower --grad-clip")
    }

    /// Refuses to checkpoint weights that are no longer finite.
    private func checkFinite(epoch: Int) throws {
        let bad = try withNoGrad {
            try network.namedParameters().first { try $0.1.isFinite().logicalNot().to(.float32).sum().item() > 0 }
        }
        if let (name, _) = bad {
            throw RunError("weight \(name) is no longer finite after epoch \(epoch + 1); no checkpoint was saved for it. "
                           + "Start again with a lower --learning-rate")
        }
    }

    /// Writes a line to log.txt, then shows it.
    private func say(_ line: String) throws { try log?.write(line, showing: observer) }

    private func saveCheckpoint(epoch: Int, batch: Int, partial: PartialEpoch) throws {
        guard parallel.isMain else { return }
        try Checkpoint.save(to: directory.checkpoint, kind: "train", configuration: configuration.jsonString(),
                            epoch: epoch, batch: batch, dataSeed: configuration.seed, model: network,
                            optimizers: [("sgd", optimizer)], values: partial.values)
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
