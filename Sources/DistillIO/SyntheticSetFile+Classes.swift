// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

extension SyntheticSetFile {
    /// Checks the set's labels against its classes, the same way for every command that
    /// reads a set (`render`, `export`, `evaluate`): the recorded `class_names` must name
    /// as many classes as the dataset has, every label must be one of the classes, and
    /// every class must have an image. A set missing a class would be trained without it
    /// (and renumbered by torchvision's `ImageFolder`, which counts only the folders present).
    ///
    /// - Parameters:
    ///   - datasetClasses: the number of classes of the dataset the set records, nil when unknown.
    ///   - datasetClassNames: that dataset's class names, for messages.
    ///   - file: the set's path in the messages.
    /// - Returns: the number of classes: the recorded names', else the dataset's, else one past the largest label.
    /// - Throws: `SyntheticSetFileError`.
    @discardableResult
    public func checkClasses(ofDataset datasetClasses: Int?, namedBy datasetClassNames: [String]? = nil, file: String) throws -> Int {
        if let names = classNames, let datasetClasses, names.count != datasetClasses {
            throw SyntheticSetFileError.classNamesMismatch(
                file: file, names: names.count, dataset: dataset ?? "its dataset", classes: datasetClasses)
        }
        let known = classNames?.count ?? datasetClasses
        try checkLabels(classes: known, file: file)
        let classes = known ?? (labels.max() ?? -1) + 1
        var present = [Bool](repeating: false, count: classes)
        for label in labels { present[label] = true }
        if let missing = present.firstIndex(of: false) {
            let name = (classNames ?? datasetClassNames).flatMap { $0.indices.contains(missing) ? $0[missing] : nil }
            throw SyntheticSetFileError.missingClass(file: file, label: missing, name: name == String(missing) ? nil : name)
        }
        return classes
    }
}
