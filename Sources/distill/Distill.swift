// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser

@main
struct Distill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Dataset distillation with model pools, evaluated across architectures.",
        version: "0.1.0",
        subcommands: [
            Condense.self, Evaluate.self, Experiment.self, Render.self, Train.self, DataCommand.self, Models.self,
            Forward.self, Bench.self,
        ]
    )

    /// Parses and runs the command like `AsyncParsableCommand.main()`, but
    /// reports every error as one plain line (see `ErrorMessages`).
    static func main() async {
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
