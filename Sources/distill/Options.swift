// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillData

/// Where to look for datasets.
struct DataOptions: ParsableArguments {
    @Option(
        name: .customLong("data-dir"),
        help: "Directory holding datasets (searched before $DISTILL_DATA, ~/.cache/distill and system packages).")
    var dataDirectory: String?

    var locator: DataLocator { DataLocator(dataDirectory: dataDirectory) }
}

extension DatasetKind: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(name: argument)
    }

    public static var allValueStrings: [String] { allCases.map(\.name) }
}
