import Foundation
import NAS
#if canImport(Glibc)
import Glibc
#endif

/// A unit of `experiment` or a rank of `launch` runs in a process group of its own, so a signal
/// that kills its parent without being passed on (SIGKILL, SIGQUIT, a crash) would leave it
/// running, and a later --resume would start a second copy in the same folder. The parent names
/// itself in ENTRANNAS_PARENT_PID; once this process's parent is another one, it stops as after
/// Ctrl-C: the current step ends, a checkpoint is saved, and it exits.
enum ParentWatch {
    static func start() {
        guard let parent = ProcessInfo.processInfo.environment["ENTRANNAS_PARENT_PID"].flatMap(pid_t.init) else { return }
        Thread.detachNewThread {
            while getppid() == parent { sleep(1) }
            FileHandle.standardError.write(Data("the process that started this one (pid \(parent)) ended; stopping after this step\n".utf8))
            StopSignal.shared.request("parent ended")
        }
    }
}
