import Datasets
import Foundation
import Torch

/// The bilevel search loop (docs/method.md#bilevel): per step, one architecture step on a validation
/// batch (after the warm-up epochs), then one weight step on a training batch; the derived
/// cells are refreshed after each architecture step. `SearchRun` drives it through `RunLoop`.
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
    /// Validation batches consumed so far, across epochs (DARTS draws a fresh one per step).
    public private(set) var validCursor = 0
    /// Sum of the architect's zero-gradient node counts over this epoch's architecture steps, and their number.
    private var zeroGradient = ZeroGradientSums()
    private var updatesArchitecture = false
    private var validIterator: HostBatchIterator?
    /// The last finished epoch's derived genotype, which the next epoch's is compared with; nil
    /// after a warm-up epoch.
    private var previousGenotype: Genotype?
    /// The processes (and chunks) each batch is spread over; the loaders yield this rank's rows.
    public let parallel: DataParallel
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

    /// Sets the epoch's learning rate and whether it updates the architecture (not in the warm-up).
    func epochWillStart(_ epoch: Int, batch: Int) throws {
        if batch == 0 { zeroGradient = ZeroGradientSums() }
        optimizer.setLearningRate(schedule.learningRate(at: epoch))
        network.temperature = network.config.temperature(epoch: epoch, of: hyper.epochs)
        network.train()
        updatesArchitecture = epoch >= hyper.warmupEpochs
        if network.capsInDegree != updatesArchitecture {
            network.capsInDegree = updatesArchitecture
            if network.config.dstMaxInDegree != nil { try network.rederive() }
        }
        validIterator = try validBatches()
    }

    /// One search step: an architecture step on the next validation batch (after the warm-up),
    /// then a weight step on `host`. Returns this rank's loss sum, hits and rows.
    func step(_ host: HostBatch, epoch: Int) throws -> StepTotals {
        let batch = try Batch(host, on: device, format: memoryFormat)
        if updatesArchitecture {
            let v = try nextValidBatch()
            try Profiler.range("architecture step") {
                try architect.step(validation: (v.images, v.labels), train: (batch.images, batch.labels),
                                   weightOptimizer: optimizer)
            }
            zeroGradient.sum += Double(architect.zeroGradientNodes)
            zeroGradient.steps += 1
        }
        return try Profiler.range("weight step") { try weightStep(batch, epoch: epoch) }
    }

    /// One SGD step on the weights, gradient-norm clipping at 5 as in DARTS.
    func weightStep(_ batch: Batch, epoch: Int) throws -> StepTotals {
        try NAS.weightStep(batch, parameters: network.weightParameters().map(\.1), optimizer: optimizer, clip: hyper.gradClip,
                           parallel: parallel,
                           diverged: { what in
                               RunError.diverged(what, epoch: epoch, step: batch.index, of: self.trainLoader.batchCount,
                                                 learningRate: self.optimizer.learningRate,
                                                 lower: "a lower --learning-rate (now \(self.optimizer.learningRate)) or --arch-learning-rate")
                           }) { images, labels in
            let logits = try network(images)
            return ForwardResult(loss: try crossEntropy(logits, labels), logits: logits)
        }
    }

    private func validBatches() throws -> HostBatchIterator {
        let perEpoch = validLoader.batchCount
        return try validLoader.epoch(validCursor / perEpoch, startingAtBatch: validCursor % perEpoch).makeIterator()
    }

    private func nextValidBatch() throws -> Batch {
        if let b = validIterator?.next() {
            validCursor += 1
            return try Batch(b, on: device, format: memoryFormat)
        }
        validIterator = try validBatches()
        guard let b = validIterator?.next() else { throw SearchConfigError(message: "the architecture split yields no batch") }
        validCursor += 1
        return try Batch(b, on: device, format: memoryFormat)
    }

    /// The epoch's summary: the training totals, the architecture split's loss and accuracy,
    /// the weights, thresholds and derived cells, and every `gapEvery` epochs the consistency gap.
    func finishEpoch(_ epoch: Int, totals: EpochTotals) throws -> SearchEpochSummary {
        let began = Date()
        let (validLoss, validAccuracy) = try evaluate(network)
        let consistency = try hyper.gapEvery.flatMap { (epoch + 1) % $0 == 0 ? try consistencyReport() : nil }
        let weights = try withNoGrad { try network.cellWeights() }
        let thresholds: [String: [Float]]? = network.config.usesThresholds
            ? ["normal": try network.arch.thresholdsNormal.sigmoid().floats(), "reduce": try network.arch.thresholdsReduce.sigmoid().floats()]
            : nil
        // Compared only between epochs that both searched: a warm-up epoch's cell is the initial
        // one (and uncapped), so its agreement would read "settled" or dip for no search reason.
        let genotype = network.genotype
        defer { previousGenotype = updatesArchitecture ? genotype : nil }
        return SearchEpochSummary(
            epoch: epoch + 1, learningRate: optimizer.learningRate,
            trainLoss: totals.meanLoss, trainAccuracy: totals.accuracy,
            validLoss: validLoss, validAccuracy: validAccuracy, genotype: genotype.dartsText,
            skipConnections: genotype.normal.joined().filter { $0.op == .skipConnect }.count,
            normalWeights: weights.normal.values, reduceWeights: weights.reduce.values, thresholds: thresholds,
            normalStatistics: ArchitectureStatistics(weights: weights.normal, derived: genotype.normal,
                                                     primitives: network.config.primitives, pruning: network.config.usesThresholds),
            reduceStatistics: ArchitectureStatistics(weights: weights.reduce, derived: genotype.reduce,
                                                     primitives: network.config.primitives, pruning: network.config.usesThresholds),
            zeroGradientNodes: network.config.usesThresholds && zeroGradient.steps > 0 ? zeroGradient.sum / zeroGradient.steps : nil,
            architectureUpdated: updatesArchitecture, seconds: totals.seconds + Date().timeIntervalSince(began),
            steps: trainLoader.batchCount, superNetAccuracy: consistency?.superNetAccuracy,
            derivedAccuracy: consistency?.derivedAccuracy, genotypeAgreement: updatesArchitecture ? previousGenotype.map { genotype.agreement(with: $0) } : nil)
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
                correct += Double(try topKCorrect(logits, labels: batch.labels, k: 1))
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

    /// The search's loop state beyond the position, weights, optimizers, RNG and epoch totals.
    public struct State: Codable, Sendable {
        var validCursor: Int
        var zeroGradient: ZeroGradientSums
        /// DARTS text of `previousGenotype`; absent in checkpoints written before bb39eeb (their
        /// first epoch after the resume records no agreement).
        var previousGenotype: String?
    }

    /// The state a checkpoint stores.
    public var state: State { State(validCursor: validCursor, zeroGradient: zeroGradient, previousGenotype: previousGenotype?.dartsText) }

    /// Continues after the checkpoint restored weights, optimizers and RNG; `legacy` is the
    /// metadata of a checkpoint written before the state was one value.
    /// Restores the loop state of a checkpoint taken after `stepsDone` training steps (one
    /// validation batch each at most, so the cursor cannot lie beyond them).
    func resume(state: State?, legacy: [String: String], stepsDone: Int) throws {
        if let state {
            (validCursor, zeroGradient) = (state.validCursor, state.zeroGradient)
            do { previousGenotype = try state.previousGenotype.map { try Genotype(dartsText: $0) } } catch {
                throw RunError("the search checkpoint's previous-epoch genotype cannot be read (\(error)); the file is damaged")
            }
        } else {
            guard let v = legacy["valid_cursor"].flatMap(Int.init) else {
                throw RunError("the search checkpoint lacks its validation-batch position; the file is damaged")
            }
            validCursor = v
            let z = (legacy["zero_gradient"] ?? "0,0").split(separator: ",").compactMap { Double($0) }
            if z.count == 2 { zeroGradient = ZeroGradientSums(sum: z[0], steps: z[1]) }
        }
        guard (0...stepsDone).contains(validCursor) else {
            throw RunError("the search checkpoint's validation-batch position \(validCursor) is outside 0...\(stepsDone) "
                           + "(the steps taken); the file is damaged")
        }
        try network.rederive()
    }
}

/// The architect's zero-gradient node counts summed over an epoch's architecture steps.
public struct ZeroGradientSums: Codable, Sendable {
    var sum = 0.0
    var steps = 0.0
}
