// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillData
import DistillIO
import Foundation

struct Render: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw a synthetic set as a PNG grid: one row per class, de-normalised with the file's mean and std.")

    @Argument(help: "A run directory or a synthetic .safetensors file.")
    var source: String
    @Option(help: "Output PNG file.")
    var out: String
    @Option(parsing: .unconditional, help: "Pixel upscaling: each image pixel becomes an N×N block.")
    var scale = 4

    func validate() throws {
        try requirePath(source, "the synthetic set")
        try requirePath(out, "--out")
        try requirePositive(scale, "--scale")
    }

    func run() throws {
        try AtomicWrite.probeFile(out)
        let file = try SyntheticSetFile(contentsOf: source)
        // The same labels as evaluate accepts: the recorded class names or the dataset's classes bound them.
        let classes = file.classNames?.count ?? file.dataset.flatMap(DatasetKind.init(name:))?.classCount
        try file.checkLabels(classes: classes, file: source)
        try AtomicWrite.write(file.gridPNG(scale: scale), to: out)
        let size = file.gridSize(scale: scale)
        let nonFinite = file.nonFinitePixelCount
        let values = nonFinite == 1 ? "1 value is" : "\(nonFinite) values are"
        let note = nonFinite == 0 ? "" : "; \(values) not finite: NaN drawn black, ±inf clamped"
        print("wrote \(out) (\(size.width)×\(size.height), \(file.labels.count) images\(note))")
    }
}
