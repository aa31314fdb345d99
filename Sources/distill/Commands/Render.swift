// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillData
import DistillIO
import Foundation

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a synthetic set as a PNG grid: one row per class, de-normalised with the file's mean and std.")

    @Argument(help: "A run directory, or a synthetic .safetensors or .npz file.")
    var source: String
    @Option(help: "Output PNG file (ending in .png; not the set itself).")
    var out: String
    @Option(parsing: .unconditional, help: "Pixel upscaling: each image pixel becomes an N×N block.")
    var scale = 4

    func validate() throws {
        try requirePath(source, "the synthetic set")
        try requirePath(out, "--out")
        try requirePositive(scale, "--scale")
    }

    func run() throws {
        try AtomicWrite.probeFile(out, option: "--out")
        try OutputIsInputError.check(out, against: SyntheticSetFile.file(at: source))
        // Checked after the file-kind checks, so `--out DIR` is named as the directory it is.
        guard out.lowercased().hasSuffix(".png") else {
            throw PlainMessage(description: "--out \(out): render writes a PNG picture; give a file name ending in .png")
        }
        let file = try SyntheticSetFile(contentsOf: source)
        // A picture in a class folder of the set's dataset would be read as one of its images.
        try requireOutsideFolderDataset(out, "--out", dataset: file.dataset)
        // The same classes as evaluate and export accept: the recorded class names or the dataset's.
        let dataset = file.dataset.flatMap(DatasetKind.init(name:))
        try file.checkClasses(ofDataset: dataset?.classCount, namedBy: dataset?.builtInClassNames, file: source)
        try AtomicWrite.write(file.gridPNG(scale: scale), to: out)
        let size = file.gridSize(scale: scale)
        print("wrote \(out) (\(size.width)×\(size.height), \(file.labels.count) images\(file.nonFinitePixelNote()))")
    }
}
