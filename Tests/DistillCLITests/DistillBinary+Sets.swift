// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor
import Foundation

extension DistillBinary {
    /// A small Fashion-MNIST set, one image of each class, in the scratch directory.
    func writeSet(_ name: String, value: Float = 0) throws -> String {
        let path = path(name)
        let count = 10
        try SafeTensors.write(
            [
                "images": SafeTensorsEntry(NDArray(shape: [count, 1, 28, 28], scalars: .init(repeating: value, count: count * 784))),
                "labels": SafeTensorsEntry(shape: [count], integers: (0..<count).map(Int64.init)),
            ],
            metadata: ["dataset": "fashion-mnist", "mean": "0.2860", "std": "0.3530", "method": "dc"], to: path)
        return path
    }

    /// Runs the binary and expects a refusal: a non-zero status and one plain error line containing `text`.
    func expectRefused(_ arguments: [String], _ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        try run(arguments).expectFailure(mentioning: text, file: file, line: line)
    }
}
