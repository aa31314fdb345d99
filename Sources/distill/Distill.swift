// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
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
    /// first checks the engine's variables (`EngineSettings`) and reports
    /// every error as one plain line (see `ErrorMessages`).
    static func main() async {
        let settings = EngineSettings.check(ProcessInfo.processInfo.environment)
        for notice in settings.notices { fputs("distill: \(notice)\n", stderr) }
        if let problem = settings.problems.first {
            fputs("distill: \(problem)\n", stderr)
            Foundation.exit(64)
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withError: ErrorMessages.plain(error))
        }
    }
}
