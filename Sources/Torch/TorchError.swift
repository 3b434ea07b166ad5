import CTorch

/// Errors raised by the Torch layer. Every libtorch failure (a shape mismatch, a wrong dtype, an
/// allocation that fails) arrives as `.libtorch` with libtorch's message: the shim turns C++
/// exceptions into an error string, and no path through this library stops the process.
public enum TorchError: Error, CustomStringConvertible, Equatable {
    /// A bad argument caught before libtorch is called.
    case invalid(String)
    /// A file could not be read or written.
    case io(String)
    /// A failure inside libtorch, with its message.
    case libtorch(String)

    /// The message, prefixed "libtorch:" for errors from libtorch itself.
    public var description: String {
        switch self {
        case .invalid(let m): return m
        case .io(let m): return m
        case .libtorch(let m): return "libtorch: \(m)"
        }
    }

    /// The message libtorch left for this thread (first line only, C++ backtraces stripped).
    static var lastMessage: String {
        let raw = String(cString: ct_last_error())
        return raw.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? raw
    }

    /// Throws the pending libtorch error when `rc` signals failure.
    static func check(_ rc: Int32, _ what: @autoclosure () -> String) throws {
        if rc != 0 { throw TorchError.libtorch("\(what()): \(lastMessage)") }
    }

    /// The pending libtorch error of a call named `what`.
    static func failure(_ what: String) -> TorchError { .libtorch("\(what): \(lastMessage)") }
}
