// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillData
import DistillTensor
import XCTest

final class DatasetTests: XCTestCase {
    /// A CIFAR-10-shaped dataset whose class c holds c + 3 images; pixel bytes encode the image index.
    private func makeDataset() -> Dataset {
        var labels = [Int]()
        for label in 0..<10 { labels += [Int](repeating: label, count: label + 3) }
        var generator = SeededGenerator(seed: 9)
        labels.shuffle(using: &generator)
        let pixels = labels.indices.flatMap { [UInt8](repeating: UInt8($0), count: 3072) }
        let names = (0..<10).map { "class\($0)" }
        return Dataset(kind: .cifar10, split: .train, pixels: pixels, labels: labels, classNames: names)
    }

    func testRegistryTableMatchesThePublishedValues() {
        XCTAssertEqual(DatasetKind(name: "fashion-mnist"), .fashionMNIST)
        XCTAssertEqual(DatasetKind(name: "CIFAR-10"), .cifar10)
        XCTAssertNil(DatasetKind(name: "imagenet"))
        XCTAssertEqual(DatasetKind.fashionMNIST.imageShape, [1, 28, 28])
        XCTAssertEqual(DatasetKind.svhn.count(of: .train), 73_257)
        XCTAssertEqual(DatasetKind.cifar100.classCount, 100)
        XCTAssertEqual(DatasetKind.cifar100.count(of: .test), 10_000)
        XCTAssertEqual(DatasetKind.cifar10.normalization.std, [0.2023, 0.1994, 0.2010])
        XCTAssertEqual(DatasetKind.mnist.normalization.mean, [0.1307])
    }

    func testNormalisationPerChannelAndInverse() {
        let normalization = DatasetKind.cifar10.normalization
        // One image, every pixel of channel c equal to 0, 128 and 255 for c = 0, 1, 2.
        let pixels = [UInt8](repeating: 0, count: 1024) + [UInt8](repeating: 128, count: 1024)
            + [UInt8](repeating: 255, count: 1024)
        let images = normalization.normalize(pixels: pixels, shape: [1, 3, 32, 32])
        XCTAssertEqual(images.scalars[5], (0 - 0.4914) / 0.2023)
        XCTAssertEqual(images.scalars[1024 + 5], (Float(128) / 255 - 0.4822) / 0.1994)
        XCTAssertEqual(images.scalars[2048 + 5], (1 - 0.4465) / 0.2010)
        XCTAssertEqual(images.scalars[2048 + 5], 2.753_731, accuracy: 1e-5)
        let restored = normalization.denormalize(images)
        for (index, expected) in [(7, Float(0)), (1024 + 7, Float(128) / 255), (2048 + 7, Float(1))] {
            XCTAssertEqual(restored.scalars[index], expected, accuracy: 1e-6)
        }
    }

    func testClassIndexAndGather() {
        let dataset = makeDataset()
        XCTAssertEqual(dataset.count, 75)
        for label in 0..<10 {
            let indices = dataset.indices(ofClass: label)
            XCTAssertEqual(indices.count, label + 3)
            XCTAssertEqual(indices, indices.sorted())
            XCTAssertTrue(indices.allSatisfy { dataset.labels[$0] == label })
        }
        let batch = dataset.images(at: [4, 2])
        XCTAssertEqual(batch.shape, [2, 3, 32, 32])
        XCTAssertEqual(batch.scalars[0], dataset.normalization.normalized(pixel: 4, channel: 0))
        XCTAssertEqual(batch.scalars[3072 + 2047], dataset.normalization.normalized(pixel: 2, channel: 1))
        XCTAssertEqual(dataset.images(in: 2..<5), dataset.images(at: [2, 3, 4]))
    }

    func testSamplingIsDeterministicWithoutReplacementAndWithinTheClass() throws {
        let dataset = makeDataset()
        var first = SeededGenerator(seed: 42), second = SeededGenerator(seed: 42), other = SeededGenerator(seed: 43)
        let a = try dataset.sampleIndices(count: 6, ofClass: 7, using: &first)
        let b = try dataset.sampleIndices(count: 6, ofClass: 7, using: &second)
        let c = try dataset.sampleIndices(count: 6, ofClass: 7, using: &other)
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
        XCTAssertEqual(Set(a).count, 6)
        XCTAssertTrue(a.allSatisfy { dataset.labels[$0] == 7 })

        let all = try dataset.sampleIndices(count: 10, ofClass: 7, using: &first)
        XCTAssertEqual(all.sorted(), dataset.indices(ofClass: 7))

        var generator = SeededGenerator(seed: 42)
        let images = try dataset.sample(count: 6, ofClass: 7, using: &generator)
        XCTAssertEqual(images, dataset.images(at: a))
    }

    func testSamplingIsUniformOverTheClass() throws {
        let dataset = makeDataset()
        var generator = SeededGenerator(seed: 5)
        var hits = [Int: Int]()
        for _ in 0..<6000 {
            for index in try dataset.sampleIndices(count: 2, ofClass: 3, using: &generator) { hits[index, default: 0] += 1 }
        }
        // Each of the 6 images is drawn with probability 2/6 per sample: 2000 expected, std ≈ 37.
        XCTAssertEqual(hits.count, 6)
        for count in hits.values { XCTAssertEqual(Double(count), 2000, accuracy: 200) }
    }

    func testSamplingMoreThanTheClassHoldsIsAnError() {
        let dataset = makeDataset()
        var generator = SeededGenerator(seed: 1)
        XCTAssertThrowsError(try dataset.sample(count: 5, ofClass: 1, using: &generator)) { error in
            XCTAssertEqual(
                error as? DatasetError,
                .notEnoughImages(dataset: "cifar10", split: "train", classIndex: 1, className: "class1", requested: 5, available: 4))
            XCTAssertEqual(
                "\(error)",
                "cannot sample 5 images of class 1 (class1) from the cifar10 train split: it has only 4; ask for at most 4")
        }
    }
}
