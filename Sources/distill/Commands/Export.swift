// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillData
import DistillEval
import DistillIO
import DistillTensor
import Foundation

enum ExportFormat: String, CaseIterable, ExpressibleByArgument {
    case folder, npz
}

enum SplitChoice: String, CaseIterable, ExpressibleByArgument {
    case train, test
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a synthetic set (or a random real subset) for PyTorch: an image folder of PNGs or a NumPy .npz.",
        discussion: """
            folder: --out/CLASS/i.png, de-normalised, loadable with torchvision.datasets.ImageFolder (class \
            folders keep the label order); --out must be a new or empty folder, and is written all at \
            once. npz: images (float32, normalised, NCHW), labels (int64), mean, std, class_names and \
            dataset, in --out/synthetic.npz (real.npz for --random-real) or in --out \
            itself when it ends in .npz. --random-real with --split test exports test images, so that \
            `--random-real 6000` and `--random-real 1000 --split test` write Fashion-MNIST whole.
            """)

    @Argument(help: "A run directory, or a synthetic .safetensors or .npz file (omit with --random-real).")
    var source: String?
    @Option(help: "folder or npz.")
    var format: ExportFormat
    @Option(help: "Output directory (or .npz file).")
    var out: String
    @Option(name: .customLong("random-real"), parsing: .unconditional, help: "Export a random real subset with this many images per class instead.")
    var randomReal: Int?
    // Optional so that one given with a synthetic set, which ignores them, can be refused.
    @Option(help: "Dataset for --random-real: \(DatasetArgument.allValueStrings.joined(separator: ", ")) (default fashion-mnist).")
    var dataset: DatasetArgument?
    @Option(help: "Split --random-real draws from: train (default; the same draw as evaluate --random-real) or test.")
    var split: SplitChoice?
    @Option(parsing: .unconditional, help: "Seed of the random real subset (default 0).", transform: seedArgument)
    var seed: UInt64?
    @OptionGroup var data: DataOptions

    func validate() throws {
        guard (source == nil) != (randomReal == nil) else {
            throw ValidationError("give either a synthetic set (RUN_DIR or FILE) or --random-real IPC, not both or neither")
        }
        try requirePositive(randomReal, "--random-real")
        try requirePath(source, "the synthetic set")
        try requirePath(out, "--out")
        // A folder, or the folder an .npz goes into when --out names no file: never the root.
        if !out.lowercased().hasSuffix(".npz") { try requireResultsDirectory(out, "--out") }
        let options = [("--dataset", dataset != nil), ("--split", split != nil), ("--seed", seed != nil), ("--image-size", data.imageSize != nil)]
        for (option, given) in options {
            try requireApplies(option, given: given, when: randomReal != nil, "to --random-real (a synthetic set is exported as it is)")
        }
        if randomReal != nil {
            try requireDatasetName(realDataset.name)
            try requireOutsideFolderDataset(out, "--out", dataset: realDataset.name)
            try data.requireFolderDataset(realDataset.name)
        }
    }

    func run() throws {
        let npzPath = out.lowercased().hasSuffix(".npz")
            ? out : (out as NSString).appendingPathComponent(source == nil ? "real.npz" : "synthetic.npz")
        // Before the set is read or drawn: the output must not replace the input, nor join files already in the folder.
        if let source { try OutputIsInputError.check(format == .npz ? npzPath : out, against: SyntheticSetFile.file(at: source)) }
        // Not into a directory a run holds, whose files it could replace; a name too long for the system is found now.
        switch format {
        case .folder:
            try RunDirectoryLock.checkNotInUse(AtomicWrite.directoryOf(out), option: "--out")
            try AtomicWrite.checkNewDirectory(out)
        case .npz:
            try AtomicWrite.probeFile(npzPath, option: "--out")
        }
        let (set, classNames) = try source.map(synthetic) ?? randomRealSubset()
        switch format {
        case .folder:
            let count = try AtomicWrite.writeDirectory(out) { try set.writeImageFolder(to: $0, classNames: classNames) }
            print("wrote \(count) PNGs into \(out)/CLASS/i.png (\(classNames.count) classes\(set.nonFinitePixelNote()))")
        case .npz:
            try AtomicWrite.write(set.npz(classNames: classNames, file: npzPath), to: npzPath)
            let note = set.nonFinitePixelNote("written as they are")
            print("wrote \(npzPath) (\(set.labels.count) images, \(classNames.count) classes\(note))")
        }
    }

    /// The set in `path` with its class names (those the file records, else its dataset's),
    /// its classes checked as render and evaluate check them.
    private func synthetic(at path: String) throws -> (SyntheticSetFile, [String]) {
        let set = try SyntheticSetFile(contentsOf: path)
        try requireOutsideFolderDataset(out, "--out", dataset: set.dataset)
        try requireDataOptionsApply(to: set, at: path)
        let builtIn = set.dataset.flatMap(DatasetKind.init(name:))
        let names: [String]
        if let recorded = set.classNames {
            names = recorded
        } else if let name = set.dataset {
            let kind = try data.locator.dataset(named: name, imageSize: set.metadata["image_size"].flatMap { Int($0) })
            names = try kind.builtInClassNames ?? data.locator.load(kind, split: .test).classNames
        } else {
            names = (0...(set.labels.max() ?? 0)).map(String.init)
        }
        // Without recorded names, `names` are the dataset's (or the labels'), so their count is the dataset's class count.
        try set.checkClasses(ofDataset: builtIn?.classCount ?? (set.classNames == nil ? names.count : nil), namedBy: names, file: path)
        return (set, names)
    }

    /// Refuses the data options a set's export ignores: its dataset is read
    /// only for class names the set does not record, and the data directories
    /// only for a built-in dataset whose names distill does not know.
    private func requireDataOptionsApply(to set: SyntheticSetFile, at path: String) throws {
        guard set.classNames == nil, let name = set.dataset else {
            let records = set.classNames != nil ? "records its class names" : "records no dataset"
            let context = "(\(path) \(records), so no dataset is read)"
            try data.requireNoFolderOptions(unless: false, context)
            try requireApplies("--data-dir", given: data.dataDirectory != nil, when: false, "when a dataset is read \(context)")
            return
        }
        try data.requireFolderDataset(name)
        let readsDataDirectory = DatasetKind(name: name).map { $0.builtInClassNames == nil } ?? false
        try requireApplies(
            "--data-dir", given: data.dataDirectory != nil, when: readsDataDirectory,
            "when the set's class names are read from a data directory (\(name)'s are not)")
    }

    private var realDataset: DatasetArgument { dataset ?? .fashionMNIST }

    private func randomRealSubset() throws -> (SyntheticSetFile, [String]) {
        let kind = try data.resolve(realDataset)
        let (split, seed) = (split ?? .train, seed ?? 0)
        let images: NDArray, labels: [Int], classNames: [String]
        if split == .train {
            let subset = try TrainingSet(randomRealImagesPerClass: randomReal!, of: kind, seed: seed, locator: data.locator)
            (images, labels, classNames) = (subset.images, subset.labels, subset.testSet.classNames)
        } else {
            let test = try data.locator.load(kind, split: .test)
            var generator = SeededGenerator(seed: seed)
            let indices = try (0..<test.classCount).flatMap { try test.sampleIndices(count: randomReal!, ofClass: $0, using: &generator) }
            (images, labels, classNames) = (test.images(at: indices), indices.map { test.labels[$0] }, test.classNames)
        }
        var metadata = [
            "dataset": kind.name, "method": "real", "split": split.rawValue, "ipc": String(randomReal!), "seed": String(seed),
            "mean": kind.normalization.mean.map { "\($0)" }.joined(separator: ","),
            "std": kind.normalization.std.map { "\($0)" }.joined(separator: ","),
        ]
        if case .folder(let folder) = kind { metadata["image_size"] = String(folder.imageSize) }
        return (SyntheticSetFile(images: images, labels: labels, metadata: metadata), classNames)
    }
}
