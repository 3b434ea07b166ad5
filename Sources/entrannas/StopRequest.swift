import Dispatch
import Foundation

/// Ctrl-C (SIGINT) and SIGTERM ask long work to stop at the next step boundary, so it can save
/// a checkpoint; a second Ctrl-C exits at once.
final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false
    private var sources: [DispatchSourceSignal] = []

    var requested: Bool { lock.lock(); defer { lock.unlock() }; return flag }

    static func install() -> StopRequest {
        let request = StopRequest()
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [request] in
                request.lock.lock()
                let second = request.flag
                request.flag = true
                request.lock.unlock()
                if second { exit(130) }
                FileHandle.standardError.write(Data("\nstopping after this step (saving a checkpoint); Ctrl-C again to quit now\n".utf8))
            }
            source.resume()
            request.sources.append(source)
        }
        return request
    }
}
