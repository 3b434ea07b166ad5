import Foundation
import XCTest

/// The `entrannas` binary that `swift build --build-tests` put beside this test bundle, run as a
/// user runs it: a child process with its own environment and output files.
enum EntranNASBinary {
    static var url: URL {
        let bundle = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        return bundle.appendingPathComponent("entrannas")
    }

    /// Whether the binary's libtorch has Gloo, so CPU processes can form a group (`entrannas
    /// info` says; the PyPI wheel has none).
    static let hasGloo: Bool = {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = url
        process.arguments = ["info"]
        process.standardOutput = pipe
        guard (try? process.run()) != nil else { return false }
        let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return text.split(separator: "\n").contains { $0.hasPrefix("collectives") && $0.contains("gloo") }
    }()

    /// A started command whose output goes to files in `folder`.
    final class Running {
        let process = Process()
        let stdout: URL
        let stderr: URL

        /// `binaryChoosesOpenMP`: no OpenMP wait setting reaches the binary but one in
        /// `environment`, so that it chooses its own (OpenMPPolicyTests).
        init(_ arguments: [String], in folder: URL, name: String, environment: [String: String] = [:],
             binaryChoosesOpenMP: Bool = false) throws {
            guard FileManager.default.isExecutableFile(atPath: EntranNASBinary.url.path) else {
                throw XCTSkip("\(EntranNASBinary.url.path) is missing; build it with swift build --build-tests")
            }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            stdout = folder.appendingPathComponent("\(name).out")
            stderr = folder.appendingPathComponent("\(name).err")
            for file in [stdout, stderr] where !FileManager.default.createFile(atPath: file.path, contents: nil) {
                throw XCTSkip("cannot create \(file.path)")
            }
            process.executableURL = EntranNASBinary.url
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            env["ENTRANNAS_THREADS"] = "1"
            // The OpenMP wait policy the binary would choose, given: without it every start
            // re-executes itself to set it (OpenMPPolicy), loading libtorch twice, about 0.9 s of
            // CPU more a start, minutes over a few hundred starts. OpenMPPolicyTests runs the
            // re-execution, and checks that 1000 is still OpenMPPolicy.spinCount.
            if binaryChoosesOpenMP {
                for key in ["OMP_WAIT_POLICY", "GOMP_SPINCOUNT"] { env[key] = nil }
            } else if env["OMP_WAIT_POLICY"] == nil {
                env["GOMP_SPINCOUNT"] = env["GOMP_SPINCOUNT"] ?? "1000"
            }
            for key in ["RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT"] { env[key] = nil }
            env.merge(environment) { _, new in new }
            process.environment = env
            process.standardOutput = try FileHandle(forWritingTo: stdout)
            process.standardError = try FileHandle(forWritingTo: stderr)
            try process.run()
        }

        var output: String { (try? String(contentsOf: stdout, encoding: .utf8)) ?? "" }
        var errors: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }

        /// Waits up to `seconds`; returns the exit status, or nil (and kills it) when it ran longer.
        func wait(seconds: Double) -> Int32? {
            let deadline = Date().addingTimeInterval(seconds)
            while process.isRunning && Date() < deadline { usleep(50_000) }
            if process.isRunning {
                process.terminate()
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
                return nil
            }
            return process.terminationStatus
        }
    }

    /// Runs to the end (at most `seconds`, four times that under a sanitizer, whose builds run
    /// several times slower: scripts/sanitize.sh sets ENTRANNAS_SANITIZER); fails the test with
    /// the command's stderr when it does not exit with `expecting`.
    @discardableResult
    static func run(_ arguments: [String], in folder: URL, name: String, environment: [String: String] = [:],
                    binaryChoosesOpenMP: Bool = false, seconds: Double = 300, expecting: Int32 = 0,
                    file: StaticString = #filePath, line: UInt = #line) throws -> Running {
        let running = try Running(arguments, in: folder, name: name, environment: environment,
                                  binaryChoosesOpenMP: binaryChoosesOpenMP)
        let slowdown = ProcessInfo.processInfo.environment["ENTRANNAS_SANITIZER"] == nil ? 1.0 : 4.0
        let status = running.wait(seconds: seconds * slowdown)
        XCTAssertEqual(status, expecting, "entrannas \(arguments.joined(separator: " ")):\n\(running.errors)", file: file, line: line)
        return running
    }
}


/// Writes `text` to `url` as an executable (mode 755): the stand-in programs and scripts the
/// tests put where the real ones would be.
func writeExecutable(_ text: String, to url: URL) throws {
    try text.write(to: url, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
}

/// This repository's root: the tests of the experiment scripts run its scripts.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Copies `files` (paths from the repository's root) to the same paths under `root`, making the
/// folders: a script runs in a copy of the tree, on stand-in files beside it.
func copyFromRepository(_ files: [String], to root: URL) throws {
    for file in files {
        let target = root.appendingPathComponent(file)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repositoryRoot.appendingPathComponent(file), to: target)
    }
}

/// Writes `text` to `path` under `root`, making the folders: the made-up result files the
/// experiment scripts' tests read.
func writeFile(_ text: String, _ path: String, under root: URL) throws {
    let url = root.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: url, atomically: true, encoding: .utf8)
}

/// A genotype.json of a 4-step cell pair whose nodes keep the given numbers of inputs (each a
/// max_pool_3x3 on input 0): what the DST scripts count per node.
func genotypeJSON(normal: [Int], reduce: [Int]) -> String {
    func cell(_ counts: [Int]) -> String {
        "[" + counts.map { count in
            "[" + Array(repeating: #"{"op": "max_pool_3x3", "input": 0}"#, count: count).joined(separator: ", ") + "]"
        }.joined(separator: ", ") + "]"
    }
    return #"{"normal": \#(cell(normal)), "normal_concat": [2, 3, 4, 5], "reduce": \#(cell(reduce)), "reduce_concat": [2, 3, 4, 5]}"#
}

/// A fresh temporary folder, removed after the test.
func temporaryFolder(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// The JSON objects of a metrics.jsonl file.
func metricsRecords(_ url: URL) throws -> [[String: Any]] {
    try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
        try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
    }
}

/// `bash SCRIPT ARGUMENTS` with `environment` added to this process's own, not started yet. The
/// tests of the experiment scripts run them so, in a copied tree.
private func bashProcess(_ script: URL, _ arguments: [String], environment: [String: String]) -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/bash")
    process.arguments = [script.path] + arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    return process
}

/// Starts `bash SCRIPT ARGUMENTS` (see `bashProcess`); its output goes nowhere.
func startBash(_ script: URL, _ arguments: [String] = [], environment: [String: String] = [:]) throws -> Process {
    let process = bashProcess(script, arguments, environment: environment)
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// Starts `setsid --wait ARGUMENTS` in `folder`: a session and process group of its own, as
/// background.sh starts a lane, so that a test can stop it as a lane is stopped (a signal to the
/// group). `environment` is added to this process's own; the output goes nowhere.
func startInSession(_ arguments: [String], in folder: URL? = nil, environment: [String: String] = [:]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
    process.arguments = ["--wait"] + arguments
    if let folder { process.currentDirectoryURL = folder }
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

/// Runs `bash SCRIPT ARGUMENTS` (see `bashProcess`) to its end: its exit status, standard output
/// and standard error (the errors through a file, so that neither pipe can fill while the other
/// is read).
func runBash(_ script: URL, _ arguments: [String] = [], environment: [String: String] = [:]) throws
    -> (status: Int32, output: String, errors: String) {
    let errorsFile = FileManager.default.temporaryDirectory.appendingPathComponent("entrannas-errors-\(UUID().uuidString)")
    guard FileManager.default.createFile(atPath: errorsFile.path, contents: nil) else {
        throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: errorsFile.path])
    }
    defer { try? FileManager.default.removeItem(at: errorsFile) }
    let errorsHandle = try FileHandle(forWritingTo: errorsFile)
    defer { try? errorsHandle.close() }
    let process = bashProcess(script, arguments, environment: environment)
    let output = Pipe()
    process.standardOutput = output
    process.standardError = errorsHandle
    try process.run()
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    let errors = (try? String(contentsOf: errorsFile, encoding: .utf8)) ?? ""
    return (process.terminationStatus, text, errors)
}
