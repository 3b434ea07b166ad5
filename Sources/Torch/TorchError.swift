import CTorch

/// Errors raised by the Torch layer. Internal libtorch failures (a programming error such as a
/// shape mismatch inside the network) stop the process with libtorch's message; anything that
/// user input can cause is validated earlier and thrown as one of these.
public enum TorchError: Error, CustomStringConvertible, Equatable {
    case invalid(String)
    case io(String)
    case libtorch(String)

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

    /// Stops on an internal libtorch failure, with its message: no exception ever unwinds.
    static func fail(_ what: String) -> Never {
        fatalError("libtorch failed in \(what): \(lastMessage)")
    }
}
