// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillMPI
import XCTest

final class LauncherTests: XCTestCase {
    func testAPlainEnvironmentHasNoLauncher() {
        XCTAssertNil(Launcher.detect(in: [:]))
        XCTAssertNil(Launcher.detect(in: ["PATH": "/usr/bin", "SLURM_PROCID": "1", "OMPI_MCA_btl": "self"]))
        // PMI-1 without its size is not a launcher's process.
        XCTAssertNil(Launcher.detect(in: ["PMI_RANK": "1"]))
    }

    func testEachLauncherIsFoundWithItsRank() {
        let cases: [([String: String], variable: String, rank: Int)] = [
            (["OMPI_COMM_WORLD_SIZE": "3", "OMPI_COMM_WORLD_RANK": "2", "PMIX_RANK": "2"], "OMPI_COMM_WORLD_SIZE", 2),
            (["PMIX_RANK": "1", "SLURM_PROCID": "1"], "PMIX_RANK", 1),
            (["PMI_RANK": "4", "PMI_SIZE": "8"], "PMI_RANK", 4),
        ]
        for (environment, variable, rank) in cases {
            let launcher = Launcher.detect(in: environment)
            XCTAssertEqual(launcher?.variable, variable, "\(environment)")
            XCTAssertEqual(launcher?.rank, rank, "\(environment)")
        }
    }
}
