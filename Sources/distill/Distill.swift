// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser

@main
struct Distill: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "distill",
        abstract: "Dataset distillation with model pools, evaluated across architectures.",
        version: "0.1.0",
        subcommands: [
            Condense.self, Evaluate.self, Experiment.self, Render.self, Export.self, Train.self, DataCommand.self, Models.self,
            Forward.self, Bench.self,
        ]
    )
}
