// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillEval
import DistillIO
import DistillTensor
import Foundation
import XCTest
import _DistillTestSupport

/// The `distill` binary run as a user runs it, on a generated
/// Fashion-MNIST-shaped dataset: commands chain through the files they
/// write, and bad input ends with one error line and a non-zero status.
final class CommandLineTests: XCTestCase {
    private var data: TinyFashionMNIST!
    private var scratch: String!

    override func setUpWithError() throws {
        data = try TinyFashionMNIST()
        scratch = (data.root as NSString).appendingPathComponent("work")
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { data.remove() }

    func testCondenseThenEvaluateThenRender() throws {
        let run = path("run")
        let condensed = try distill(
            "condense", "--dataset", "fashion-mnist", "--ipc", "1", "--method", "dc", "--iterations", "2",
            "--batch-real", "4", "--seed", "0", "--out", run)
        XCTAssertEqual(condensed.status, 0, condensed.errors)
        for name in ["synthetic.safetensors", "synthetic.png", "log.jsonl"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(run)/\(name)"), "condense wrote no \(name)")
        }
        let log = try String(contentsOfFile: "\(run)/log.jsonl", encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 2, "one log line per iteration")
        let set = try SyntheticSetFile(contentsOf: "\(run)/synthetic.safetensors")
        XCTAssertEqual(set.labels, Array(0..<10))

        let evaluated = try distill("evaluate", run, "--models", "ConvNet,MLP", "--num-eval", "2", "--epochs", "2", "--json")
        XCTAssertEqual(evaluated.status, 0, evaluated.errors)
        let last = try XCTUnwrap(evaluated.output.split(separator: "\n").last)
        let summary = try XCTUnwrap(
            JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: [String: Any]], "last line: \(last)")
        XCTAssertEqual(Set(summary.keys), ["ConvNet", "MLP"])
        // Runs at chance level count as diverged (likely after 2 epochs on
        // generated data); the mean covers the others and is null without any.
        for (architecture, entry) in summary {
            let runs = try XCTUnwrap(entry["runs"] as? [NSNumber], architecture).map(\.doubleValue)
            XCTAssertEqual(runs.count, 2, architecture)
            XCTAssertTrue(runs.allSatisfy { (0...100).contains($0) }, "\(architecture) runs \(runs)")
            let diverged = (entry["diverged"] as? NSNumber)?.intValue ?? 0
            if let mean = (entry["mean"] as? NSNumber)?.doubleValue {
                XCTAssertLessThan(diverged, 2, architecture)
                XCTAssertTrue((runs.min()!...runs.max()!).contains(mean), "\(architecture) mean \(mean) of \(runs)")
            } else {
                XCTAssertEqual(diverged, 2, "\(architecture): a null mean needs every run diverged")
            }
        }
        XCTAssertTrue(FileManager.default.fileExists(atPath: "\(run)/evaluation.csv"))
        XCTAssertTrue(
            evaluated.output.contains("\ntraining: epochs 2, augmentation none\n"), "a DC set's own protocol:\n\(evaluated.output)")

        // The DC set under DSA's protocol: every network trains with DSA augmentation, and the files say so.
        let underDSA = try distill(
            "evaluate", run, "--models", "MLP", "--num-eval", "1", "--epochs", "1", "--protocol", "dsa", "--out", path("dsa"))
        XCTAssertEqual(underDSA.status, 0, underDSA.errors)
        XCTAssertTrue(
            underDSA.output.contains("\ntraining: epochs 1, augmentation dsa:color_crop_cutout_flip_scale_rotate\n"), underDSA.output)
        let report = try JSONDecoder().decode(
            EvaluationReport.self, from: Data(contentsOf: URL(fileURLWithPath: path("dsa/evaluation.json"))))
        XCTAssertEqual(report.results.map(\.trainingProtocol), [TrainingProtocol(epochs: 1, augmentation: .dsa(.standard))])

        let picture = path("grid.png")
        let rendered = try distill("render", run, "--out", picture, "--scale", "2")
        XCTAssertEqual(rendered.status, 0, rendered.errors)
        let png = try Data(contentsOf: URL(fileURLWithPath: picture))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
    }

    func testQuickExperimentWritesItsReport() throws {
        let directory = path("experiment")
        let result = try distill(
            "experiment", "model-pool", "--quick", "--iterations", "1", "--models", "ConvNet", "--epochs", "1",
            "--batch-real", "2", "--out", directory)
        XCTAssertEqual(result.status, 0, result.errors)
        for name in ["table.md", "results.json", "report.html"] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: "\(directory)/\(name)"), "experiment wrote no \(name)")
        }
        let table = try String(contentsOfFile: "\(directory)/table.md", encoding: .utf8)
        XCTAssertTrue(table.contains("pool + KD"), table)
        // The generated test split holds 2 images per class, fewer than --quick's 50: it is tested whole, and said so.
        XCTAssertTrue(table.contains("tested on the whole test split"), table)
        XCTAssertFalse(table.contains("first 50 test images"), table)
    }

    func testImageFolderCondensesEvaluatesAndTrains() throws {
        let folder = path("own")
        for (split, count) in [("train", 4), ("test", 2)] {
            for (label, name) in ["dark", "light"].enumerated() {
                let directory = "\(folder)/\(split)/\(name)"
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                for index in 0..<count {
                    let pixels = (0..<256).map { UInt8(truncatingIfNeeded: label * 120 + (index * 31 + $0 * 7) % 60) }
                    try PNG.encode(pixels: pixels, width: 16, height: 16, channels: 1)
                        .write(to: URL(fileURLWithPath: "\(directory)/\(index).png"))
                }
            }
        }
        let run = path("folder-run")
        let condensed = try distill(
            "condense", "--dataset", "folder:\(folder)", "--ipc", "1", "--iterations", "1", "--batch-real", "2", "--out", run)
        XCTAssertEqual(condensed.status, 0, condensed.errors)
        XCTAssertTrue(condensed.errors.contains("decoded 8 train images"), condensed.errors)
        let set = try SyntheticSetFile(contentsOf: run)
        XCTAssertEqual(set.images.shape, [2, 1, 16, 16])
        XCTAssertEqual(set.dataset, "folder:\(folder)")
        XCTAssertEqual(set.metadata["image_size"], "16")

        let evaluated = try distill("evaluate", run, "--models", "ConvNet", "--num-eval", "1", "--epochs", "1")
        XCTAssertEqual(evaluated.status, 0, evaluated.errors)
        // The set is used at the size it was made at: the same size may be named, another is refused.
        let sameSize = try distill("evaluate", run, "--image-size", "16", "--models", "MLP", "--num-eval", "1", "--epochs", "0")
        XCTAssertEqual(sameSize.status, 0, sameSize.errors)
        let otherSize = try distill("evaluate", run, "--image-size", "8", "--models", "MLP", "--num-eval", "1", "--epochs", "0")
        XCTAssertNotEqual(otherSize.status, 0)
        XCTAssertTrue(
            otherSize.errors.contains(
                "--image-size 8 does not apply: the synthetic set was made from folder:\(folder) at 16×16, the size it is used at; leave --image-size out"),
            otherSize.errors)
        XCTAssertFalse(evaluated.errors.contains("decoding train"), "statistics come from the cache: \(evaluated.errors)")
        let baseline = try distill(
            "evaluate", "--random-real", "1", "--dataset", "folder:\(folder)", "--image-size", "8", "--models", "MLP",
            "--num-eval", "1", "--epochs", "1", "--out", path("baseline"))
        XCTAssertEqual(baseline.status, 0, baseline.errors)
        let trained = try distill("train", "--dataset", "folder:\(folder)", "--model", "MLP", "--epochs", "0")
        XCTAssertEqual(trained.status, 0, trained.errors)
        XCTAssertTrue(trained.output.contains("MLP on folder:\(folder)"), trained.output)

        let missing = try distill("condense", "--dataset", "folder:\(path("nowhere"))", "--out", path("x"))
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.errors.contains("\(path("nowhere"))/train"), missing.errors)
    }

    func testExportToFolderAndNPZAndEvaluateTheNPZ() throws {
        // The tiny set has 4 training images per class, so this exports the whole training split.
        let folder = path("export-folder")
        let exported = try distill("export", "--random-real", "4", "--format", "folder", "--out", folder)
        XCTAssertEqual(exported.status, 0, exported.errors)
        let train = try data.locator.load(.fashionMNIST, split: .train)
        let classFolders = SyntheticSetFile.classFolderNames(train.classNames)
        XCTAssertEqual(classFolders.first, "0_T-shirt-top")
        for label in 0..<10 {
            let original = train.indices(ofClass: label).map { pixelBytes(train, at: $0) }
            let decoded = try (0..<4).map { index in
                let file = "\(folder)/\(classFolders[label])/\(index).png"
                return try ImageDecoder.decode([UInt8](Data(contentsOf: URL(fileURLWithPath: file))), path: file).pixels
            }
            XCTAssertEqual(Set(decoded), Set(original), "class \(label): the PNGs hold exactly the IDX pixels")
        }

        let test = try distill("export", "--random-real", "2", "--split", "test", "--format", "npz", "--out", path("test.npz"))
        XCTAssertEqual(test.status, 0, test.errors)
        let testSet = try SyntheticSetFile(contentsOf: path("test.npz"))
        XCTAssertEqual(testSet.labels, (0..<10).flatMap { [$0, $0] }, "the tiny test split has 2 images per class, all taken")
        XCTAssertEqual(testSet.metadata["class_names"]?.components(separatedBy: "\n"), train.classNames)

        let run = path("export-run")
        XCTAssertEqual(try distill("condense", "--ipc", "1", "--iterations", "1", "--batch-real", "2", "--out", run).status, 0)
        let npz = path("set.npz")
        let written = try distill("export", run, "--format", "npz", "--out", npz)
        XCTAssertEqual(written.status, 0, written.errors)
        let original = try SyntheticSetFile(contentsOf: run), read = try SyntheticSetFile(contentsOf: npz)
        XCTAssertEqual(read.images, original.images)
        XCTAssertEqual(read.labels, original.labels)
        XCTAssertEqual(read.metadata["class_names"]?.components(separatedBy: "\n"), train.classNames)
        let evaluated = try distill("evaluate", npz, "--models", "MLP", "--num-eval", "1", "--epochs", "1")
        XCTAssertEqual(evaluated.status, 0, evaluated.errors)
        XCTAssertTrue(FileManager.default.fileExists(atPath: path("evaluation.json")))
    }

    /// The smallest file docs/own-data.md describes, as PyTorch's `safetensors.torch.save_file`
    /// writes it: F32 `images`, I64 `labels` and only `dataset` in the metadata.
    func testEvaluateTakesAMinimalSafetensorsFile() throws {
        let file = path("torch.safetensors")
        let images = NDArray(shape: [10, 1, 28, 28], scalars: (0..<7840).map { Float($0 % 97) / 48 - 1 })
        try SafeTensors.write(
            ["images": SafeTensorsEntry(images), "labels": SafeTensorsEntry(shape: [10], integers: (0..<10).map(Int64.init))],
            metadata: ["dataset": "fashion-mnist"], to: file)
        let evaluated = try distill("evaluate", file, "--models", "MLP", "--num-eval", "1", "--epochs", "1")
        XCTAssertEqual(evaluated.status, 0, evaluated.errors)
        let wrongShape = path("wrong.safetensors")
        try SafeTensors.write(
            ["images": SafeTensorsEntry(NDArray(repeating: 0, shape: [1, 3, 28, 28])), "labels": SafeTensorsEntry(shape: [1], integers: [0])],
            metadata: ["dataset": "fashion-mnist"], to: wrongShape)
        let refused = try distill("evaluate", wrongShape, "--models", "MLP", "--num-eval", "1", "--epochs", "1")
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.errors.contains("[3, 28, 28]"), refused.errors)
    }

    /// NumPy reads an exported `.npz`, rewrites it compressed and in another order, and
    /// `evaluate` takes the result. Needs python3 with numpy (`$DISTILL_PYTHON` names another interpreter).
    func testNPZRoundTripsThroughNumPy() throws {
        let python = ProcessInfo.processInfo.environment["DISTILL_PYTHON"] ?? "python3"
        guard (try? run(python, "-c", "import numpy"))?.status == 0 else {
            throw XCTSkip("\(python) with numpy is not available; set DISTILL_PYTHON to an interpreter that has it")
        }
        let npz = path("real.npz"), back = path("numpy.npz")
        XCTAssertEqual(try distill("export", "--random-real", "2", "--format", "npz", "--out", scratch).status, 0)
        let script = """
            import numpy as np, sys
            f = np.load(sys.argv[1])
            assert f["images"].dtype == np.float32 and f["images"].shape == (20, 1, 28, 28), f["images"].shape
            assert f["labels"].dtype == np.int64 and list(f["labels"]) == [c for c in range(10) for _ in range(2)]
            assert list(f["class_names"])[9] == "Ankle boot" and str(f["dataset"]) == "fashion-mnist"
            pixels = f["images"] * f["std"][None, :, None, None] + f["mean"][None, :, None, None]
            assert np.abs(pixels * 255 - np.round(pixels * 255)).max() < 1e-3, "de-normalised values are whole pixel levels"
            order = np.arange(20)[::-1]
            np.savez_compressed(sys.argv[2], images=f["images"][order], labels=f["labels"][order].astype(np.int32),
                                dataset=np.array("fashion-mnist"))
            """
        let checked = try run(python, "-c", script, npz, back)
        XCTAssertEqual(checked.status, 0, checked.errors)
        let read = try SyntheticSetFile(contentsOf: back), original = try SyntheticSetFile(contentsOf: npz)
        XCTAssertEqual(read.labels, original.labels.reversed())
        XCTAssertEqual(read.images.rows([19]), original.images.rows([0]))
        let evaluated = try distill("evaluate", back, "--models", "MLP", "--num-eval", "1", "--epochs", "1")
        XCTAssertEqual(evaluated.status, 0, evaluated.errors)
    }

    func testBadInputEndsWithOneErrorLineAndNonZeroStatus() throws {
        let cases: [(arguments: [String], mentions: String)] = [
            (["condense", "--pool", "ConvNet:0.5,NoSuchNet:0.5", "--iterations", "1", "--out", path("c")], "NoSuchNet"),
            (["condense", "--method", "gm", "--out", path("c")], "gm"),
            (["experiment", "model-pool", "--ipc", "0", "--out", path("e")], "--ipc"),
            (["evaluate", path("missing.safetensors")], "missing.safetensors': no such file"),
            (["render", path("missing"), "--out", path("x.png")], "missing"),
        ]
        for (arguments, mentions) in cases {
            let result = try distill(arguments)
            XCTAssertNotEqual(result.status, 0, "\(arguments) succeeded")
            let errorLines = result.errors.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            XCTAssertEqual(errorLines.count, 1, "\(arguments): \(result.errors)")
            XCTAssertTrue(errorLines.first?.contains(mentions) ?? false, "\(arguments): \(result.errors)")
        }
    }

    /// The bytes of image `index` of a dataset, the normalisation undone.
    private func pixelBytes(_ dataset: Dataset, at index: Int) -> [UInt8] {
        dataset.normalization.denormalize(dataset.images(at: [index])).scalars.map { UInt8(($0 * 255).rounded()) }
    }

    // MARK: - Running the binary

    private func path(_ name: String) -> String { (scratch as NSString).appendingPathComponent(name) }

    private func distill(_ arguments: String...) throws -> DistillProcess.Result { try distill(arguments) }

    /// Runs the built binary with the generated data as its only data source.
    private func distill(_ arguments: [String]) throws -> DistillProcess.Result {
        // An export of a set reads no data directory, and refuses one.
        let readsData = ["condense", "evaluate", "experiment", "train"].contains(arguments[0])
            || (arguments[0] == "export" && arguments.contains("--random-real"))
        return try run(DistillProcess.executable.path, arguments + (readsData ? ["--data-dir", data.root] : []))
    }

    private func run(_ program: String, _ arguments: String...) throws -> DistillProcess.Result {
        try run(program, arguments)
    }

    /// Runs `program` (a path, or a name looked up on `$PATH`) in the scratch directory.
    private func run(_ program: String, _ arguments: [String]) throws -> DistillProcess.Result {
        try DistillProcess.run(
            program: program, arguments, environment: ["HOME": data.root], in: URL(fileURLWithPath: scratch))
    }
}
