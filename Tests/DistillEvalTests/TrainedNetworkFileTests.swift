// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillData
import DistillEval
import DistillIO
import DistillNN
import DistillTensor
import DistillZoo
import Foundation
import XCTest

/// A network saved after training on real data and read back as a KD teacher:
/// exact round trip, self-describing metadata, and refusal of files that do
/// not fit the evaluation data.
final class TrainedNetworkFileTests: XCTestCase {
    private var directory: String!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("distill-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    private func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

    /// 20 Fashion-MNIST-shaped images, two per class, class k at brightness k.
    private func tinySet() -> Dataset {
        var generator = SeededGenerator(seed: 8)
        let labels = (0..<20).map { $0 % 10 }
        let scalars = labels.flatMap { label in (0..<784).map { _ in Float(label) / 5 - 1 + 0.2 * generator.nextNormal() } }
        return Dataset(
            kind: .fashionMNIST, split: .test, images: NDArray(shape: [20, 1, 28, 28], scalars: scalars), labels: labels,
            classNames: (0..<10).map { "class \($0)" }, normalization: DatasetKind.fashionMNIST.normalization)
    }

    private func info(model: String, accuracy: Double = 42.5) -> TrainedNetworkInfo {
        TrainedNetworkInfo(
            model: model, dataset: "fashion-mnist", imageShape: [1, 28, 28], classCount: 10,
            normalization: DatasetKind.fashionMNIST.normalization, epochs: 1, learningRate: 0.01, batchSize: 8, seed: 4,
            testAccuracy: accuracy)
    }

    /// Trains `model` for one pass on the tiny set (moving batch-norm statistics too) and saves it.
    private func trainAndSave(_ model: String, to file: String, seed: UInt64 = 4) throws -> any UnaryLayer {
        let set = tinySet()
        var generator = SeededGenerator(seed: seed)
        var initGenerator = generator.split()
        let network = try Zoo.make(name: model, channels: 1, imageSize: 28, classes: 10, using: &initGenerator)
        _ = train(network, images: set.images, labels: set.labels, protocol: TrainingProtocol(epochs: 0, batchSize: 8), using: &generator)
        network.eval()
        try TrainedNetworkFile.write(network, info: info(model: model), to: file)
        return network
    }

    func testRoundTripRestoresTheExactWeightsAndLogits() throws {
        let file = path("teacher.safetensors")
        let original = try trainAndSave("ConvNetBN", to: file)
        let read = try TrainedNetworkFile(contentsOf: file)
        XCTAssertEqual(read.info, info(model: "ConvNetBN"))
        func byName(_ state: StateDict) -> [String: StateTensor] {
            Dictionary(uniqueKeysWithValues: state.entries.map { ($0.key, $0.value) })
        }
        XCTAssertEqual(byName(read.weights), byName(original.stateDict()))
        XCTAssertTrue(read.weights.keys.contains { $0.hasSuffix("running_mean") }, "batch-norm buffers travel too")
        let loaded = try read.makeNetwork()
        let images = Tensor(tinySet().images)
        let expected = withoutGradients { original(images) }.array.scalars
        let actual = withoutGradients { loaded(images) }.array.scalars
        XCTAssertEqual(actual.map(\.bitPattern), expected.map(\.bitPattern), "same logits bit for bit")
        XCTAssertEqual(read.fingerprint, FileFingerprint(of: try Data(contentsOf: URL(fileURLWithPath: file))))
    }

    func testMetadataDescribesTheTraining() throws {
        let file = path("teacher.safetensors")
        try TrainedNetworkFile.write(try trainAndSave("MLP", to: file), info: info(model: "ConvNet(width=8)", accuracy: 87.25), to: file)
        XCTAssertEqual(
            try SafeTensorsFile(contentsOf: file).metadata,
            [
                "model": "ConvNet(width=8)", "dataset": "fashion-mnist", "image_shape": "1,28,28", "classes": "10",
                "mean": "0.2861", "std": "0.353", "epochs": "1", "lr": "0.01", "batch": "8", "seed": "4",
                "test_accuracy": "87.25",
            ])
        var stored = try SafeTensorsFile(contentsOf: file).metadata
        stored["classes"] = "ten"
        XCTAssertThrowsError(try TrainedNetworkInfo(metadata: stored, file: file)) {
            XCTAssertEqual(
                "\($0)", "\(file) has 'classes' metadata 'ten'; expected an integer of 2 or more")
        }
        stored["std"] = "0.3,0.3"
        XCTAssertThrowsError(try TrainedNetworkInfo(metadata: stored, file: file)) {
            XCTAssertEqual($0 as? TrainedNetworkFileError, .malformedMetadata(
                file: file, key: "std", value: "0.3,0.3", expected: "1 finite positive comma-separated numbers"))
        }
        stored["model"] = nil
        stored["std"] = "0.353"
        stored["classes"] = "10"
        XCTAssertThrowsError(try TrainedNetworkInfo(metadata: stored, file: file)) {
            XCTAssertEqual($0 as? TrainedNetworkFileError, .missingMetadata(file: file, key: "model"))
        }
    }

    func testFilesThatDoNotFitAreRefusedNamingTheFileAndTheDifference() throws {
        let file = path("teacher.safetensors")
        _ = try trainAndSave("MLP", to: file)
        let teacher = try TrainedNetworkFile(contentsOf: file)
        let fashion = DatasetKind.fashionMNIST.normalization
        XCTAssertNoThrow(try teacher.checkFits(imageShape: [1, 28, 28], classCount: 10, normalization: fashion, data: "fashion-mnist"))
        XCTAssertThrowsError(try teacher.checkFits(imageShape: [3, 32, 32], classCount: 10, normalization: fashion, data: "cifar10")) {
            XCTAssertEqual(
                "\($0)",
                "\(file) was trained on images of shape [1, 28, 28], but cifar10 images are [3, 32, 32]; "
                    + "train a teacher on that data with `distill train --save FILE`")
        }
        XCTAssertThrowsError(try teacher.checkFits(imageShape: [1, 28, 28], classCount: 100, normalization: fashion, data: "x")) {
            XCTAssertEqual($0 as? TrainedNetworkFileError, .classCountMismatch(file: file, data: "x", trained: 10, expected: 100))
        }
        let mnist = DatasetKind.mnist.normalization
        XCTAssertThrowsError(try teacher.checkFits(imageShape: [1, 28, 28], classCount: 10, normalization: mnist, data: "mnist")) {
            XCTAssertTrue("\($0)".hasPrefix("\(file) was trained on inputs normalised with mean [0.2861] and std [0.353], "
                + "but mnist is normalised with mean [0.1307] and std [0.3081]"), "\($0)")
        }

        // Weights of another model than the recorded one, a file without the metadata, and bytes that are not safetensors.
        let lying = path("lying.safetensors")
        try TrainedNetworkFile.write(try trainAndSave("MLP", to: path("mlp.safetensors")), info: info(model: "LeNet"), to: lying)
        XCTAssertThrowsError(try TrainedNetworkFile(contentsOf: lying).makeNetwork()) {
            guard case .weightsDoNotFit(lying, "LeNet", _)? = $0 as? TrainedNetworkFileError else { return XCTFail("\($0)") }
        }
        let bare = path("bare.safetensors")
        try teacher.weights.write(to: bare)
        XCTAssertThrowsError(try TrainedNetworkFile(contentsOf: bare)) {
            XCTAssertEqual($0 as? TrainedNetworkFileError, .missingMetadata(file: bare, key: "image_shape"))
        }
        let garbled = path("garbled.safetensors")
        try Data("not a safetensors file".utf8).write(to: URL(fileURLWithPath: garbled))
        XCTAssertThrowsError(try TrainedNetworkFile(contentsOf: garbled)) { XCTAssertTrue($0 is SafeTensorsError, "\($0)") }
    }

    func testSettingsFollowTheFileAndOlderJSONStillDecodes() throws {
        let file = path("teacher.safetensors")
        _ = try trainAndSave("MLP", to: file)
        let settings = try DistillationSettings(teacherWeightsAt: file, temperature: 2)
        XCTAssertEqual(settings.teacher, "MLP")
        XCTAssertEqual(settings.temperature, 2)
        XCTAssertTrue(settings.teacherTrainedOnRealData)
        let decoded = try JSONDecoder().decode(DistillationSettings.self, from: JSONEncoder().encode(settings))
        XCTAssertEqual(decoded, settings)

        _ = try trainAndSave("MLP", to: file, seed: 5)
        XCTAssertNotEqual(try DistillationSettings(teacherWeightsAt: file, temperature: 2), settings, "a retrained file changes the settings")
        XCTAssertThrowsError(try settings.teacherWeights!.load()) {
            guard case .changed(file, _, _)? = $0 as? TrainedNetworkFileError else { return XCTFail("\($0)") }
        }

        let older = #"{"teacher":"ConvNet","temperature":1.5,"alpha":0.5,"temperatureDecay":1,"fallsBackOnNonFiniteLoss":false}"#
        let old = try JSONDecoder().decode(DistillationSettings.self, from: Data(older.utf8))
        XCTAssertEqual(old, DistillationSettings())
        XCTAssertFalse(old.teacherTrainedOnRealData)
        let olderReport = #"{"results":[],"seed":3,"runsPerArchitecture":2,"distillation":\#(older)}"#
        let report = try JSONDecoder().decode(EvaluationReport.self, from: Data(olderReport.utf8))
        XCTAssertEqual(report, EvaluationReport(results: [], seed: 3, runsPerArchitecture: 2, distillation: DistillationSettings()))
    }

    func testEvaluationWithARealDataTeacherIsLabelledSo() throws {
        let file = path("teacher.safetensors")
        _ = try trainAndSave("MLP", to: file)
        let set = tinySet()
        let plan = EvaluationPlan(
            architectures: ["MLP"], runs: 2, protocolFor: { _ in TrainingProtocol(epochs: 1) },
            distillation: try DistillationSettings(teacherWeightsAt: file), seed: 3)
        let report = try plan.run(images: set.images, labels: set.labels, testSet: set)
        XCTAssertTrue(report.teacherTrainedOnRealData)
        XCTAssertEqual(report.realDataTeacher, info(model: "MLP"))
        XCTAssertEqual(report.results.first?.distilled?.runs.count, 2)

        let table = EvaluationFiles.table(report)
        XCTAssertTrue(
            table.hasPrefix("KD (teacher trained on real data: \(file); MLP on fashion-mnist, test accuracy 42.50%)\n"), table)
        XCTAssertTrue(table.contains("with KD, real-data teacher (%)"), table)
        let out = path("evaluation")
        try EvaluationFiles.write(report, to: out)
        let csv = try String(contentsOfFile: "\(out)/evaluation.csv", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.filter { $0.hasSuffix(",real-data") }.count, 2, "\(csv)")
        let json = try Data(contentsOf: URL(fileURLWithPath: "\(out)/evaluation.json"))
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        XCTAssertEqual(object["teacherTrainedOnRealData"] as? Bool, true)
        XCTAssertEqual(try JSONDecoder().decode(EvaluationReport.self, from: json), report)
        XCTAssertTrue(EvaluationFiles.summaryJSON(report).contains(#""teacher_trained_on_real_data":true"#))

        // Test images in another normalisation: refused before any network trains.
        let other = Dataset(
            kind: .fashionMNIST, split: .test, images: set.images, labels: set.labels, classNames: set.classNames,
            normalization: PixelNormalization(mean: [0.5], std: [0.5]))
        var trained = false
        XCTAssertThrowsError(try plan.run(images: set.images, labels: set.labels, testSet: other) { _ in trained = true }) {
            guard case .normalizationMismatch? = $0 as? TrainedNetworkFileError else { return XCTFail("\($0)") }
        }
        XCTAssertFalse(trained)
    }
}
