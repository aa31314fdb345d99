// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation
import XCTest
import _DistillTestSupport

/// The same seed gives the same synthetic set, byte for byte, whatever
/// number of engine threads (`DISTILL_THREADS`) computes it.
final class ThreadCountTests: XCTestCase {
    private var data: TinyFashionMNIST!

    override func setUpWithError() throws { data = try TinyFashionMNIST() }
    override func tearDownWithError() throws { data.remove() }

    func testCondensationDoesNotDependOnTheThreadCount() throws {
        let directory = URL(fileURLWithPath: data.root)
        for method in ["dc", "dsa", "dm"] {
            var sets: [Data] = []
            for threads in ["1", "2", "3"] {
                let out = directory.appendingPathComponent("\(method)-\(threads)").path
                // DM trains no network, so it takes no loop counts.
                let loops = method == "dm" ? [] : ["--outer-loop", "2", "--inner-loop", "2"]
                let result = try DistillProcess.run(
                    [
                        "condense", "--dataset", "fashion-mnist", "--data-dir", data.root, "--method", method,
                        "--ipc", "2", "--iterations", "2", "--seed", "5", "--out", out,
                    ] + loops,
                    environment: ["HOME": data.root, "DISTILL_THREADS": threads], in: directory)
                XCTAssertEqual(result.status, 0, "\(method), \(threads) threads: \(result.errors)")
                sets.append(try Data(contentsOf: URL(fileURLWithPath: "\(out)/synthetic.safetensors")))
            }
            XCTAssertEqual(sets[0], sets[1], "\(method): 1 and 2 threads")
            XCTAssertEqual(sets[0], sets[2], "\(method): 1 and 3 threads")
        }
    }
}
