import ArgumentParser
import Foundation
import NAS
import Torch

/// The `entrannas` command line: search, train, evaluate and inspect NAS architectures.
@main
struct EntranNAS: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entrannas",
        abstract: "Differentiable architecture search: EnTranNAS, EnTranNAS-DST, DARTS and PC-DARTS on libtorch.",
        subcommands: [InfoCommand.self, SearchCommand.self, RunCommand.self, ExperimentCommand.self, LaunchCommand.self, DrawCommand.self, ReportCommand.self, TrainCommand.self, EvalCommand.self, ExportCommand.self, ImportCommand.self, SummaryCommand.self]
    )

    static func main() {
        OpenMPPolicy.choose()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            if let hint = NegativeValueHint.message(for: error, arguments: CommandLine.arguments) {
                // One line and the usage code: the parse failed before a subcommand's usage was known.
                FileHandle.standardError.write(Data("Error: \(hint)\n".utf8))
                Foundation.exit(ExitCode.validationFailure.rawValue)
            }
            // A failed allocation deep in libtorch becomes a line that names the flags to change,
            // and a file error no caller named gets its path and the system's reason.
            exit(withError: OutOfMemory.explain(error) ?? SystemReason.fileErrorLine(error).map(RunError.init) ?? error)
        }
    }
}
