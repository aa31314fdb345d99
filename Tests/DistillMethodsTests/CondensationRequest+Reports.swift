// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillMethods
import _DistillTestSupport

extension CondensationRequest {
    /// Runs the request into `name` under the tiny data's root and returns every iteration's report.
    func reports(on data: TinyFashionMNIST, into name: String) throws -> [IterationReport] {
        var reports: [IterationReport] = []
        _ = try run(locator: data.locator, output: CondensationOutput(directory: "\(data.root)/\(name)")) { report, _ in
            reports.append(report)
        }
        return reports
    }
}
