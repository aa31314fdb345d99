// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation
import XCTest
import _DistillTestSupport

/// Hostile and careless input to the `distill` binary: each case ends in one
/// error line that names the thing and the reason, and a non-zero status,
/// never a trap or an allocation failure.
final class BadInputTests: BinaryTestCase {
    func testNegativeCountsAreRefusedByName() throws {
        let set = try writeSet("set.safetensors")
        try assertRefused(["render", set, "--out", binary.path("x.png"), "--scale", "-1"], "--scale must be positive (got -1)")
        try assertRefused(["condense", "--ipc", "-3", "--out", binary.path("c")], "--ipc must be positive (got -3)")
        try assertRefused(["evaluate", set, "--epochs=-1"], "--epochs must be 0 or more (got -1)")
        try assertRefused(["evaluate", set, "--num-eval", "0"], "--num-eval must be positive (got 0)")
        try assertRefused(["condense", "--batch-real", "-5", "--out", binary.path("c")], "--batch-real must be positive (got -5)")
        try assertRefused(["condense", "--checkpoint-every", "0", "--out", binary.path("c")], "--checkpoint-every must be positive")
        try assertRefused(["condense", "--lr-img", "inf", "--out", binary.path("c")], "--lr-img must be a finite number above 0 (got inf)")
        try assertRefused(["train", "--batch", "-1"], "--batch must be positive (got -1)")
        try assertRefused(["models", "--classes", "-2"], "--classes must be positive (got -2)")
        try assertRefused(["experiment", "model-pool", "--ipc", "-3", "--out", binary.path("e")], "-3")
        // Usage errors (exit 64) in the experiments as in condense, before anything is read.
        for arguments in [
            ["experiment", "generalization", "--settings", "dc", "--ipc", "0"], ["experiment", "generalization", "--settings", "dc", "--batch-real", "0"],
            ["experiment", "model-pool", "--batch-real", "0"],
        ] {
            let result = try binary.run(arguments + ["--out", binary.path("e")])
            XCTAssertEqual(result.status, 64, "\(arguments): \(result.errors)")
            XCTAssertTrue(result.errors.contains("must be positive (got 0)"), "\(arguments): \(result.errors)")
        }
    }

    func testAnIPCWithoutPublishedLoopsIsAUsageErrorBeforeAnyDataIsRead() throws {
        let result = try binary.run(["condense", "--ipc", "6", "--iterations", "1", "--out", binary.path("c")])
        XCTAssertEqual(result.status, 64, result.errors)
        try assertRefused(
            ["condense", "--ipc", "6", "--outer-loop", "2", "--iterations", "1", "--out", binary.path("c")],
            "no published (outer loop, inner loop) for ipc 6 (only for 1, 10, 20, 30, 40, 50); set both loops explicitly with --outer-loop and --inner-loop")
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("c")))
    }

    func testRenderDrawsNonFinitePixelsAndRefusesNonFiniteNormalisation() throws {
        var scalars = [Float](repeating: 0.5, count: 10 * 784)
        scalars[3] = .nan
        scalars[4] = .infinity
        let diverged = try writeSet("nan.safetensors", images: NDArray(shape: [10, 1, 28, 28], scalars: scalars))
        let drawn = try binary.run(["render", diverged, "--out", binary.path("nan.png"), "--scale", "1"])
        XCTAssertEqual(drawn.status, 0, drawn.errors)
        XCTAssertTrue(drawn.output.contains("2 values are not finite"), drawn.output)

        let badStd = try writeSet("std.safetensors", std: "nan")
        try assertRefused(["render", badStd, "--out", binary.path("std.png")], "'std' metadata 'nan' must be finite and positive")
        let badMean = try writeSet("mean.safetensors", mean: "inf")
        try assertRefused(["render", badMean, "--out", binary.path("mean.png")], "'mean' metadata 'inf' must be finite")
    }

    func testRenderScaleIsBoundedBeforeAllocating() throws {
        let set = try writeSet("set.safetensors")
        try assertRefused(["render", set, "--out", binary.path("x.png"), "--scale", "100000"], "use a smaller --scale")
        try assertRefused(["render", set, "--out", binary.path("x.png"), "--scale", "99999999999"], "use a smaller --scale")
    }

    func testEmptyAndMisshapenSetsAreNamed() throws {
        let empty = try writeSet("empty.safetensors", images: NDArray(shape: [0, 1, 28, 28], scalars: []), labels: [])
        try assertRefused(["render", empty, "--out", binary.path("x.png")], "empty.safetensors holds no images")
        try assertRefused(["evaluate", empty, "--models", "ConvNet"], "empty.safetensors holds no images")

        let flat = try writeSet("flat.safetensors", images: NDArray(shape: [2, 28, 28], scalars: .init(repeating: 0, count: 2 * 784)))
        try assertRefused(["render", flat, "--out", binary.path("x.png")], "tensor 'images' has rank 3 (shape [2, 28, 28])")
    }

    func testModelNamesAreCheckedAsNetworks() throws {
        let set = try writeSet("set.safetensors")
        try assertRefused(["evaluate", set, "--models", ""], "--models is empty or lists an empty name")
        try assertRefused(["evaluate", set, "--models", "ConvNet,Nope"], "--models: unknown network 'Nope'")
        try assertRefused(["evaluate", set, "--kd", "--teacher", "Nope"], "--teacher: unknown network 'Nope'")
        try assertRefused(["evaluate", set, "--protocol", "mtt"], "'mtt'")
        let study = ["experiment", "generalization", "--settings", "dc", "dc+pool=paper", "--out", binary.path("study")]
        try assertRefused(study + ["--compare", "dsa vs dc"], "--compare 'dsa vs dc' is not valid: dsa is not one of --settings")
        try assertRefused(study + ["--compare", "dc+pool=paper"], "write SETTING vs CONTROL")
        try assertRefused(["condense", "--model", "Nope", "--iterations", "1", "--out", binary.path("c")], "unknown network 'Nope'")
    }

    func testSizesTooLargeForTheMachineAreRefusedWithTheEstimate() throws {
        try assertRefused(
            ["condense", "--ipc", "1000000000", "--outer-loop", "1", "--inner-loop", "1", "--iterations", "1", "--out", binary.path("c")],
            "condensing 10 classes × 1000000000 images of 1×28×28")
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("c")), "refused before its directory is made")
        try assertRefused(["models", "--input", "1x100000x100000"], "of memory but")
        try assertRefused(["models", "--classes", "1000000000000"], "of memory but")
        try assertRefused(["train", "--model", "ConvNet(width=65536,depth=1000,pool=none)"], "of memory but")
        let set = try writeSet("set.safetensors")
        try assertRefused(
            ["evaluate", set, "--models", "ConvNet(width=65536,depth=1000,pool=none)"],
            "training ConvNet(width=65536,depth=1000,pool=none) on 1×28×28 images in batches of 10 needs")
        try assertRefused(["train", "--model", "ConvNet(width=100000000)"], "invalid ConvNet width '100000000'")
        try assertRefused(["train", "--model", "ConvNet(depth=10000000,pool=none)"], "invalid ConvNet depth '10000000'")
    }

    /// `models` counts from the architectures: an input some networks cannot take lists the others
    /// and marks those with the reason, and a wide input is counted without building anything.
    func testModelsMarksNetworksThatCannotTakeTheInput() throws {
        let table = try binary.run(["models", "--input", "1x16x16"])
        XCTAssertEqual(table.status, 0, table.errors)
        let line = { (name: String) in table.output.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map(String.init) ?? "" }
        XCTAssertTrue(line("ConvNetD5").hasSuffix("cannot take this input: its feature map is 1×1 before a 2×2 pool; use larger images"), table.output)
        XCTAssertTrue(line("ConvNetD4").hasSuffix("  446,346"), table.output)
        let json = try binary.run(["models", "--input", "1x16x16", "--json"])
        XCTAssertEqual(json.status, 0, json.errors)
        XCTAssertTrue(json.output.contains("\"ConvNetD5\": {\"unsupported\": \"its feature map is 1×1 before a 2×2 pool; use larger images\"}"), json.output)
        XCTAssertTrue(json.output.contains("\"ConvNetD4\": 446346,"), json.output)
        let wide = try binary.run(["models", "--input", "100000x32x32", "--json"])
        XCTAssertEqual(wide.status, 0, wide.errors)
        // ConvNetD1: a convolution of 100000 × 128 × 3 × 3 weights and 128 biases, the norm's 2 × 128,
        // and the classifier on 128 × 16 × 16 features.
        let convolution: Int = 100_000 * 128 * 9 + 128
        let classifier: Int = 128 * 16 * 16 * 10 + 10
        XCTAssertTrue(wide.output.contains("\"ConvNetD1\": \(convolution + 2 * 128 + classifier),"), wide.output)
    }

    func testIDXHeaderWhoseSizeOverflowsIsCorruptData() throws {
        let file = "\(data.root)/fashion-mnist/train-images-idx3-ubyte"
        let header: [UInt8] = [0, 0, 8, 3, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 3]
        try Data(header + [1, 2, 3]).write(to: URL(fileURLWithPath: file))
        try assertRefused(["condense", "--iterations", "1", "--out", binary.path("c")], "more data bytes than any file holds")
    }

    func testEmptyPathsAreRefusedBeforeAnyWork() throws {
        let set = try writeSet("set.safetensors")
        try assertRefused(["export", set, "--format", "folder", "--out", ""], "--out is empty; give a path")
        try assertRefused(["export", set, "--format", "npz", "--out", " "], "--out is empty")
        try assertRefused(["export", "--random-real", "1", "--format", "npz", "--out", "r.npz", "--data-dir", ""], "--data-dir is empty")
        try assertRefused(["evaluate", set, "--out", ""], "--out is empty")
        try assertRefused(["evaluate", ""], "the synthetic set is empty")
        try assertRefused(["evaluate", set, "--kd", "--teacher-weights", ""], "--teacher-weights is empty")
        try assertRefused(["condense", "--out", ""], "--out is empty")
        try assertRefused(["train", "--save", ""], "--save is empty")
        try assertRefused(["render", set, "--out", ""], "--out is empty")
        try assertRefused(["forward", "--model", "ConvNet", "--weights", "", "--input", set, "--out", "l.safetensors"], "--weights is empty")
        try assertRefused(["forward", "--model", "ConvNet", "--weights", set, "--input", set, "--out", ""], "--out is empty")
        try assertRefused(["selftest", "--golden", ""], "--golden is empty")
        try assertRefused(["experiment", "model-pool", "--quick", "--out", ""], "--out is empty")
        try assertRefused(["experiment", "generalization", "--settings", "dc", "--out", ""], "--out is empty")
        // Nothing written besides the set (hidden files hold the runs' output).
        let written = try FileManager.default.contentsOfDirectory(atPath: binary.scratch).filter { !$0.hasPrefix(".") }
        XCTAssertEqual(written, ["set.safetensors"])
    }

    func testTheRootIsRefusedAsAResultsDirectory() throws {
        let set = try writeSet("set.safetensors")
        let root = "is the file system's root"
        try assertRefused(["condense", "--iterations", "1", "--out", "/"], "--out \(root) (/); name a directory of its own")
        try assertRefused(["condense", "--iterations", "1", "--out", "//."], "--out \(root) (//.)")
        try assertRefused(["evaluate", set, "--models", "MLP", "--epochs", "0", "--out", "/"], "--out \(root)")
        try assertRefused(["export", set, "--format", "npz", "--out", "/"], "--out \(root)")
        try assertRefused(["export", set, "--format", "folder", "--out", "/"], "--out \(root)")
        try assertRefused(["experiment", "model-pool", "--quick", "--out", "/tmp/.."], "--out \(root)")
        try assertRefused(["experiment", "generalization", "--settings", "dc", "--out", String(repeating: "../", count: 64)], "--out \(root)")
        for name in [RunDirectoryLock.fileName, "synthetic.safetensors", "evaluation.csv", "results.json", "synthetic.npz"] {
            XCTAssertFalse(FileManager.default.fileExists(atPath: "/\(name)"), "/\(name) was written")
        }
    }

    func testCountsAreBoundedBeforeAnythingRunsOrIsAllocated() throws {
        let set = try writeSet("set.safetensors")
        let huge = String(Int.max)
        try assertRefused(
            ["evaluate", set, "--models", "ConvNet", "--epochs", huge], "--epochs must be at most 1000000 (got \(huge))")
        try assertRefused(["evaluate", set, "--models", "ConvNet", "--num-eval", huge], "--num-eval must be at most 10000")
        try assertRefused(["train", "--epochs", huge, "--batch", "1"], "--epochs must be at most 1000000")
        try assertRefused(["condense", "--iterations", huge, "--out", binary.path("c")], "--iterations must be at most 10000000")
        try assertRefused(["condense", "--iterations", "0", "--out", binary.path("c")], "--iterations must be positive (got 0)")
        try assertRefused(["condense", "--outer-loop", huge, "--out", binary.path("c")], "--outer-loop must be at most 10000")
        try assertRefused(["condense", "--inner-loop", huge, "--out", binary.path("c")], "--inner-loop must be at most 10000")
        let study = ["experiment", "generalization", "--models", "ConvNet", "--out", binary.path("study")]
        try assertRefused(study + ["--settings", "dc+iterations=\(huge)"], "--settings dc+iterations=\(huge): iterations must be at most")
        try assertRefused(study + ["--settings", "dc", "--epochs", huge], "--epochs must be at most")
        try assertRefused(study + ["--settings", "dc", "--num-eval", huge], "--num-eval must be at most")
        let pool = ["experiment", "model-pool", "--quick", "--out", binary.path("e")]
        try assertRefused(pool + ["--epochs", huge], "--epochs must be at most")
        try assertRefused(pool + ["--num-eval", huge], "--num-eval must be at most")
        try assertRefused(pool + ["--iterations", "10,\(huge)"], "--iterations must be at most")
    }

    func testModelListsRefuseEmptyAndRepeatedNames() throws {
        let set = try writeSet("set.safetensors")
        try assertRefused(["evaluate", set, "--models", "ConvNet,ConvNet"], "--models lists ConvNet twice")
        let study = ["experiment", "generalization", "--settings", "dc", "--out", binary.path("study")]
        try assertRefused(study + ["--models", ""], "--models is empty or lists an empty name")
        try assertRefused(study + ["--models", "ConvNet,,"], "--models is empty or lists an empty name")
        try assertRefused(study + ["--models", "MLP,ConvNet,MLP"], "--models lists MLP twice")
        try assertRefused(["experiment", "model-pool", "--quick", "--models", "ConvNet,ConvNet", "--out", binary.path("e")], "twice")
    }

    func testOptionsTheRunWouldIgnoreAreRefused() throws {
        let set = try writeSet("set.safetensors")
        let evaluate = ["evaluate", set, "--models", "ConvNet", "--num-eval", "1", "--epochs", "0"]
        try assertRefused(["data", "list", "--image-size", "32"], "--image-size only applies to folder:PATH datasets (data list shows")
        for option in [["--teacher", "Nope"], ["--kd-alpha", "0.3"], ["--kd-tau", "3"], ["--kd-tau-decay", "0.5"], ["--kd-guard"]] {
            try assertRefused(evaluate + option, "\(option[0]) only applies with --kd")
        }
        try assertRefused(evaluate + ["--dataset", "cifar10"], "--dataset only applies to --random-real")
        let export = ["export", set, "--format", "npz", "--out", binary.path("r.npz")]
        for option in [["--split", "test"], ["--seed", "1"], ["--dataset", "cifar10"], ["--image-size", "64"]] {
            try assertRefused(export + option, "\(option[0]) only applies to --random-real")
        }
        try assertRefused(["train", "--image-size", "5"], "--image-size only applies to folder:PATH datasets")
        // A set records its dataset, known only once the file is read.
        try assertRefused(
            evaluate + ["--image-size", "64"],
            "--image-size 64 does not apply: fashion-mnist is not a folder:PATH dataset; its images are 28×28; leave --image-size out")
        let condense = ["condense", "--iterations", "1", "--out", binary.path("c")]
        try assertRefused(condense + ["--dsa-strategy", "bogus"], "--dsa-strategy only applies to --method dsa or dm")
        try assertRefused(condense + ["--method", "dsa", "--dsa-strategy", "bogus"], "--dsa-strategy: ")
        try assertRefused(condense + ["--method", "dsa", "--dsa-strategy", ""], "--dsa-strategy is empty")
        for option in [["--lr-net", "5"], ["--outer-loop", "3"], ["--inner-loop", "3"], ["--distance", "cos"]] {
            try assertRefused(condense + ["--method", "dm"] + option, "\(option[0]) only applies to --method dc or dsa")
        }
        try assertRefused(condense + ["--pool-adapt", "loss:beta=1,beta=2"], "beta is given twice")
        try assertRefused(condense + ["--pool", "paper", "--pool-step", "own"], "--pool-step 'own': the rule must be one of main")
        XCTAssertFalse(FileManager.default.fileExists(atPath: binary.path("c")))
    }

    func testAnEmptyBenchListIsRefused() throws {
        try assertRefused(["bench", "--only", ""], "--only is empty or lists an empty name")
        try assertRefused(["bench", "--only", ","], "--only is empty or lists an empty name")
        try assertRefused(["bench", "--only", "test_10k,test_10k"], "--only lists test_10k twice")
        try assertRefused(["bench", "--repeats", "9223372036854775807"], "--repeats must be at most")
    }

    func testAKDTemperatureWhoseSquareOverflowsIsRefused() throws {
        let set = try binary.writeSet("set.safetensors")
        let evaluate = ["evaluate", set, "--models", "MLP", "--num-eval", "1", "--epochs", "2", "--kd"]
        try assertRefused(evaluate + ["--kd-tau", "1e30"], "--kd-tau 1e+30 with --kd-tau-decay 1.0 reaches τ = ")
        try assertRefused(evaluate + ["--kd-tau-decay", "1e30"], "whose square (KD's loss scale) overflows a float")
    }

    /// The other end: a τ whose square is subnormal or 0 in a float divides logits into infinities,
    /// and every KD training would be reported as diverged.
    func testAKDTemperatureWhoseSquareUnderflowsIsRefusedAsTyped() throws {
        let set = try binary.writeSet("set.safetensors")
        let evaluate = ["evaluate", set, "--models", "MLP", "--num-eval", "1", "--epochs", "4", "--kd"]
        try assertRefused(evaluate + ["--kd-tau-decay", "1e-30"], "--kd-tau 1.5 with --kd-tau-decay 1e-30 reaches τ = 1.5")
        try assertRefused(evaluate + ["--kd-tau-decay", "1e-30"], "by epoch 4, whose square (KD's loss scale) underflows a float")
        for tau in ["1e-45", "4e-39", "1e-46"] {
            try assertRefused(evaluate + ["--kd-tau", tau], "--kd-tau \(tau) with --kd-tau-decay 1.0 reaches τ = \(tau) by epoch 1")
        }
        try assertRefused(evaluate + ["--kd-tau", "1e-19"], "τ must stay within about 1.08e-19 to 1.84e+19")
    }

    /// A usage error is one line too: the message and where to read more, without
    /// ArgumentParser's usage synopsis; `--help` still prints the usage.
    func testUsageErrorsAreOneLineThatPointsToHelp() throws {
        for (arguments, text) in [
            (["condense", "--bogus", "--out", "x"], "Unknown option '--bogus'"),
            (["condense"], "Missing expected argument '--out <out>'"),
            (["condense", "--ipc", "-3", "--out", "x"], "--ipc must be positive (got -3)"),
            (["evaluate"], "give either a synthetic set"),
        ] {
            let result = try binary.run(arguments)
            XCTAssertEqual(result.status, 64, result.errors)
            XCTAssertEqual(result.errors.split(separator: "\n").count, 1, result.errors)
            XCTAssertTrue(result.errors.hasPrefix("Error: "), result.errors)
            XCTAssertTrue(result.errors.contains(text), result.errors)
            XCTAssertTrue(result.errors.contains("(see 'distill \(arguments[0]) --help')"), result.errors)
        }
        let help = try binary.run(["condense", "--help"])
        XCTAssertEqual(help.status, 0)
        XCTAssertTrue(help.output.contains("USAGE: distill condense"), help.output)
    }

    func testDivergedTrainingIsAFailureNotAUsageError() throws {
        let result = try binary.run(["train", "--epochs", "1", "--batch", "1", "--lr", "1e38"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertFalse(result.errors.contains("Usage:"), result.errors)
        let errorLines = result.errors.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        XCTAssertEqual(errorLines.count, 1, result.errors)
        XCTAssertTrue(errorLines.first?.contains("training diverged in epoch 0 (loss ") ?? false, result.errors)
    }

    // MARK: - Helpers

    /// A one-image-per-class set in the scratch directory, with Fashion-MNIST's normalisation by default.
    private func writeSet(
        _ name: String, images: NDArray = NDArray(shape: [10, 1, 28, 28], scalars: .init(repeating: 0, count: 10 * 784)),
        labels: [Int]? = nil, mean: String = "0.2860", std: String = "0.3530"
    ) throws -> String {
        let count = images.rank > 0 ? images.shape[0] : 0
        let path = binary.path(name)
        try SafeTensors.write(
            [
                "images": SafeTensorsEntry(images),
                "labels": SafeTensorsEntry(shape: [count], integers: (labels ?? Array(0..<count)).map(Int64.init)),
            ],
            metadata: ["dataset": "fashion-mnist", "mean": mean, "std": std, "method": "dc"], to: path)
        return path
    }

    // MARK: - Input files: plain reasons naming the file and field

    func testMalformedSetFilesAreNamedPlainly() throws {
        let array = binary.path("array.safetensors")
        try (Data([2, 0, 0, 0, 0, 0, 0, 0]) + Data("[]".utf8)).write(to: URL(fileURLWithPath: array))
        try assertRefused(["evaluate", array], "array.safetensors': the header must be a JSON object")
        let fifo = binary.path("fifo.safetensors")
        XCTAssertEqual(mkfifo(fifo, 0o644), 0)
        try assertRefused(["evaluate", fifo], "it is a FIFO (named pipe), not a regular file")
        var scalars = [Float](repeating: 0, count: 10 * 784)
        scalars[3] = .nan
        let diverged = try writeSet("nan.safetensors", images: NDArray(shape: [10, 1, 28, 28], scalars: scalars))
        try assertRefused(["evaluate", diverged], "nan.safetensors: images holds a non-finite value (nan) at index 3")
        let halves = try writeSet("halves.safetensors", mean: "0.5", std: "0.5")
        try assertRefused(["evaluate", halves], "halves.safetensors records the normalisation mean 0.5, std 0.5")
    }

    func testRenderRefusesLabelsOutsideTheClasses() throws {
        let set = try writeSet("label.safetensors", labels: [0, 99] + Array(2..<10))
        try assertRefused(["render", set, "--out", binary.path("x.png")], "label.safetensors has label 99 but the dataset has 10 classes")
    }

    func testSelfTestNamesABrokenOrIncompleteGoldenDirectory() throws {
        let golden = binary.path("golden")
        try FileManager.default.createDirectory(atPath: golden, withIntermediateDirectories: true)
        try "{".write(toFile: "\(golden)/tolerances.json", atomically: true, encoding: .utf8)
        try assertRefused(["selftest", "--golden", golden], "\(golden)/tolerances.json: it is not valid JSON")
        try "{}".write(toFile: "\(golden)/tolerances.json", atomically: true, encoding: .utf8)
        try assertRefused(["selftest", "--golden", golden], "\(golden)/ops.safetensors, ")
    }

    // MARK: - End of input files
}
