import Foundation
import Reporting
#if canImport(Glibc)
import Glibc
#endif

extension ProcessGroup {
    /// A TCP port that nothing listens on at this moment on 127.0.0.1, as the kernel hands one
    /// out: a single-machine rendezvous (torchrun's `--standalone`) that does not collide with
    /// another group on the same machine. Throws when no socket can be bound.
    public static func freeLoopbackPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TorchError.io("opening a socket to find a free port: \(SystemReason.text(errno: errno))") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw TorchError.io("binding a socket on 127.0.0.1 to find a free port: \(SystemReason.text(errno: errno))") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
