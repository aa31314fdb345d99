// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillCluster
import DistillMPI
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct Distill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Dataset distillation with model pools, evaluated across architectures.",
        version: "0.1.0",
        subcommands: [
            Condense.self, Evaluate.self, Experiment.self, Render.self, Export.self, Train.self, DataCommand.self,
            Models.self, Forward.self, Bench.self, SelfTestCommand.self,
        ]
    )

    /// Parses and runs the command like `AsyncParsableCommand.main()`, but
    /// first checks the engine's variables (`EngineSettings`), joins the MPI
    /// job when a launcher started this process (`Launcher`), and reports
    /// every error as one plain line (see `ErrorMessages`).
    static func main() async {
        let environment = ProcessInfo.processInfo.environment
        let launcher = Launcher.detect(in: environment)
        let speaks = (launcher?.rank ?? 0) == 0
        let settings = EngineSettings.check(environment)
        if speaks { for notice in settings.notices { fputs("distill: \(notice)\n", stderr) } }
        if let problem = settings.problems.first {
            if speaks { fputs("Error: \(problem)\n", stderr) }
            Foundation.exit(64)
        }
        let group: any ProcessGroup
        if launcher != nil {
            do {
                group = try MPIProcessGroup.start()
            } catch {
                fputs("Error: started by an MPI launcher (\(launcher!.variable) is set) but \(error)\n", stderr)
                Foundation.exit(1)
            }
        } else {
            group = SingleProcess()
        }
        // Parsing and validation see the same arguments on every rank, so they fail
        // alike everywhere: rank 0 reports, and every rank leaves MPI normally.
        var command: ParsableCommand
        do {
            // Before parsing, which would keep the last of the values silently.
            try RepeatedOptions(Distill.self).check(Array(CommandLine.arguments.dropFirst()))
            command = try parseAsRoot()
            if group.size > 1, !(command is DistributedCommand) {
                throw ValidationError(
                    "this command runs in one process; start it without a launcher (this job has \(group.size) ranks); "
                        + "condense, evaluate and experiment run over ranks")
            }
        } catch {
            end(group, reporting: ErrorMessages.plain(error))
        }
        do {
            try FaultInjection.failIfChosen(rank: group.rank, environment: environment)
            if let distributed = command as? DistributedCommand {
                try distributed.run(in: group)
            } else if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard let job = group as? MPIProcessGroup, job.size > 1 else {
                end(group, reporting: ErrorMessages.plain(error))
            }
            // An error every rank meets (a missing input file) is reported once, by
            // rank 0, as in a plain run, and the job ends normally. Ranks meet such an
            // error within milliseconds of each other; the margin is for a loaded
            // machine or a slow shared file system.
            if job.everyRankFailed(within: 5) { end(group, reporting: ErrorMessages.plain(error)) }
            // A rank that fails alone: one line naming it, then every rank stops, as the
            // others may be waiting for this one in a collective and would otherwise hang.
            fputs("distill: rank \(job.rank) of \(job.size): \(ErrorMessages.line(for: error))\n", stderr)
            job.abort(code: exitCode(for: error).rawValue == 0 ? 1 : exitCode(for: error).rawValue)
        }
        leave(group)
    }

    /// Ends the process, or a job whose every rank met `error` (the same arguments, the same
    /// missing file), like `exit(withError:)`, but a usage error is one line: the message and
    /// where to read more, without the usage synopsis ArgumentParser prints after it.
    /// `--help` and `--version` print as usual. Rank 0 alone reports; every rank leaves MPI
    /// normally. The line is printed before leaving, because once one rank exits with a
    /// failing status the launcher stops the others, and rank 0 might not have printed yet.
    private static func end(_ group: any ProcessGroup, reporting error: Error) -> Never {
        let line = group.isLeader ? failureLine(for: error) : nil
        if let line { fputs(line + "\n", stderr) }
        leave(group)
        if group.isLeader, line == nil { exit(withError: error) }
        Foundation.exit(status(for: error))
    }

    /// The one line reporting `error`, or nil for `--help` and `--version`, which print as usual.
    private static func failureLine(for error: Error) -> String? {
        let text = message(for: error)
        guard exitCode(for: error) != .success, !text.isEmpty else { return nil }
        var line = "Error: " + text
        let pointer = fullMessage(for: error).split(separator: "\n").last { $0.contains("See '") }
        if let pointer {
            line += " (" + pointer.trimmingCharacters(in: .whitespaces)
                .replacingOccurrences(of: "See '", with: "see '")
                .replacingOccurrences(of: " for more information.", with: "") + ")"
        }
        return line
    }

    /// The exit status for `error`: ArgumentParser's, and 64 (a usage error) for a repeated option,
    /// which is found outside ArgumentParser.
    private static func status(for error: Error) -> Int32 {
        error is RepeatedOptionError ? ExitCode.validationFailure.rawValue : exitCode(for: error).rawValue
    }

    /// Leaves the MPI job normally (`MPI_Finalize`); nothing for a plain run.
    private static func leave(_ group: any ProcessGroup) {
        guard let job = group as? MPIProcessGroup else { return }
        do {
            try job.finish()
        } catch {
            fputs("distill: rank \(job.rank) of \(job.size): \(error)\n", stderr)
            Foundation.exit(1)
        }
    }
}
