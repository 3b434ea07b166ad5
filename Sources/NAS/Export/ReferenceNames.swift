import Torch

/// The names DARTS' reference `model.py` gives the tensors of `NetworkCIFAR` and
/// `NetworkImageNet`, next to ours. Both networks build the same modules in the same order, so a
/// state dict translates name by name; three rules cover every difference
/// (docs/pytorch.md#names):
///
/// - the cell's op list is `_ops` there, `ops` here;
/// - `conv_7x1_1x7` is a bare `nn.Sequential` there (`_ops.3.1.weight`), a module with an `op`
///   child here (`ops.3.op.1.weight`);
/// - the auxiliary head is `auxiliary_head` there, `auxiliaryHead` here.
public enum ReferenceNames {
    /// Our name of each tensor of `network`, paired with DARTS' name, in state-dict order.
    public static func pairs(for network: EvalNetwork) -> [(ours: String, reference: String)] {
        network.stateDict().map { ($0.0, reference(for: $0.0, in: network)) }
    }

    /// `network`'s parameters and buffers (batch-norm running statistics and
    /// `num_batches_tracked` included) under DARTS' names: what `load_state_dict` of the
    /// reference network takes.
    public static func stateDict(of network: EvalNetwork) -> [(String, Tensor)] {
        network.stateDict().map { (reference(for: $0.0, in: network), $0.1) }
    }

    /// DARTS' name for our tensor `name` of `network`.
    public static func reference(for name: String, in network: EvalNetwork) -> String {
        if name.hasPrefix("auxiliaryHead.") { return "auxiliary_head." + name.dropFirst("auxiliaryHead.".count) }
        let parts = name.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        // cells.I.ops.K.rest -> cells.I._ops.K.rest, without `op.` for a conv_7x1_1x7.
        guard parts.count > 4, parts[0] == "cells", parts[2] == "ops", let i = Int(parts[1]), let k = Int(parts[3]),
              network.cells.indices.contains(i), network.cells[i].ops.indices.contains(k) else { return name }
        var rest = Array(parts[4...])
        if network.cells[i].ops[k] is Conv7x1x1x7, rest.first == "op" { rest.removeFirst() }
        return (["cells", parts[1], "_ops", parts[3]] + rest).joined(separator: ".")
    }

    /// Loads a state dict with DARTS' names into `network`. Every tensor must be present with
    /// the network's shape and dtype, and no other tensor may be there; the one exception is
    /// `num_batches_tracked`, which checkpoints written before PyTorch 0.4.1 (DARTS' own) lack
    /// and which is then set to 0. Values must be usable: finite, and a batch norm's running
    /// variance not negative (a damaged or mis-converted file would otherwise load, and `eval`
    /// would print a NaN loss). The first problem is thrown as one line naming the tensor.
    public static func load(_ tensors: [String: Tensor], into network: EvalNetwork, source: String) throws {
        let pairs = pairs(for: network)
        let own = Dictionary(uniqueKeysWithValues: network.stateDict())
        var converted: [String: Tensor] = [:]
        for (ours, reference) in pairs {
            let target = own[ours]!
            guard let tensor = tensors[reference] else {
                if reference.hasSuffix(".num_batches_tracked") {
                    converted[ours] = try Tensor.zeros([], dtype: .int64)
                    continue
                }
                throw RunError("\(source): tensor '\(reference)' is missing (the network for this genotype and size "
                               + "expects shape \(target.shape)); check that --genotype is the one the weights were trained with")
            }
            guard tensor.shape == target.shape else {
                throw RunError("\(source): tensor '\(reference)' has shape \(tensor.shape), the network for this genotype "
                               + "and size expects \(target.shape); check that --genotype is the one the weights were trained with")
            }
            guard tensor.dtype == target.dtype else {
                throw RunError("\(source): tensor '\(reference)' has dtype \(tensor.dtype), expected \(target.dtype)")
            }
            if tensor.dtype == .float32 || tensor.dtype == .float64 {
                if try !tensor.allFinite() {
                    throw RunError("\(source): tensor '\(reference)' holds NaN or infinite values; the file is damaged or was "
                                   + "converted from a diverged network")
                }
                if reference.hasSuffix(".running_var"), try tensor.min().item() < 0 {
                    throw RunError("\(source): tensor '\(reference)' holds negative variances; the file is damaged or its "
                                   + "batch-norm tensors are mislabelled")
                }
            }
            converted[ours] = tensor
        }
        let known = Set(pairs.map(\.reference))
        if let extra = tensors.keys.sorted().first(where: { !known.contains($0) }) {
            throw RunError("\(source): tensor '\(extra)' (shape \(tensors[extra]!.shape)) is not in the network for this "
                           + "genotype and size; check that --genotype is the one the weights were trained with")
        }
        do { try network.load(stateDict: converted) } catch { throw RunError("\(source): \(error)") }
    }
}
