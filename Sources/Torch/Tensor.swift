import Foundation
import CTorch

/// Element type of a tensor. The raw values are the shim's `ct_dtype` codes.
public enum DType: Int32, Sendable, CustomStringConvertible {
    /// PyTorch's float32, float64, int64, uint8, bool and int32.
    case float32 = 0, float64 = 1, int64 = 2, uint8 = 3, bool = 4, int32 = 5

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .float32, .int32: return 4
        case .float64, .int64: return 8
        case .uint8, .bool: return 1
        }
    }
    /// The safetensors spelling.
    public var description: String {
        switch self {
        case .float32: return "F32"
        case .float64: return "F64"
        case .int64: return "I64"
        case .uint8: return "U8"
        case .bool: return "BOOL"
        case .int32: return "I32"
        }
    }
}

/// An n-dimensional array backed by a libtorch tensor. The handle is owned: freed in `deinit`.
///
/// Only this type touches raw handles, and every operation takes `Tensor` arguments, so ARC keeps
/// operands alive for the duration of the C call (docs/libtorch-binding.md#arc-lifetime).
/// Tensors are reference types like `torch.Tensor`; in-place methods end in an underscore as in
/// PyTorch.
public final class Tensor: @unchecked Sendable {
    let handle: OpaquePointer

    /// Takes ownership of a handle returned by the shim; a NULL handle is a libtorch error.
    init(owning handle: OpaquePointer?, _ what: @autoclosure () -> String = "libtorch call") throws {
        guard let handle else { throw TorchError.failure(what()) }
        self.handle = handle
    }

    /// Takes ownership of a handle the shim returned and that is known not to be NULL.
    init(valid handle: OpaquePointer) { self.handle = handle }

    deinit { ct_free(handle) }

    // MARK: metadata

    /// Size of each dimension, outermost first.
    public var shape: [Int] {
        var sizes = [Int64](repeating: 0, count: 8)
        let rank = Int(ct_sizes(handle, &sizes, 8))
        if rank > 8 {
            sizes = [Int64](repeating: 0, count: rank)
            _ = ct_sizes(handle, &sizes, Int64(rank))
        }
        return sizes.prefix(rank).map { Int($0) }
    }
    /// Number of dimensions (0 for a scalar).
    public var rank: Int { Int(ct_dim(handle)) }
    /// Number of elements.
    public var count: Int { Int(ct_numel(handle)) }
    /// Element type.
    public var dtype: DType { DType(rawValue: ct_dtype_of(handle)) ?? .float32 }
    /// Size of dimension `dim`; negative `dim` counts from the end.
    public func size(_ dim: Int) -> Int {
        let s = shape
        return s[dim < 0 ? dim + s.count : dim]
    }

    // MARK: creation

    /// Copies Swift floats into a new float32 tensor of the given shape.
    public convenience init(_ values: [Float], shape: [Int]) throws { try self.init(copying: values, shape: shape) }
    /// Copies Swift integers into a new int64 tensor of the given shape (class indices, for example).
    public convenience init(_ values: [Int64], shape: [Int]) throws { try self.init(copying: values, shape: shape) }
    /// Copies Swift doubles into a new float64 tensor of the given shape.
    public convenience init(_ values: [Double], shape: [Int]) throws { try self.init(copying: values, shape: shape) }

    /// The one copy behind the typed initialisers above, which stay concrete overloads so that
    /// callers' array literals keep resolving as before.
    private convenience init<Element: HostElement>(copying values: [Element], shape: [Int]) throws {
        guard values.count == shape.reduce(1, *) else {
            throw TorchError.invalid("Tensor: \(values.count) values for shape \(shape)")
        }
        let s = shape.map(Int64.init)
        let h = values.withUnsafeBytes { ct_from_data($0.baseAddress, s, Int64(s.count), Element.tensorDType.rawValue) }
        try self.init(owning: h, "from [\(Element.self)]")
    }
    /// A 1-D float tensor.
    public convenience init(_ values: [Float]) throws { try self.init(values, shape: [values.count]) }
    /// A 0-D float tensor.
    public convenience init(scalar: Float) throws { try self.init([scalar], shape: []) }

    /// Builds a tensor from raw little-endian bytes; throws when the byte count does not fit.
    public convenience init(bytes: UnsafeRawBufferPointer, shape: [Int], dtype: DType) throws {
        let expected = shape.reduce(1, *) * dtype.byteSize
        guard bytes.count == expected else {
            throw TorchError.invalid("\(bytes.count) bytes for shape \(shape) of \(dtype) (needs \(expected))")
        }
        let s = shape.map(Int64.init)
        try self.init(owning: ct_from_data(bytes.baseAddress, s, Int64(s.count), dtype.rawValue), "from bytes")
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], dtype: DType = .float32) throws -> Tensor { try full(shape, 0, dtype: dtype) }
    /// A tensor of ones.
    public static func ones(_ shape: [Int], dtype: DType = .float32) throws -> Tensor { try full(shape, 1, dtype: dtype) }
    /// A tensor filled with `value`.
    public static func full(_ shape: [Int], _ value: Double, dtype: DType = .float32) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try Tensor(owning: ct_full(s, Int64(s.count), value, dtype.rawValue), "full")
    }
    /// Standard normal samples from the global generator (seed it with `Torch.manualSeed`).
    public static func randn(_ shape: [Int]) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try Tensor(owning: ct_randn(s, Int64(s.count)), "randn")
    }
    /// Uniform samples in [0, 1).
    public static func rand(_ shape: [Int]) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try Tensor(owning: ct_rand(s, Int64(s.count)), "rand")
    }
    /// Uniform samples in [low, high) from the global generator (layer initialisation).
    public static func uniform(_ shape: [Int], low: Double, high: Double) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try Tensor(owning: ct_uniform(s, Int64(s.count), low, high), "uniform")
    }
    /// Normal samples with the given mean and standard deviation from the global generator.
    public static func normal(_ shape: [Int], mean: Double = 0, std: Double = 1) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try Tensor(owning: ct_normal(s, Int64(s.count), mean, std), "normal")
    }
    /// Ones with probability p, zeros otherwise (float32).
    public static func bernoulli(_ shape: [Int], p: Double) throws -> Tensor {
        let s = shape.map(Int64.init)
        return try Tensor(owning: ct_bernoulli(s, Int64(s.count), p), "bernoulli")
    }
    /// A random permutation of 0..<n (int64), from the global generator.
    public static func randperm(_ n: Int) throws -> Tensor { try Tensor(owning: ct_randperm(Int64(n)), "randperm") }
    /// start, start+step, ... up to but excluding `end` (`torch.arange(start, end, step)`).
    public static func arange(_ start: Double, _ end: Double, step: Double = 1, dtype: DType = .float32) throws -> Tensor {
        try Tensor(owning: ct_arange(start, end, step, dtype.rawValue), "arange")
    }
    /// 0, 1, ..., end-1 (`torch.arange(end)`).
    public static func arange(_ end: Double, dtype: DType = .float32) throws -> Tensor { try arange(0, end, dtype: dtype) }

    // MARK: back to Swift

    /// The elements as Swift floats (converting from other dtypes).
    public func floats() throws -> [Float] { try copyOut(as: .float32, Float.self) }
    /// The elements as Swift doubles (converting from other dtypes).
    public func doubles() throws -> [Double] { try copyOut(as: .float64, Double.self) }
    /// The elements as Swift int64s (converting from other dtypes).
    public func int64s() throws -> [Int64] { try copyOut(as: .int64, Int64.self) }
    /// The elements as bytes (converting from other dtypes).
    public func bytes() throws -> [UInt8] { try copyOut(as: .uint8, UInt8.self) }
    /// The raw little-endian bytes of this tensor in its own dtype (row-major).
    public func rawBytes() throws -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count * dtype.byteSize)
        let rc = out.withUnsafeMutableBytes { ct_copy_out(handle, $0.baseAddress, $0.count) }
        if rc != 0 { throw TorchError.failure("copy out") }
        return out
    }

    private func copyOut<T>(as type: DType, _: T.Type) throws -> [T] where T: Numeric {
        let source = try dtype == type ? self : to(type)
        var out = [T](repeating: 0, count: source.count)
        let rc = out.withUnsafeMutableBytes { ct_copy_out(source.handle, $0.baseAddress, $0.count) }
        if rc != 0 { throw TorchError.failure("copy out") }
        return out
    }

    /// The single value of a one-element tensor.
    public func item() throws -> Double {
        var ok: Int32 = 0
        let v = ct_item_double(handle, &ok)
        if ok == 0 { throw TorchError.failure("item") }
        return v
    }
    /// The single value of a one-element tensor, as an integer.
    public func itemInt() throws -> Int {
        var ok: Int32 = 0
        let v = ct_item_int64(handle, &ok)
        if ok == 0 { throw TorchError.failure("item") }
        return Int(v)
    }
    /// The single value of a one-element tensor, as a float.
    public func scalar() throws -> Float { Float(try item()) }

    /// Address of the first element: equal for two views of the same memory.
    public var dataAddress: UnsafeRawPointer? { ct_data_ptr(handle) }
}

extension Tensor: CustomStringConvertible {
    /// Shape, dtype and, for at most 16 elements, the values.
    public var description: String {
        let n = count
        let preview = n <= 16 ? ((try? floats()) ?? []).map { String(format: "%.4g", $0) }.joined(separator: ", ") : "\(n) elements"
        return "Tensor(\(shape), \(dtype): [\(preview)])"
    }
}

/// A Swift element type whose arrays copy byte for byte into a tensor of `tensorDType`.
protocol HostElement {
    /// The tensor dtype with this type's memory layout.
    static var tensorDType: DType { get }
}

extension Float: HostElement { static var tensorDType: DType { .float32 } }
extension Double: HostElement { static var tensorDType: DType { .float64 } }
extension Int64: HostElement { static var tensorDType: DType { .int64 } }
