/// A trainable tensor owned by a module. Declared as `@Parameter var weight: Tensor`; the
/// property's name becomes the last part of its dotted checkpoint key.
@propertyWrapper
public final class Parameter: @unchecked Sendable {
    /// The tensor; it requires gradients.
    public var wrappedValue: Tensor
    /// Wraps `wrappedValue` and marks it as requiring gradients (integer tensors cannot, and stay without).
    public init(wrappedValue: Tensor) {
        _ = try? wrappedValue.requiringGrad(true)  // fails only for integer tensors, which then get no gradient
        self.wrappedValue = wrappedValue
    }
}

/// Non-trainable state saved with the module (batch-norm running statistics).
@propertyWrapper
public final class Buffer: @unchecked Sendable {
    /// The tensor.
    public var wrappedValue: Tensor
    /// Wraps `wrappedValue` as it is.
    public init(wrappedValue: Tensor) { self.wrappedValue = wrappedValue }
}

/// Base class of every layer and network, after `torch.nn.Module`.
///
/// Children, parameters and buffers are found by reflection over stored properties: a `Module`,
/// an optional or array of modules, and `@Parameter` / `@Buffer` tensors. Names are the property
/// names joined by dots, arrays contributing their index (`cells.3.ops.5.op.1.weight`), so they
/// are stable checkpoint keys. Properties named with a leading `_` by hand are not special.
open class Module: @unchecked Sendable {
    /// Training mode (batch statistics, dropout, drop-path) versus inference mode.
    public private(set) var isTraining = true

    /// A module with no children, in training mode.
    public init() {}

    /// Direct children, in declaration order, with their names.
    open func namedChildren() -> [(String, Module)] {
        var out: [(String, Module)] = []
        for m in mirrorChain() {
            for child in m.children {
                guard let label = child.label else { continue }
                if let module = child.value as? Module {
                    out.append((label, module))
                } else if let layers = child.value as? [any Layer] {
                    for (i, layer) in layers.enumerated() { out.append(("\(label).\(i)", layer)) }
                } else if let modules = child.value as? [Module] {
                    for (i, module) in modules.enumerated() { out.append(("\(label).\(i)", module)) }
                } else if let modules = child.value as? [[Module]] {
                    for (i, row) in modules.enumerated() {
                        for (j, module) in row.enumerated() { out.append(("\(label).\(i).\(j)", module)) }
                    }
                } else if let optional = child.value as? Module?, let module = optional {
                    out.append((label, module))
                }
            }
        }
        return out
    }

    /// Mirrors of this object's class and its superclasses, base class first, so stored
    /// properties are visited in declaration order.
    private func mirrorChain() -> [Mirror] {
        var chain: [Mirror] = []
        var mirror: Mirror? = Mirror(reflecting: self)
        while let m = mirror { chain.append(m); mirror = m.superclassMirror }
        return chain.reversed()
    }

    private func ownTensors<W>(_: W.Type, _ value: (W) -> Tensor) -> [(String, Tensor)] {
        var out: [(String, Tensor)] = []
        for m in mirrorChain() {
            for child in m.children {
                guard let label = child.label, let w = child.value as? W else { continue }
                let name = label.hasPrefix("_") ? String(label.dropFirst()) : label
                out.append((name, value(w)))
            }
        }
        return out
    }

    /// This module's own parameters (not its children's).
    open func ownParameters() -> [(String, Tensor)] { ownTensors(Parameter.self) { $0.wrappedValue } }
    /// This module's own buffers (not its children's).
    open func ownBuffers() -> [(String, Tensor)] { ownTensors(Buffer.self) { $0.wrappedValue } }

    /// Every parameter in the tree with its dotted name, depth first in declaration order.
    public func namedParameters(prefix: String = "") -> [(String, Tensor)] {
        var out = ownParameters().map { (prefix + $0.0, $0.1) }
        for (name, child) in namedChildren() { out += child.namedParameters(prefix: prefix + name + ".") }
        return out
    }
    /// Every buffer in the tree with its dotted name, depth first in declaration order.
    public func namedBuffers(prefix: String = "") -> [(String, Tensor)] {
        var out = ownBuffers().map { (prefix + $0.0, $0.1) }
        for (name, child) in namedChildren() { out += child.namedBuffers(prefix: prefix + name + ".") }
        return out
    }
    /// Every parameter tensor in the tree, in `namedParameters` order.
    public func parameters() -> [Tensor] { namedParameters().map { $0.1 } }

    /// Parameters and buffers together: what a checkpoint of this module holds.
    public func stateDict() -> [(String, Tensor)] { namedParameters() + namedBuffers() }

    /// Every module in the tree (self first).
    public func modules() -> [Module] { [self] + namedChildren().flatMap { $0.1.modules() } }

    /// Number of scalar parameters.
    public func parameterCount() -> Int { parameters().reduce(0) { $0 + $1.count } }

    /// Switches the whole tree between training and inference mode.
    public func train(_ on: Bool = true) {
        isTraining = on
        for (_, child) in namedChildren() { child.train(on) }
    }
    /// Switches the whole tree to inference mode (`train(false)`).
    public func eval() { train(false) }

    /// Clears every parameter's gradient.
    public func zeroGrad() { for p in parameters() { p.zeroGrad() } }

    /// Copies tensors into this module's parameters and buffers by name, checking that every
    /// name is present with the right shape and dtype, and naming the first one that is not.
    public func load(stateDict tensors: [String: Tensor], strict: Bool = true) throws {
        let own = stateDict()
        for (name, target) in own {
            guard let source = tensors[name] else {
                if strict { throw TorchError.invalid("missing tensor '\(name)' in the checkpoint") }
                continue
            }
            guard source.shape == target.shape else {
                throw TorchError.invalid("tensor '\(name)' has shape \(source.shape) in the checkpoint, the model expects \(target.shape)")
            }
            guard source.dtype == target.dtype else {
                throw TorchError.invalid("tensor '\(name)' has dtype \(source.dtype) in the checkpoint, the model expects \(target.dtype)")
            }
        }
        if strict {
            let known = Set(own.map { $0.0 })
            if let extra = tensors.keys.sorted().first(where: { !known.contains($0) }) {
                throw TorchError.invalid("unexpected tensor '\(extra)' in the checkpoint (not in this model)")
            }
        }
        try withNoGrad { for (name, target) in own { if let s = tensors[name] { try target.copy_(s) } } }
    }
}

/// A module mapping one tensor to one tensor.
public protocol Layer: Module {
    /// The layer's output for `x`.
    func callAsFunction(_ x: Tensor) throws -> Tensor
}
