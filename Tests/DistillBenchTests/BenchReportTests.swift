// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

@testable import DistillBench
import Foundation
import XCTest

/// `distill bench --json` is read by `Scripts/bench-vs-pytorch`: its keys and
/// values must be what that script and users look up.
final class BenchReportTests: XCTestCase {
    func testJSONHasSecondsThroughputAndPeakMemoryKeys() throws {
        let timed = Workload(name: "step", sizes: ["batch": 4], flops: 2e9) { {} }
        let memory = Workload(name: "outer", sizes: ["ipc": 10], flops: nil, measuresPeakMemory: true) { {} }
        let report = BenchReport(
            measurements: [
                Measurement(workload: timed, seconds: 0.5, samples: [0.5]),
                Measurement(workload: memory, seconds: 2, samples: [2], peakResidentMegabytes: 1234.5),
            ],
            blas: "test BLAS", threads: 2, repeats: 1)
        let object = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(report.json.utf8)) as? [String: Any])
        XCTAssertEqual(object["step_s"] as? Double, 0.5)
        XCTAssertEqual(object["step_gflops"] as? Double, 4)
        XCTAssertEqual(object["outer_s"] as? Double, 2)
        XCTAssertEqual(object["outer_peak_rss_mb"] as? Double, 1234.5)
        XCTAssertNil(object["outer_gflops"])
        XCTAssertEqual(object["threads"] as? Int, 2)
        XCTAssertTrue(report.table.contains("1235"), report.table)
    }

    func testWorkloadsAreChosenByNameAndUnknownNamesAreRefused() throws {
        let chosen = try BenchSuite.workloads(named: ["test_10k", "step_fwd_bwd_256"])
        XCTAssertEqual(chosen.map(\.name), ["step_fwd_bwd_256", "test_10k"])
        XCTAssertThrowsError(try BenchSuite.workloads(named: ["step_fwd_bwd"])) { error in
            XCTAssertTrue("\(error)".contains("no workload named 'step_fwd_bwd'"), "\(error)")
        }
        let names = BenchSuite.workloads.map(\.name)
        for key in ["step_fwd_bwd_256", "dc_outer_ipc1", "eval_train_300", "test_10k", "dc_outer_ipc10"] {
            XCTAssertTrue(names.contains(key), key)
        }
    }

    func testMeasuringReportsTheMedianAndPeakMemory() {
        var runs = 0
        let workload = Workload(name: "allocate", sizes: [:], flops: nil, measuresPeakMemory: true) {
            {
                runs += 1
                let buffer = [Float](repeating: 1, count: 1 << 20)
                withExtendedLifetime(buffer) {}
            }
        }
        let measurement = workload.measure(repeats: 3)
        XCTAssertEqual(runs, 4, "one warm-up and three timed runs")
        XCTAssertEqual(measurement.samples.count, 3)
        XCTAssertEqual(measurement.seconds, measurement.samples.sorted()[1])
        XCTAssertGreaterThan(measurement.peakResidentMegabytes ?? 0, 4, "a 4 MiB buffer was resident")
    }
}
