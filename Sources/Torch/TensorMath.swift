import CTorch

// Elementwise arithmetic with broadcasting, comparisons, and unary functions.

extension Tensor {
    func unary(_ op: ct_unary_op, _ name: String) throws -> Tensor {
        try Tensor(owning: ct_unary(Int32(op.rawValue), handle), name)
    }
    func binary(_ op: ct_binary_op, _ other: Tensor, _ name: String) throws -> Tensor {
        try Tensor(owning: ct_binary(Int32(op.rawValue), handle, other.handle), name)
    }
    func binary(_ op: ct_binary_op, _ s: Double, _ name: String) throws -> Tensor {
        try Tensor(owning: ct_binary_scalar(Int32(op.rawValue), handle, s), name)
    }

    /// Elementwise sum, broadcasting.
    public static func + (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_ADD, b, "add") }
    /// Elementwise difference, broadcasting.
    public static func - (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_SUB, b, "sub") }
    /// Elementwise product, broadcasting.
    public static func * (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_MUL, b, "mul") }
    /// Elementwise quotient, broadcasting.
    public static func / (a: Tensor, b: Tensor) throws -> Tensor { try a.binary(CT_DIV, b, "div") }
    /// Adds a scalar to every element.
    public static func + (a: Tensor, s: Double) throws -> Tensor { try a.binary(CT_ADD, s, "add") }
    /// Subtracts a scalar from every element.
    public static func - (a: Tensor, s: Double) throws -> Tensor { try a.binary(CT_SUB, s, "sub") }
    /// Multiplies every element by a scalar.
    public static func * (a: Tensor, s: Double) throws -> Tensor { try a.binary(CT_MUL, s, "mul") }
    /// Divides every element by a scalar.
    public static func / (a: Tensor, s: Double) throws -> Tensor { try a.binary(CT_DIV, s, "div") }
    /// Adds a scalar to every element.
    public static func + (s: Double, a: Tensor) throws -> Tensor { try a.binary(CT_ADD, s, "add") }
    /// The scalar minus each element.
    public static func - (s: Double, a: Tensor) throws -> Tensor { try a.binary(CT_RSUB, s, "rsub") }
    /// Multiplies every element by a scalar.
    public static func * (s: Double, a: Tensor) throws -> Tensor { try a.binary(CT_MUL, s, "mul") }
    /// The scalar divided by each element.
    public static func / (s: Double, a: Tensor) throws -> Tensor { try a.binary(CT_RDIV, s, "rdiv") }
    /// Elementwise negation.
    public static prefix func - (a: Tensor) throws -> Tensor { try a.unary(CT_NEG, "neg") }

    /// Each element raised to `exponent`.
    public func pow(_ exponent: Double) throws -> Tensor { try binary(CT_POW, exponent, "pow") }
    /// Each element raised to the matching element of `exponent`, broadcasting.
    public func pow(_ exponent: Tensor) throws -> Tensor { try binary(CT_POW, exponent, "pow") }
    /// Elementwise maximum, broadcasting.
    public func maximum(_ other: Tensor) throws -> Tensor { try binary(CT_MAXIMUM, other, "maximum") }
    /// Elementwise minimum, broadcasting.
    public func minimum(_ other: Tensor) throws -> Tensor { try binary(CT_MINIMUM, other, "minimum") }

    // Comparisons return bool tensors.
    /// self == o, elementwise.
    public func eq(_ o: Tensor) throws -> Tensor { try binary(CT_EQ, o, "eq") }
    /// self != o, elementwise.
    public func ne(_ o: Tensor) throws -> Tensor { try binary(CT_NE, o, "ne") }
    /// self < o, elementwise.
    public func lt(_ o: Tensor) throws -> Tensor { try binary(CT_LT, o, "lt") }
    /// self <= o, elementwise.
    public func le(_ o: Tensor) throws -> Tensor { try binary(CT_LE, o, "le") }
    /// self > o, elementwise.
    public func gt(_ o: Tensor) throws -> Tensor { try binary(CT_GT, o, "gt") }
    /// self >= o, elementwise.
    public func ge(_ o: Tensor) throws -> Tensor { try binary(CT_GE, o, "ge") }
    /// self == s, elementwise.
    public func eq(_ s: Double) throws -> Tensor { try binary(CT_EQ, s, "eq") }
    /// self != s, elementwise.
    public func ne(_ s: Double) throws -> Tensor { try binary(CT_NE, s, "ne") }
    /// self < s, elementwise.
    public func lt(_ s: Double) throws -> Tensor { try binary(CT_LT, s, "lt") }
    /// self <= s, elementwise.
    public func le(_ s: Double) throws -> Tensor { try binary(CT_LE, s, "le") }
    /// self > s, elementwise.
    public func gt(_ s: Double) throws -> Tensor { try binary(CT_GT, s, "gt") }
    /// self >= s, elementwise.
    public func ge(_ s: Double) throws -> Tensor { try binary(CT_GE, s, "ge") }

    /// e^x, elementwise.
    public func exp() throws -> Tensor { try unary(CT_EXP, "exp") }
    /// Natural logarithm, elementwise.
    public func log() throws -> Tensor { try unary(CT_LOG, "log") }
    /// Square root, elementwise.
    public func sqrt() throws -> Tensor { try unary(CT_SQRT, "sqrt") }
    /// 1 / sqrt(x), elementwise.
    public func rsqrt() throws -> Tensor { try unary(CT_RSQRT, "rsqrt") }
    /// x * x, elementwise.
    public func square() throws -> Tensor { try unary(CT_SQUARE, "square") }
    /// Absolute value, elementwise.
    public func abs() throws -> Tensor { try unary(CT_ABS, "abs") }
    /// max(x, 0), elementwise.
    public func relu() throws -> Tensor { try unary(CT_RELU, "relu") }
    /// 1 / (1 + e^-x), elementwise.
    public func sigmoid() throws -> Tensor { try unary(CT_SIGMOID, "sigmoid") }
    /// Hyperbolic tangent, elementwise.
    public func tanh() throws -> Tensor { try unary(CT_TANH, "tanh") }
    /// -1, 0 or 1 by the sign of each element.
    public func sign() throws -> Tensor { try unary(CT_SIGN, "sign") }
    /// Rounds each element down.
    public func floor() throws -> Tensor { try unary(CT_FLOOR, "floor") }
    /// Bool tensor, true where an element is NaN.
    public func isNaN() throws -> Tensor { try unary(CT_ISNAN, "isnan") }
    /// Bool tensor, true where an element is neither NaN nor infinite.
    public func isFinite() throws -> Tensor { try unary(CT_ISFINITE, "isfinite") }
    /// Whether every element is finite (no NaN, no infinity): one number read back.
    public func allFinite() throws -> Bool { try isFinite().logicalNot().to(.float32).sum().item() == 0 }
    /// Elementwise not of a bool tensor.
    public func logicalNot() throws -> Tensor { try unary(CT_LOGICAL_NOT, "logical_not") }

    /// Limits every element to [min, max]; a nil bound is not applied.
    public func clamp(min: Double? = nil, max: Double? = nil) throws -> Tensor {
        try Tensor(owning: ct_clamp(handle, min ?? 0, max ?? 0, min != nil, max != nil), "clamp")
    }

    /// Elementwise `condition ? a : b`.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) throws -> Tensor {
        try Tensor(owning: ct_where(condition.handle, a.handle, b.handle), "where")
    }

    /// The values converted to `dtype`.
    public func to(_ dtype: DType) throws -> Tensor { try Tensor(owning: ct_to_dtype(handle, dtype.rawValue), "to(\(dtype))") }

    // MARK: reductions

    func reduce(_ op: ct_reduce_op, _ dims: [Int], _ keepDims: Bool, _ name: String) throws -> Tensor {
        let d = dims.map(Int64.init)
        return try Tensor(owning: ct_reduce(Int32(op.rawValue), handle, d, Int64(d.count), keepDims), name)
    }
    /// Sum of all elements (0-D), or over `dims`.
    public func sum(dims: [Int] = [], keepDims: Bool = false) throws -> Tensor { try reduce(CT_SUM, dims, keepDims, "sum") }
    /// Sum over one dimension.
    public func sum(dim: Int, keepDims: Bool = false) throws -> Tensor { try reduce(CT_SUM, [dim], keepDims, "sum") }
    /// Mean of all elements (0-D), or over `dims`.
    public func mean(dims: [Int] = [], keepDims: Bool = false) throws -> Tensor { try reduce(CT_MEAN, dims, keepDims, "mean") }
    /// Mean over one dimension.
    public func mean(dim: Int, keepDims: Bool = false) throws -> Tensor { try reduce(CT_MEAN, [dim], keepDims, "mean") }
    /// Maximum of all elements (0-D), or over `dims` (`torch.amax`).
    public func max(dims: [Int] = [], keepDims: Bool = false) throws -> Tensor { try reduce(CT_AMAX, dims, keepDims, "amax") }
    /// Maximum over one dimension (`torch.amax`).
    public func max(dim: Int, keepDims: Bool = false) throws -> Tensor { try reduce(CT_AMAX, [dim], keepDims, "amax") }
    /// Minimum of all elements (0-D), or over `dims` (`torch.amin`).
    public func min(dims: [Int] = [], keepDims: Bool = false) throws -> Tensor { try reduce(CT_AMIN, dims, keepDims, "amin") }
    /// Minimum over one dimension (`torch.amin`).
    public func min(dim: Int, keepDims: Bool = false) throws -> Tensor { try reduce(CT_AMIN, [dim], keepDims, "amin") }
    /// Indices (int64) of the largest entries along `dim`.
    public func argmax(dim: Int, keepDims: Bool = false) throws -> Tensor {
        try Tensor(owning: ct_argmax(handle, Int64(dim), keepDims), "argmax")
    }
    /// Indices of the k largest entries along `dim`, largest first.
    public func topkIndices(_ k: Int, dim: Int = -1) throws -> Tensor {
        try Tensor(owning: ct_topk_indices(handle, Int64(k), Int64(dim)), "topk")
    }
    /// Euclidean norm of all elements.
    public func norm() throws -> Tensor { try square().sum().sqrt() }

    // MARK: linear algebra

    /// Matrix product, batched and broadcast as `torch.matmul`.
    public func matmul(_ other: Tensor) throws -> Tensor { try Tensor(owning: ct_matmul(handle, other.handle), "matmul") }

    /// self + a @ b in one call (`torch.addmm`): 2-D only, self broadcast to the product's shape.
    public func addmm(_ a: Tensor, _ b: Tensor) throws -> Tensor { try Tensor(owning: ct_addmm(handle, a.handle, b.handle), "addmm") }
}
