import Foundation

/// Why a file operation failed, in the operating system's words ("No space left on device",
/// "Permission denied", "Not a directory"). Foundation on Linux says only "The operation could
/// not be completed. …" and keeps the errno underneath; a user fixing a full disk or a read-only
/// folder needs the errno.
public enum SystemReason {
    /// The reason for `error`: our own errors keep their line; Foundation's give the POSIX error
    /// they wrap, else their own text.
    public static func of(_ error: Error) -> String {
        if let described = error as? any DescribedError { return described.description }
        if let code = posixCode(error) { return text(errno: code) }
        let bridged = error as NSError
        if error is LocalizedError || bridged.domain == NSCocoaErrorDomain { return error.localizedDescription }
        return String(describing: error)
    }

    /// Whether `error` is a full disk or an exhausted quota, the failures that freeing space fixes.
    public static func isOutOfSpace(_ error: Error) -> Bool {
        posixCode(error).map(isOutOfSpace(errno:)) ?? false
    }

    /// Whether `code` is a full disk (blocks or inodes) or an exhausted quota.
    public static func isOutOfSpace(errno code: Int32) -> Bool { code == ENOSPC || code == EDQUOT }

    /// The fix for a failed write, to follow its reason: "; free space, then run it again" for a
    /// full disk, "; make the folder writable or choose another" where it is not; else nothing.
    public static func fix(errno code: Int32) -> String {
        if isOutOfSpace(errno: code) { return "; free space, then run it again" }
        if code == EACCES || code == EPERM || code == EROFS { return "; make the folder writable or choose another" }
        return ""
    }

    /// `fix(errno:)` for the POSIX error inside `error`.
    public static func fix(for error: Error) -> String { posixCode(error).map(fix(errno:)) ?? "" }

    /// A Foundation file error as one line that names its file, "PATH: reason; fix", or nil for
    /// any other error: the command line's last resort for a file error no caller has named.
    /// Only errors that carry a path count: Swift's DecodingError bridges to the same Cocoa
    /// domain, and its own text says more than Foundation's.
    public static func fileErrorLine(_ error: Error) -> String? {
        if error is any DescribedError { return nil }
        let bridged = error as NSError
        guard bridged.domain == NSCocoaErrorDomain || bridged.domain == NSPOSIXErrorDomain,
              let path = bridged.userInfo[NSFilePathErrorKey] as? String ?? (bridged.userInfo[NSURLErrorKey] as? URL)?.path
        else { return nil }
        return "\(path): " + of(error) + fix(for: error)
    }

    /// The C library's text for `code` (strerror).
    public static func text(errno code: Int32) -> String { String(cString: strerror(code)) }

    /// The POSIX error code inside `error`, following Foundation's chain of underlying errors
    /// (a few steps: the chain is Foundation's, its depth is not ours to trust).
    static func posixCode(_ error: Error) -> Int32? {
        var current = error as NSError
        for _ in 0..<4 {
            if current.domain == NSPOSIXErrorDomain { return Int32(truncatingIfNeeded: current.code) }
            guard let underlying = current.userInfo[NSUnderlyingErrorKey] as? Error else { return nil }
            current = underlying as NSError
        }
        return nil
    }
}
