import Foundation
import Synchronization

/// One run per folder: an advisory lock (`flock`) on the folder's `.entrannas.lock`, held while
/// a search or training runs in it. A second process started on the same folder, new or with
/// `--resume`, is refused with the holder's pid instead of writing the same checkpoint and
/// metrics at once. The kernel drops the lock with its process, however it ends (kill -9 too),
/// so a crashed run never leaves a folder locked. Within one process the lock is shared: runs
/// that one program starts one after another on a folder (a resume, the tests) take it again.
public final class RunLock: @unchecked Sendable {
    /// The lock file's name inside a run folder.
    public static let fileName = ".entrannas.lock"

    private static let held = Mutex<[String: (descriptor: Int32, holders: Int, createdFolder: Bool)]>([:])
    private let path: String
    private let folder: URL

    /// Takes the lock of `directory` (created when missing), or throws a `RunError` naming the
    /// process that holds it.
    public init(_ directory: RunDirectory) throws {
        let path = directory.file(Self.fileName).path
        self.path = path
        folder = directory.url
        try Self.held.withLock { held in
            if let entry = held[path] {
                held[path] = (entry.descriptor, entry.holders + 1, entry.createdFolder)
                return
            }
            let existed = FileManager.default.fileExists(atPath: directory.path)
            try RunDirectory.createOutputFolder(directory.url)
            let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else {
                throw RunError("cannot open \(path): \(SystemReason.text(errno: errno)); choose another --output")
            }
            guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
                let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines)
                close(descriptor)
                throw RunError("another entrannas process\(holder.map { $0.isEmpty ? "" : " (pid \($0))" } ?? "") is running in "
                               + "\(directory.path); wait for it to end, or choose another --output")
            }
            // The holder's pid, for the message a second process prints.
            let pid = "\(getpid())\n"
            _ = ftruncate(descriptor, 0)
            _ = pid.withCString { pwrite(descriptor, $0, strlen($0), 0) }
            held[path] = (descriptor, 1, !existed)
        }
    }

    /// The last holder in this process releases the lock. A folder the lock created and nothing
    /// else was written to (the run failed before it began) goes again, so a refused run leaves
    /// no trace.
    deinit {
        Self.held.withLock { held in
            guard let entry = held[path] else { return }
            if entry.holders > 1 {
                held[path] = (entry.descriptor, entry.holders - 1, entry.createdFolder)
                return
            }
            held[path] = nil
            let fm = FileManager.default
            // Unlinked while still locked, so no other process can lock the file being removed.
            let empty = entry.createdFolder && (try? fm.contentsOfDirectory(atPath: folder.path)) == [Self.fileName]
            if empty { unlink(path) }
            close(entry.descriptor)  // releases the flock
            if empty { try? fm.removeItem(at: folder) }
        }
    }
}
