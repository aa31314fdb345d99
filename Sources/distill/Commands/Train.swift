// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillData
import DistillEval
import DistillIO
import DistillTensor
import DistillZoo
import Foundation

struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network on a whole real training set and report its test accuracy.",
        discussion: """
            Uses the evaluation protocol's optimiser (SGD, momentum 0.9, weight decay 5e-4, learning \
            rate ×0.1 after pass epochs/2 + 1), for the given number of epochs. With --save, the trained \
            weights go to a safetensors file that records the model, dataset, input shape, classes, \
            normalisation, training settings and test accuracy; `distill evaluate --kd --teacher-weights FILE` \
            uses it as a teacher trained on real data.
            """)

    @Option(help: "Network name (see `distill models`) or a ConvNet spec such as 'ConvNet(width=64,depth=4)'.")
    var model = "ConvNet"

    @Option(help: "Dataset: \(DatasetArgument.allValueStrings.joined(separator: ", ")).")
    var dataset: DatasetArgument = .fashionMNIST

    @Option(parsing: .unconditional, help: "Training epochs (the protocol runs passes 0…epochs, so epochs + 1 in all; at most \(CountLimit.epochs)).")
    var epochs = 2

    @Option(parsing: .unconditional, help: "Batch size.")
    var batch = 256

    @Option(parsing: .unconditional, help: "Learning rate.")
    var lr: Float = 0.01

    @Option(parsing: .unconditional, help: "Seed for initialisation and shuffling. (default: 0)", transform: seedArgument)
    var seed: UInt64 = 0

    @Option(help: ArgumentHelp("Write the trained weights and what they were trained on to this safetensors file.", valueName: "file"))
    var save: String?

    @OptionGroup var data: DataOptions

    func validate() throws {
        try requireNetwork(model, "--model")
        try requirePath(save, "--save")
        try requireDatasetName(dataset.name)
        try requireOutsideFolderDataset(save, "--save", dataset: dataset.name)
        try data.requireFolderDataset(dataset.name)
        try requireNonNegative(epochs, "--epochs")
        try requireAtMost(epochs, CountLimit.epochs, "--epochs")
        try requirePositive(batch, "--batch")
        try requirePositive(lr, "--lr")
    }

    func run() throws {
        if let save {
            // Before any data is read or trained on: a destination that is not a
            // regular file is refused untouched, and an unwritable directory shows now.
            try AtomicWrite.checkDestination(save)
            try AtomicWrite.probeFile(save, option: "--save")
            try TrainedNetworkFile.checkReplaceable(save)
        }
        let dataset = try data.resolve(self.dataset)
        let shape = dataset.imageShape
        // Refused before the data is loaded and before the network is built.
        let footprint = try Zoo.footprint(name: model, channels: shape[0], imageSize: shape[1], classes: dataset.classCount)
        try MemoryBudget.check(
            footprint.trainingBytes(batchSize: batch), for: "training \(model) on \(dataset.name) in batches of \(batch)",
            fix: "use a smaller network or --batch")
        let (trainSet, testSet) = try data.locator.load(dataset)
        var generator = SeededGenerator(seed: seed)
        var initGenerator = generator.split()
        let network = try Zoo.make(
            name: model, channels: shape[0], imageSize: shape[1], classes: dataset.classCount, using: &initGenerator)
        let trainingProtocol = TrainingProtocol(epochs: epochs, learningRate: lr, batchSize: batch)
        var line = ProgressLine()
        let start = Date()
        var lastUpdate = Date.distantPast
        var epochReached = 0
        let outcome = train(
            network, images: trainSet.images, labels: trainSet.labels, protocol: trainingProtocol, using: &generator
        ) { progress in
            // Progress follows each finished batch: after an epoch's last one, a divergence falls in the next.
            epochReached = progress.batch == progress.batchesPerEpoch ? progress.epoch + 1 : progress.epoch
            guard Date().timeIntervalSince(lastUpdate) > 0.5 || progress.batch == progress.batchesPerEpoch else { return }
            lastUpdate = Date()
            line.update(
                "epoch \(progress.epoch)/\(progress.epochs)  batch \(progress.batch)/\(progress.batchesPerEpoch)  loss \(String(format: "%.4f", progress.loss))  "
                    + String(format: "%.0f", progress.imagesPerSecond) + " images/s  ETA \(formatDuration(progress.secondsRemaining))")
        }
        line.finish()
        if outcome.lossDiverged {
            // Not a usage error: the options were valid, the run failed.
            throw PlainMessage(description: "training diverged in epoch \(epochReached) (loss \(outcome.finalLoss)); try a smaller --lr")
        }
        let accuracy = testAccuracy(of: network, on: testSet)
        let seconds = Date().timeIntervalSince(start)
        let imagesPerSecond = Double(trainSet.count * (epochs + 1)) / outcome.seconds
        print(
            String(
                format: "%@ on %@: test accuracy %.2f%% after %d epochs (%d passes), %.0f s, %.0f training images/s",
                model, dataset.name, accuracy, epochs, epochs + 1, seconds, imagesPerSecond))
        guard let save else { return }
        let info = TrainedNetworkInfo(
            model: model, dataset: dataset.name, imageShape: shape, classCount: dataset.classCount,
            normalization: trainSet.normalization, epochs: epochs, learningRate: lr, batchSize: batch, seed: seed,
            testAccuracy: accuracy)
        try TrainedNetworkFile.write(network, info: info, to: save)
        print("wrote \(save)")
    }
}
