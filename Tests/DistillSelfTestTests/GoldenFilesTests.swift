// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillSelfTest
import DistillTensor
import XCTest

/// Every golden file shipped in `Tests/Fixtures`, every value against its own
/// tolerance from `tolerances.json` with nothing widened, under every kernel
/// set this CPU runs (so a machine with AVX-512 also proves the AVX2 and
/// portable paths), with the default convolution algorithm.
final class GoldenFilesTests: XCTestCase {
    func testOperations() { checkEveryKernelSet("ops") }
    func testAugmentations() { checkEveryKernelSet("dsa") }
    func testNetworksOn1x28x28() { checkEveryKernelSet("nets_c1_28") }
    func testNetworksOn3x32x32() { checkEveryKernelSet("nets_c3_32") }
    func testGradientMatching() { checkEveryKernelSet("dc") }
    func testDistributionMatching() { checkEveryKernelSet("dm") }

    /// References made for configurations the shared files lack (other ConvNet depths and widths).
    func testGradientMatchingOnFurtherConvNets() throws {
        let extras = try SelfTest.files(in: Golden.fixturesDirectory).filter { !SelfTest.standardFiles.contains($0) }
        XCTAssertFalse(extras.isEmpty, "Tests/Fixtures holds no dc_* file")
        for file in extras { checkEveryKernelSet(file) }
    }

    func testEveryFixtureIsChecked() throws {
        let fixtures = try FileManager.default.contentsOfDirectory(atPath: Golden.fixturesDirectory)
            .filter { $0.hasSuffix(".safetensors") }.map { String($0.dropLast(".safetensors".count)) }
        XCTAssertEqual(Set(try SelfTest.files(in: Golden.fixturesDirectory)), Set(fixtures))
        XCTAssertEqual(Set(SelfTest.standardFiles).subtracting(fixtures), [])
    }

    private func checkEveryKernelSet(_ file: String, line: UInt = #line) {
        XCTAssertEqual(ConvolutionAlgorithm.active, .precise, "the suite checks the default algorithm")
        for report in SelfTest.run(file, directory: Golden.fixturesDirectory, kernelSets: VectorKernels.supported) {
            XCTAssertTrue(report.passed, report.summary, line: line)
        }
    }
}
