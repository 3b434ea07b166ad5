import Datasets
import Foundation
import Torch

/// The bilevel search loop (docs/method.md#bilevel): per step, one architecture step on a validation
/// batch (after the warm-up epochs), then one weight step on a training batch; the derived
/// cells are refreshed after each architecture step. Stops cleanly between steps on request.
public final class Searcher {
    /// The super-net being searched.
    public let network: SearchNetwork
    /// Where the network lives (batches are moved there): the device the caller put it on.
    public let device: Device
    /// The layout of the network's weights, which the batches get too (channels-last on CPUs).
    public let memoryFormat: MemoryFormat
    /// Epochs, batch size and learning rates of the search.
    public let hyper: SearchHyperparameters
    /// Takes the architecture steps.
    public let architect: Architect
    /// SGD over the network weights (not the architecture parameters).
    public let optimizer: SGD
    /// Batches of the weight split.
    public let trainLoader: DataLoader
    /// Batches of the architecture split (DARTS' "valid" queue).
    public let validLoader: DataLoader
    /// Cosine schedule of the weight learning rate, set once per epoch.
    public let schedule: CosineAnnealing
    /// Position: the next step to run is `step` of `epoch`.
    public private(set) var epoch = 0
    /// Weight steps already run in `epoch`.
    public private(set) var step = 0
    /// Validation batches consumed so far, across epochs (DARTS draws a fresh one per step).
    public private(set) var validCursor = 0
    private var running = (loss: 0.0, correct: 0.0, count: 0.0)
    /// Sum of the architect's zero-gradient node counts over this epoch's architecture steps, and their number.
    private var zeroGradient = (sum: 0.0, steps: 0.0)
    private var epochStart = Date()
    /// Polled between steps; when it returns true the loop returns `.stopped` (on every rank at
    /// the same step when one rank is asked).
    public var shouldStop: () -> Bool = { false }
    /// The processes (and chunks) each batch is spread over; the loaders yield this rank's rows.
    public let parallel: DataParallel
    /// Records a few steps (`--profile`); the loop stops once it is done, as on a stop request.
    public var profiler: StepProfiler?

    /// Whether `run` finished every epoch or was stopped between steps (it may resume).
    public enum Outcome: Equatable { case finished, stopped }

    /// Builds the optimizers and schedule from `hyper`; throws when a setting is invalid or a split
    /// has no full batch. With `parallel`, the loaders are given whole and yield this rank's rows.
    public init(network: SearchNetwork, hyper: SearchHyperparameters, trainLoader: DataLoader, validLoader: DataLoader,
                parallel: DataParallel = .single) throws {
        try hyper.validate()
        try parallel.check(batchSize: hyper.batchSize)
        guard trainLoader.batchCount > 0, validLoader.batchCount > 0 else {
            throw SearchConfigError(message: "the search split has no full batch: lower --batch-size (\(hyper.batchSize)) or raise --limit")
        }
        self.network = network
        device = network.device
        memoryFormat = network.memoryFormat
        self.hyper = hyper
        self.trainLoader = try trainLoader.sharded(parallel.shard)
        self.validLoader = try validLoader.sharded(parallel.shard)
        self.parallel = parallel
        try parallel.broadcast(network)
        optimizer = SGD(network.weightParameters(), learningRate: hyper.learningRate, momentum: hyper.momentum,
                        weightDecay: hyper.weightDecay)
        architect = Architect(network: network, order: network.config.method == .darts2nd ? .second : .first,
                              learningRate: hyper.archLearningRate, weightDecay: hyper.archWeightDecay,
                              betas: (hyper.archBeta1, hyper.archBeta2))
        architect.parallel = parallel
        schedule = CosineAnnealing(base: hyper.learningRate, minimum: hyper.learningRateMin, period: hyper.epochs)
    }

    /// Whether every epoch has run.
    public var isFinished: Bool { epoch >= hyper.epochs }

    /// Runs until the last epoch ends or `shouldStop` says so. `epochDidFinish` gets each epoch's
    /// summary before the loop goes on (SearchRun writes metrics and the checkpoint there); an
    /// error it throws ends the search.
    public func run(observer: RunObserver? = nil,
                    epochDidFinish: (SearchEpochSummary) throws -> Void = { _ in }) throws -> Outcome {
        let steps = trainLoader.batchCount
        observer?.progressWillStart(label: "search", total: hyper.epochs * steps, unit: "step", done: epoch * steps + step)
        defer { observer?.progressDidFinish() }
        while epoch < hyper.epochs {
            if step == 0 {
                running = (0, 0, 0)
                zeroGradient = (0, 0)
                epochStart = Date()
            }
            optimizer.setLearningRate(schedule.learningRate(at: epoch))
            network.train()
            let updatesArchitecture = epoch >= hyper.warmupEpochs
            var validIterator = try validBatches()
            for host in try trainLoader.epoch(epoch, startingAtBatch: step) {
                try profiler?.stepWillStart()
                let batch = try Batch(host, on: device, format: memoryFormat)
                if updatesArchitecture {
                    let v = try nextValidBatch(&validIterator)
                    try Profiler.range("architecture step") {
                        try architect.step(validation: (v.images, v.labels), train: (batch.images, batch.labels),
                                           weightOptimizer: optimizer)
                    }
                    zeroGradient.sum += Double(architect.zeroGradientNodes)
                    zeroGradient.steps += 1
                }
                // The whole batch's loss and hits; then whether any rank stops, so all stop together.
                let totals = try Profiler.range("weight step") { try parallel.sum(try weightStep(batch)) }
                running.loss += totals[0]
                running.correct += totals[1]
                running.count += totals[2]
                step += 1
                try profiler?.stepDidEnd()
                observer?.progress(done: epoch * steps + step,
                                   metrics: [("epoch", "\(epoch + 1)/\(hyper.epochs)"),
                                             ("loss", String(format: "%.3f", running.loss / running.count)),
                                             ("acc", String(format: "%.1f%%", 100 * running.correct / running.count))])
                if try parallel.any(stopsHere()) && step < trainLoader.batchCount { return .stopped }
            }
            let summary = try finishEpoch(architectureUpdated: updatesArchitecture)
            epoch += 1
            step = 0
            try epochDidFinish(summary)
            if try parallel.any(stopsHere()) && epoch < hyper.epochs { return .stopped }
        }
        try profiler?.finish()
        return .finished
    }

    /// Whether the loop ends at this step: a stop request, or a profile that is done.
    private func stopsHere() -> Bool { shouldStop() || profiler?.isDone == true }

    /// One SGD step on the weights (gradients averaged over the whole batch of every rank),
    /// gradient-norm clipping at 5 as in DARTS. Returns this rank's loss sum, hits and rows.
    func weightStep(_ batch: Batch) throws -> [Double] {
        let weights = network.weightParameters().map(\.1)
        var lossSum = 0.0, correct = 0.0
        let grads = try parallel.meanGradients(images: batch.images, labels: batch.labels) { images, labels in
            let logits = try network(images)
            let loss = try crossEntropy(logits, labels)
            let value = try loss.item()
            guard value.isFinite else {
                throw SearchConfigError(message: "the training loss became \(value) at epoch \(epoch + 1), step \(step + 1): lower --learning-rate (now \(optimizer.learningRate)) or --arch-learning-rate")
            }
            lossSum += value * Double(labels.size(0))
            correct += try withNoGrad { try logits.argmax(dim: 1).eq(labels).to(.float32).sum().item() }
            return try gradients(of: [loss], withRespectTo: weights, allowUnused: true)
        }
        for (w, g) in zip(weights, grads) { try w.setGrad(g) }
        try clipGradNorm(weights, maxNorm: hyper.gradClip)
        try optimizer.step()
        for w in weights { w.zeroGrad() }
        return [lossSum, correct, Double(batch.count)]
    }

    private func validBatches() throws -> HostBatchIterator {
        let perEpoch = validLoader.batchCount
        return try validLoader.epoch(validCursor / perEpoch, startingAtBatch: validCursor % perEpoch).makeIterator()
    }

    private func nextValidBatch(_ iterator: inout HostBatchIterator) throws -> Batch {
        if let b = iterator.next() {
            validCursor += 1
            return try Batch(b, on: device, format: memoryFormat)
        }
        iterator = try validBatches()
        guard let b = iterator.next() else { throw SearchConfigError(message: "the architecture split yields no batch") }
        validCursor += 1
        return try Batch(b, on: device, format: memoryFormat)
    }

    private func finishEpoch(architectureUpdated: Bool) throws -> SearchEpochSummary {
        let (validLoss, validAccuracy) = try evaluate(network)
        let weights = try withNoGrad { try network.cellWeights() }
        let thresholds: [String: [Float]]? = network.config.usesThresholds
            ? ["normal": try network.arch.thresholds_normal.sigmoid().floats(), "reduce": try network.arch.thresholds_reduce.sigmoid().floats()]
            : nil
        return SearchEpochSummary(
            epoch: epoch + 1, learningRate: optimizer.learningRate,
            trainLoss: running.loss / max(1, running.count), trainAccuracy: running.correct / max(1, running.count),
            validLoss: validLoss, validAccuracy: validAccuracy, genotype: network.genotype.dartsText,
            skipConnections: network.genotype.normal.joined().filter { $0.op == .skipConnect }.count,
            normalWeights: weights.normal.values, reduceWeights: weights.reduce.values, thresholds: thresholds,
            normalStatistics: ArchitectureStatistics(weights: weights.normal, derived: network.genotype.normal,
                                                     primitives: network.config.primitives, pruning: network.config.usesThresholds),
            reduceStatistics: ArchitectureStatistics(weights: weights.reduce, derived: network.genotype.reduce,
                                                     primitives: network.config.primitives, pruning: network.config.usesThresholds),
            zeroGradientNodes: network.config.usesThresholds && zeroGradient.steps > 0 ? zeroGradient.sum / zeroGradient.steps : nil,
            architectureUpdated: architectureUpdated, seconds: Date().timeIntervalSince(epochStart),
            steps: trainLoader.batchCount)
    }

    /// Loss and accuracy in inference mode on the architecture split (capped by `evalLimit`),
    /// each rank on its rows with rank 0's batch-norm statistics, summed over the ranks.
    public func evaluate(_ model: SearchNetwork) throws -> (loss: Double, accuracy: Double) {
        model.eval()
        defer { model.train() }
        try parallel.broadcastBuffers(model)
        var loss = 0.0, correct = 0.0, count = 0.0
        let batches = try validLoader.epoch(0)
        try withNoGrad {
            for host in batches {
                let batch = try Batch(host, on: device, format: memoryFormat)
                let logits = try model(batch.images)
                loss += try crossEntropy(logits, batch.labels).item() * Double(batch.count)
                correct += try logits.argmax(dim: 1).eq(batch.labels).to(.float32).sum().item()
                count += Double(batch.count)
                if let cap = hyper.evalLimit, (host.index + 1) * validLoader.batchSize >= cap { break }
            }
        }
        let totals = try parallel.sum([loss, correct, count])
        return (totals[0] / max(1, totals[2]), totals[1] / max(1, totals[2]))
    }

    // MARK: checkpoint state

    /// Both optimizers, named as the checkpoint stores them.
    public var optimizers: [(name: String, optimizer: any Optimizer)] { [("sgd", optimizer), ("adam", architect.optimizer)] }

    /// The loop state a checkpoint needs beyond the position, weights, optimizers and RNG.
    public var loopValues: [String: String] {
        ["valid_cursor": "\(validCursor)", "running": "\(running.loss),\(running.correct),\(running.count)",
         "elapsed": "\(Date().timeIntervalSince(epochStart))", "zero_gradient": "\(zeroGradient.sum),\(zeroGradient.steps)"]
    }

    /// Continues at `step` of `epoch` after the checkpoint restored weights, optimizers and RNG.
    public func resume(epoch: Int, step: Int, values: [String: String]) throws {
        guard let v = values["valid_cursor"].flatMap(Int.init) else {
            throw RunError("the search checkpoint lacks its validation-batch position; the file is damaged")
        }
        self.epoch = epoch
        self.step = step
        validCursor = v
        let r = (values["running"] ?? "0,0,0").split(separator: ",").compactMap { Double($0) }
        if r.count == 3 { running = (r[0], r[1], r[2]) }
        let z = (values["zero_gradient"] ?? "0,0").split(separator: ",").compactMap { Double($0) }
        if z.count == 2 { zeroGradient = (z[0], z[1]) }
        epochStart = Date().addingTimeInterval(-(values["elapsed"].flatMap(Double.init) ?? 0))
        try network.rederive()
    }
}
