// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillTensor

/// Placeholder-free minimal suite: SGEMM throughput only (extended by the bench work).
public enum BenchSuite {
    public struct Report {
        public var json: String
        public var table: String
    }

    public static func run() -> Report {
        Report(json: "{}", table: BLAS.description)
    }
}
