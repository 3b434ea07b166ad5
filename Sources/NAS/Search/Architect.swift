import Torch

/// Updates the architecture parameters on validation data (DARTS `architect.py`): the
/// first-order step takes d L_val / d alpha at the current weights; the second-order step
/// differentiates through one virtual SGD step of the weights (docs/method.md#bilevel).
public final class Architect {
    /// First order: alpha's gradient at the current weights (DARTS 1st). Second order: through one
    /// virtual weight step (DARTS 2nd).
    public enum Order: Sendable { case first, second }

    /// How the second-order step gets its Hessian-vector product: DARTS' central finite
    /// difference with radius r (eps = r / ||v||), or exactly by double backward.
    public enum HessianProduct: Equatable, Sendable {
        /// DARTS' central difference with eps = radius / norm(v).
        case finiteDifference(radius: Double)
        /// Double backward, no approximation.
        case exact
        /// DARTS' choice: finite difference with radius 0.01.
        public static let darts = HessianProduct.finiteDifference(radius: 0.01)
    }

    /// The super-net whose architecture parameters are updated.
    public let network: SearchNetwork
    /// Adam over the architecture parameters only.
    public let optimizer: Adam
    /// First- or second-order approximation of the bilevel problem.
    public let order: Order
    /// Hessian-vector product of the second-order step (default DARTS' finite difference).
    public var hessianProduct: HessianProduct = .darts
    /// alpha, edge betas and thresholds, in the optimizer's order.
    let archParams: [Tensor]
    /// Every gradient is the mean over the whole batch of all processes and chunks.
    public var parallel = DataParallel.single

    /// DARTS' defaults: Adam, lr 3e-4, betas (0.5, 0.999), weight decay 1e-3.
    public init(network: SearchNetwork, order: Order, learningRate: Double = 3e-4, weightDecay: Double = 1e-3,
                betas: (Double, Double) = (0.5, 0.999)) {
        self.network = network
        self.order = order
        let named = network.architectureParameters()
        archParams = named.map(\.1)
        optimizer = Adam(named, learningRate: learningRate, betas: betas, weightDecay: weightDecay)
    }

    /// One architecture step, then the cells are derived again for the next forward passes.
    /// The second-order step needs the weight optimizer's learning rate, momentum and decay for
    /// its virtual step. Returns the validation loss.
    @discardableResult
    public func step(validation: (images: Tensor, labels: Tensor), train: (images: Tensor, labels: Tensor),
                     weightOptimizer: SGD) throws -> Double {
        optimizer.zeroGrad()
        let loss: Double
        switch order {
        case .first:
            var lossSum = 0.0
            let grads = try parallel.meanGradients(images: validation.images, labels: validation.labels) { images, labels in
                let l = try crossEntropy(network(images), labels)
                var objective = l
                if network.config.usesThresholds && network.config.dstSparsity > 0 {
                    let w = try network.cellWeights()
                    objective = try l + (try w.normal.sparsityPenalty! + w.reduce.sparsityPenalty!) * network.config.dstSparsity
                }
                lossSum += try l.item() * Double(labels.size(0))
                return try gradients(of: [objective], withRespectTo: archParams, allowUnused: true)
            }
            for (p, g) in zip(archParams, grads) { try p.setGrad(g) }
            loss = lossSum / Double(validation.labels.size(0))
        case .second:
            loss = try unrolledStep(validation: validation, train: train, weightOptimizer: weightOptimizer)
        }
        if network.config.usesThresholds { zeroGradientNodes = try countZeroGradientNodes() }
        try optimizer.step()
        try network.rederive()
        return loss
    }

    /// EnTranNAS-DST: after the last step, how many nodes (of both cell types) got exactly zero
    /// gradient on all their alphas and their threshold, i.e. stopped learning.
    public private(set) var zeroGradientNodes = 0

    private func countZeroGradientNodes() throws -> Int {
        let layout = EdgeIndex(steps: network.config.steps)
        let arch = network.arch
        var count = 0
        for (alphas, thresholds) in [(arch.alphasNormal, arch.thresholdsNormal), (arch.alphasReduce, arch.thresholdsReduce)] {
            let k = alphas.size(1)
            let ga = try alphas.grad?.floats() ?? []
            let gt = try thresholds.grad?.floats() ?? []
            for step in 0..<layout.steps {
                let r = layout.edges(step: step)
                let alphaZero = ga.isEmpty || ga[(r.lowerBound * k)..<(r.upperBound * k)].allSatisfy { $0 == 0 }
                let thresholdZero = gt.isEmpty || gt[step] == 0
                if alphaZero && thresholdZero { count += 1 }
            }
        }
        return count
    }

    /// d alpha = dL_val(w', alpha)/d alpha - xi * (grad_alpha L_train(w+) - grad_alpha L_train(w-)) / (2 eps),
    /// w' = w - xi (momentum buffer + grad_w L_train + wd w), w+- = w +- eps dL_val/dw',
    /// eps = r / ||dL_val/dw'|| (r = 0.01), xi = the weights' current learning rate (DARTS
    /// `_backward_step_unrolled`); or the same product computed exactly by double backward.
    func unrolledStep(validation: (images: Tensor, labels: Tensor), train: (images: Tensor, labels: Tensor),
                      weightOptimizer: SGD) throws -> Double {
        let named = network.weightParameters()
        let weights = named.map(\.1)
        let xi = weightOptimizer.learningRate
        let momentum = weightOptimizer.momentum
        let decay = weightOptimizer.groups.first?.weightDecay ?? 0
        let saved = try withNoGrad { try weights.map { try $0.clone() } }

        // Virtual step w' (in place; restored at the end).
        let dw = try parallel.meanGradients(images: train.images, labels: train.labels) { images, labels in
            try gradients(of: [crossEntropy(network(images), labels)], withRespectTo: weights, allowUnused: true)
        }
        try withNoGrad {
            for (i, (name, w)) in named.enumerated() {
                var d = try dw[i] ?? Tensor.zeros(like: w)
                if decay != 0 { d = try d + saved[i] * decay }
                if momentum != 0, let buf = weightOptimizer.momentumBuffer(name) { d = try d + buf * momentum }
                try w.add_(d, alpha: -xi)
            }
        }
        // Validation gradient at w'. DARTS runs this forward on a separate unrolled copy, so the
        // live network's batch-norm running statistics must not see it.
        // (Restored after the backward pass, which reads the buffers the forward saw.)
        var valLossSum = 0.0
        let g = try network.preservingBuffers {
            try parallel.meanGradients(images: validation.images, labels: validation.labels) { images, labels in
                let l = try crossEntropy(network(images), labels)
                valLossSum += try l.item() * Double(labels.size(0))
                return try gradients(of: [l], withRespectTo: archParams + weights, allowUnused: true)
            }
        }
        let dAlpha = Array(g.prefix(archParams.count))
        let dWPrime = Array(g.suffix(weights.count))
        let norm = try withNoGrad {
            let squares = try dWPrime.compactMap { try $0?.square().sum() }
            return squares.isEmpty ? 0 : try Tensor.stack(squares).sum().sqrt().item()
        }
        let hvp: [Tensor?]
        switch hessianProduct {
        case .finiteDifference(let radius):
            // Central difference of grad_alpha L_train around the original w.
            let eps = radius / max(norm, 1e-12)
            func archGradient(sign: Double) throws -> [Tensor?] {
                try withNoGrad {
                    for (i, w) in weights.enumerated() {
                        try w.copy_(saved[i])
                        if let v = dWPrime[i] { try w.add_(v, alpha: sign * eps) }
                    }
                }
                return try parallel.meanGradients(images: train.images, labels: train.labels) { images, labels in
                    try gradients(of: [crossEntropy(network(images), labels)], withRespectTo: archParams, allowUnused: true)
                }
            }
            let gPlus = try archGradient(sign: 1)
            let gMinus = try archGradient(sign: -1)
            hvp = try zip(gPlus, gMinus).map { a, b in try a.flatMap { a in try b.map { try (try a - $0) / (2 * eps) } } }
            try withNoGrad { for (i, w) in weights.enumerated() { try w.copy_(saved[i]) } }
        case .exact:
            // grad_alpha of (grad_w L_train(w, alpha) . v), by double backward at the original w.
            try withNoGrad { for (i, w) in weights.enumerated() { try w.copy_(saved[i]) } }
            hvp = try parallel.meanGradients(images: train.images, labels: train.labels) { images, labels in
                let l = try crossEntropy(network(images), labels)
                let gw = try gradients(of: [l], withRespectTo: weights, createGraph: true, allowUnused: true)
                var dot: Tensor? = nil
                for (g, v) in zip(gw, dWPrime) {
                    guard let g, let v else { continue }
                    let term = try (try g * v).sum()
                    dot = try dot.map { try $0 + term } ?? term
                }
                return try dot.map { try gradients(of: [$0], withRespectTo: archParams, allowUnused: true) }
                    ?? archParams.map { _ in nil }
            }
        }

        try withNoGrad {
            for (i, p) in archParams.enumerated() {
                var total = try dAlpha[i] ?? Tensor.zeros(like: p)
                if let h = hvp[i] { total = try total - h * xi }
                try p.setGrad(total)
            }
        }
        return valLossSum / Double(validation.labels.size(0))
    }
}
