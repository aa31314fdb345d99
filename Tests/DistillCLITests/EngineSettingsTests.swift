// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillSelfTest
import DistillTensor
import Foundation
import XCTest
import _DistillTestSupport

/// The variables that choose how the engine computes (DISTILL_KERNELS,
/// DISTILL_CONV_ALGORITHM, DISTILL_THREADS, DISTILL_BLAS_CORETYPE) and
/// `distill selftest`, run as a user runs them.
final class EngineSettingsTests: XCTestCase {
    private var scratch: URL!

    override func setUpWithError() throws {
        scratch = FileManager.default.temporaryDirectory.appendingPathComponent("engine-settings-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: scratch) }

    func testValuesThatMeanNothingStopEveryCommandWithOneLine() throws {
        let cases = [
            ("DISTILL_KERNELS", "sse9", "DISTILL_KERNELS=sse9 is not one of portable, avx2, avx512"),
            ("DISTILL_CONV_ALGORITHM", "fft", "DISTILL_CONV_ALGORITHM=fft is not one of precise, winograd4"),
            ("DISTILL_THREADS", "0", "DISTILL_THREADS=0 is not a whole number from 1 to 256"),
            ("DISTILL_THREADS", "two", "DISTILL_THREADS=two is not a whole number from 1 to 256"),
            ("DISTILL_SMALL_SGEMM", "abc", "DISTILL_SMALL_SGEMM=abc is not one of 0, 1"),
            ("DISTILL_SMALL_SGEMM", "2", "DISTILL_SMALL_SGEMM=2 is not one of 0, 1"),
            ("DISTILL_BLAS_CORETYPE", "bogus", "DISTILL_BLAS_CORETYPE=bogus is not one of Katmai, "),
        ]
        for (variable, value, message) in cases {
            let result = try distill(["models"], environment: [variable: value])
            XCTAssertNotEqual(result.status, 0, "\(variable)=\(value)")
            XCTAssertTrue(result.errors.hasPrefix("Error: \(message)"), result.errors)
            XCTAssertEqual(result.errors.split(separator: "\n").count, 1, result.errors)
            // The command stops, so the line must not claim a fallback.
            XCTAssertFalse(result.errors.contains("using"), result.errors)
        }
    }

    /// A known core type still stops the command, before any work, when its kernels
    /// would fault on this CPU (Opteron's use 3DNow!, which no CPU this runs on has)
    /// or when OpenBLAS would run others in its place (0.3.21 has no SapphireRapids
    /// kernels; a CPU without AVX-512 BF16 lacks their instructions besides).
    func testCoreTypesThatCannotRunAsNamedStopWithOneLine() throws {
        for (coreType, message) in [
            ("Opteron", "DISTILL_BLAS_CORETYPE=Opteron: OpenBLAS's Opteron kernels use 3DNow!, which this CPU lacks"),
            ("SapphireRapids", "DISTILL_BLAS_CORETYPE=SapphireRapids: "),
        ] {
            let result = try distill(["models"], environment: ["DISTILL_BLAS_CORETYPE": coreType])
            XCTAssertEqual(result.status, 64, "\(coreType): \(result.errors)")
            XCTAssertTrue(result.errors.hasPrefix("Error: \(message)"), result.errors)
            XCTAssertEqual(result.errors.split(separator: "\n").count, 1, result.errors)
        }
    }

    func testAKernelSetTheCPULacksFallsBackWithANotice() throws {
        let golden = try goldenDirectory(["ops"])
        for kernels in VectorKernels.allCases {
            let result = try distill(
                ["selftest", "--golden", golden.path, "--only", "ops", "--json"], environment: ["DISTILL_KERNELS": kernels.variableValue])
            XCTAssertEqual(result.status, 0, result.errors)
            let used = kernels <= VectorKernels.cpu ? kernels : VectorKernels.cpu
            XCTAssertTrue(result.output.contains("\"kernels\":\"\(used.variableValue)\""), result.output)
            XCTAssertEqual(result.errors.isEmpty, kernels <= VectorKernels.cpu, result.errors)
        }
    }

    func testSelftestFailsNamingTheKeyWhenAValueIsOutOfTolerance() throws {
        let golden = try goldenDirectory(["ops"])
        // The other standard files are not there: checking only what is would pass with their checks left out.
        let partial = try distill(["selftest", "--golden", golden.path])
        XCTAssertNotEqual(partial.status, 0)
        XCTAssertTrue(partial.errors.contains("dsa.safetensors, "), partial.errors)
        XCTAssertTrue(partial.errors.contains("missing; copy them from Tests/Fixtures, or name the files to check with --only"), partial.errors)
        for bad in ["nope", "ops,ops", ""] {
            // Usage errors, all three alike.
            XCTAssertEqual(try distill(["selftest", "--golden", golden.path, "--only", bad]).status, 64, bad)
        }
        let misspelt = try distill(["selftest", "--golden", "/nonexistent", "--only", "ops,nope"])
        XCTAssertTrue(misspelt.errors.contains("--only: no golden file 'nope'; known: ops, dsa"), "found before the directory: \(misspelt.errors)")
        let passed = try distill(["selftest", "--golden", golden.path, "--only", "ops"])
        XCTAssertEqual(passed.status, 0, passed.output + passed.errors)
        XCTAssertTrue(passed.output.contains("ops [\(VectorKernels.active.variableValue)]: ok, 138 values"), passed.output)

        // A float32 sigmoid cannot be within 1e-15 of the float64 reference; its output is checked twice.
        let tolerances = golden.appendingPathComponent("tolerances.json")
        var table = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: tolerances)) as? [String: Any])
        table["ops:sigmoid/y"] = 1e-15
        try JSONSerialization.data(withJSONObject: table).write(to: tolerances)
        let failed = try distill(["selftest", "--golden", golden.path, "--only", "ops"])
        XCTAssertNotEqual(failed.status, 0)
        XCTAssertTrue(failed.output.contains("FAIL, 2 of 138 values out of tolerance"), failed.output)
        XCTAssertEqual(failed.output.components(separatedBy: "ops:sigmoid/y (").count, 2, failed.output)
    }

    func testSelftestRefusesADirectoryWithoutGoldenFiles() throws {
        let result = try distill(["selftest", "--golden", scratch.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.errors.contains("has no tolerances.json"), result.errors)
    }

    /// OpenBLAS picks its kernels by core type when it loads, so each type
    /// this CPU runs is checked in a process of its own.
    func testEveryBLASCoreTypeThisCPURunsMeetsTheTolerances() throws {
        let files = ["ops", "dsa", "nets_c1_28", "dc", "dm", "dc_extra"]
        let golden = try goldenDirectory(files)
        var coreTypes = ["Prescott", "Sandybridge"]
        if VectorKernels.cpu >= .avx2 { coreTypes.append("Haswell") }
        if VectorKernels.cpu >= .avx512 { coreTypes.append("SkylakeX") }
        for coreType in coreTypes {
            let result = try distill(
                ["selftest", "--golden", golden.path, "--only", files.joined(separator: ",")],
                environment: ["DISTILL_BLAS_CORETYPE": coreType])
            XCTAssertEqual(result.status, 0, "\(coreType): \(result.output)\(result.errors)")
            XCTAssertTrue(result.output.contains("(\(coreType) kernels)"), "\(coreType): \(result.output)")
        }
    }

    // MARK: - Running the binary

    /// A directory holding copies of the named golden fixtures and the tolerances.
    private func goldenDirectory(_ files: [String]) throws -> URL {
        let directory = scratch.appendingPathComponent("golden")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for file in files.map({ "\($0).safetensors" }) + ["tolerances.json"] {
            try FileManager.default.copyItem(
                atPath: Golden.fixturePath(file), toPath: directory.appendingPathComponent(file).path)
        }
        return directory
    }

    private func distill(_ arguments: [String], environment: [String: String] = [:]) throws -> DistillProcess.Result {
        try DistillProcess.run(arguments, environment: environment, in: scratch)
    }
}
