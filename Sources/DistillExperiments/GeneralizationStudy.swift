// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillCluster
import DistillData
import DistillEval
import DistillIO
import DistillMethods
import DistillZoo
import Foundation

/// A list of settings (method × pool × adaptation × step scaling × KD), each condensed and
/// evaluated with the protocol of the model-pool experiment, compared with
/// the first setting (the baseline), and in any further pairs named, by paired
/// bootstrap intervals.
///
/// Every condensation is a run directory inside the study directory and
/// every evaluation is cached, so running the same study again, or a study
/// with more settings, redoes only what has not finished.
public struct GeneralizationStudy: Sendable, Codable, Equatable {
    public var dataset: DatasetKind
    /// The settings in table order; the first is the baseline.
    public var settings: [StudySetting]
    /// Pairs of settings compared besides the baseline, e.g. `dsa+pool=paper vs dsa`.
    public var comparisons: [StudyComparison]
    public var imagesPerClass: Int
    public var architectures: [String]
    public var evaluationRuns: Int
    /// Training epochs at evaluation; nil for the protocol's (300, or 1000 with DSA augmentation for DSA and DM sets).
    public var epochs: Int?
    public var batchReal: Int
    /// Test images per class; nil for the whole test split.
    public var testImagesPerClass: Int?
    public var seed: UInt64

    public init(
        dataset: DatasetKind = .fashionMNIST, settings: [StudySetting], comparisons: [StudyComparison] = [], imagesPerClass: Int = 1,
        architectures: [String] = ModelPoolExperiment.paperArchitectures, evaluationRuns: Int = 5, epochs: Int? = nil,
        batchReal: Int = 256, testImagesPerClass: Int? = nil, seed: UInt64 = 0
    ) {
        self.dataset = dataset
        self.settings = settings
        // A pair names its sides as --settings spells them, whichever spelling of the same setting it was given.
        func listed(_ side: StudySetting) -> StudySetting { settings.first { $0.canonical == side.canonical } ?? side }
        self.comparisons = comparisons.map { StudyComparison(setting: listed($0.setting), control: listed($0.control)) }
        self.imagesPerClass = imagesPerClass
        self.architectures = architectures
        self.evaluationRuns = evaluationRuns
        self.epochs = epochs
        self.batchReal = batchReal
        self.testImagesPerClass = testImagesPerClass
        self.seed = seed
    }

    /// Checks the settings before any work.
    /// - Throws: `ExperimentError` or `PoolError` naming the first bad one.
    public func validate() throws {
        guard !settings.isEmpty else {
            throw ExperimentError.invalidSetting(name: "--settings", value: "''", requirement: "give at least one setting, the baseline first")
        }
        guard Set(settings.map(\.description)).count == settings.count else {
            throw ExperimentError.invalidSetting(
                name: "--settings", value: settings.map(\.description).joined(separator: " "), requirement: "list each setting once")
        }
        // Two spellings of one setting (one naming a default) would be condensed and evaluated alike: two equal rows.
        for (index, setting) in settings.enumerated() {
            if let twin = settings[..<index].first(where: { $0.canonical == setting.canonical }) {
                throw ExperimentError.invalidSetting(
                    name: "--settings", value: "'\(twin)' and '\(setting)'",
                    requirement: "both are \(setting.canonical) once defaults are filled in; list each setting once")
            }
        }
        // Tables show a teacher by its file name, so two teachers of one name would be two rows of one label.
        for (index, setting) in settings.enumerated() {
            if let twin = settings[..<index].first(where: { $0.label == setting.label }) {
                throw ExperimentError.invalidSetting(
                    name: "--settings", value: "'\(twin)' and '\(setting)'",
                    requirement: "both show as \(setting.label) in the tables, which name a teacher by its file alone; "
                        + "list a teacher once and give different teachers different names")
            }
        }
        guard Set(comparisons.map(\.description)).count == comparisons.count else {
            throw ExperimentError.invalidSetting(
                name: "--compare", value: comparisons.map { "'\($0)'" }.joined(separator: " "), requirement: "list each pair once")
        }
        for (index, comparison) in comparisons.enumerated() {
            func refuse(_ requirement: String) -> ExperimentError {
                .invalidSetting(name: "--compare", value: "'\(comparison)'", requirement: requirement)
            }
            for side in [comparison.setting, comparison.control] where !settings.contains(side) {
                throw refuse("\(side) is not one of --settings")
            }
            guard comparison.setting != comparison.control else { throw refuse("a setting minus itself is always 0") }
            if comparisons[..<index].contains(StudyComparison(setting: comparison.control, control: comparison.setting)) {
                throw refuse("it is '\(comparison.control) vs \(comparison.setting)' negated; list one of the two")
            }
        }
        for (name, value) in [("--ipc", imagesPerClass), ("--num-eval", evaluationRuns), ("--batch-real", batchReal)] where value < 1 {
            throw ExperimentError.invalidSetting(name: name, value: String(value), requirement: "must be ≥ 1")
        }
        if let epochs, epochs < 1 { throw ExperimentError.invalidSetting(name: "--epochs", value: String(epochs), requirement: "must be ≥ 1") }
        for architecture in architectures + ["ConvNet"] { try ExperimentError.checkArchitecture(architecture) }
        for setting in settings {
            if setting.method != "dm", GradientMatchingConfiguration.publishedLoops[imagesPerClass] == nil {
                throw ExperimentError.unpublishedLoops(imagesPerClass: imagesPerClass)
            }
            do {
                let request = setting.condensationRequest(study: self)
                _ = try request.modelPool()
                // A pool member that cannot take the data, refused before the first setting is condensed.
                try request.checkFeasible(classCount: dataset.classCount, imageShape: dataset.imageShape)
            } catch let error as CondensationError {
                throw ExperimentError.invalidSetting(name: "--settings", value: "'\(setting)'", requirement: error.description)
            } catch let error as PoolError {
                // The pool, its adaptation and step scaling are parts of the setting here, not --pool, --pool-adapt or --pool-step.
                let reason: String
                switch error {
                case .malformedAdaptation(let rule, let why): reason = "adapt=\(rule): \(why)"
                case .malformedStepScaling(let rule, let why): reason = "step=\(rule): \(why)"
                default: reason = error.description
                }
                throw ExperimentError.invalidSetting(name: "--settings", value: "'\(setting)'", requirement: reason)
            }
            // A teacher is first used when its row is reached, hours into a study: one made for other data is refused now.
            if let teacher = try setting.distillation()?.teacherWeights {
                try teacher.load().checkFits(
                    imageShape: dataset.imageShape, classCount: dataset.classCount, normalization: dataset.normalization,
                    data: dataset.name)
            }
        }
        // Refused now, not after the condensations: a network (or the KD teacher trained on a set) that cannot take the data.
        let teacher = settings.contains(where: \.knowledgeDistillation) ? DistillationSettings() : nil
        try EvaluationRequest(architectures: architectures, runs: evaluationRuns, epochs: epochs, distillation: teacher, seed: seed)
            .checkFeasible(imageCount: imagesPerClass * dataset.classCount, imageShape: dataset.imageShape, classCount: dataset.classCount)
    }

    /// Runs (or continues) the study in `directory` and writes `table.md`, `results.json` and `report.html` there,
    /// after every setting (marked as in progress, with the settings to come) and at the end.
    ///
    /// Over several ranks every condensation and evaluation is shared among
    /// them; rank 0 alone takes the lock, decides what is reused, writes and
    /// reports events, so a stopped study resumes with any rank count.
    ///
    /// - Parameters:
    ///   - command: the command line that started the study, recorded in the results.
    ///   - group: the processes of the job (collective: every rank calls this).
    /// - Returns: the results, as written to `results.json`.
    /// - Throws: `ExperimentError` and the data, condensation and evaluation errors.
    @discardableResult
    public func run(
        in directory: String, locator: DataLocator, command: String, group: any ProcessGroup = SingleProcess(),
        events leaderEvents: (ExperimentEvent) -> Void = { _ in }
    ) throws -> GeneralizationResults {
        try validate()
        func events(_ event: ExperimentEvent) { if group.isLeader { leaderEvents(event) } }
        // Data that cannot be read is refused before the directory is made.
        let fullTestSet = try locator.load(dataset, split: .test)
        try checkTestImagesPerClass(in: fullTestSet)
        let lock = try group.claimExperimentDirectory(directory, for: .generalization)
        defer { lock?.release() }
        let start = Date()
        events(.stage("generalisation study on \(dataset.name), ipc \(imagesPerClass): \(settings.map(\.description).joined(separator: ", ")) → \(directory)"))
        let cache = EvaluationCache(directory: directory)
        if group.isLeader { try cache.prepare() }
        let testSet = testImagesPerClass.map { fullTestSet.firstImages(perClass: $0) } ?? fullTestSet
        var rows: [GeneralizationResults.Row] = []
        for setting in settings {
            let name = setting.condensationDirectory
            let iterations = setting.iterationCount
            let condensation = SnapshotCondensation(
                request: setting.condensationRequest(study: self),
                directory: (directory as NSString).appendingPathComponent(name), snapshots: [iterations])
            events(.stage("condense \(name): \(setting.method), pool \(setting.pool)\(setting.adapt.map { ", adapt \($0)" } ?? "")\(setting.step.map { ", step \($0)" } ?? ""), \(iterations) iterations"))
            if try condensation.run(locator: locator, group: group, progress: { events(.condensation($0, total: $1)) }) == 0 {
                events(.stage("condense \(name): reused the kept set"))
            }
            let synthetic = condensation.snapshotPath(iterations)
            let relative = "\(name)/synthetic-iter\(iterations).safetensors"
            let request = EvaluationRequest(
                architectures: architectures, runs: evaluationRuns, epochs: epochs,
                distillation: try setting.distillation(), seed: seed, evaluationProtocol: setting.evaluationProtocol)
            let teacherSuffix = setting.teacherWeights.map { "-teacher-" + ($0 as NSString).lastPathComponent } ?? ""
            let protocolSuffix = setting.evaluationProtocol.map { "-protocol-\($0.rawValue)" } ?? ""
            // A KD row's name extends the plain row's: the plain row is the one whose trainings it can reuse.
            let plainName = "\(name)-iter\(iterations)\(protocolSuffix)"
            let cacheName = plainName + (setting.knowledgeDistillation ? "-kd" : "") + teacherSuffix
            let key = EvaluationCache.Key(
                synthetic: relative, architectures: architectures, runs: evaluationRuns, epochs: epochs,
                testImagesPerClass: testImagesPerClass, distillation: request.distillation, seed: seed,
                evaluationProtocol: setting.evaluationProtocol)
            let set = try EvaluationCache.fingerprint(ofSetAt: synthetic)
            let entry: EvaluationCache.Entry
            let cached = try group.leaderDecides({ cache.lookup(cacheName, key: key, set: set) })
            if let cached {
                events(.stage("evaluate \(setting): reused \(EvaluationCache.relativePath(cacheName))"))
                entry = cached
            } else {
                events(.stage("evaluate \(setting): \(architectures.joined(separator: ", "))\(setting.knowledgeDistillation ? ", with KD from a ConvNet trained on the set" : "")\(setting.teacherWeights.map { ", with KD from \($0) (trained on real data)" } ?? "")"))
                var training = try TrainingSet(syntheticAt: synthetic, locator: locator, expectedDataset: dataset)
                training.testSet = testSet
                // A KD evaluation also trains every network without KD, as the same set's plain row did: those are reused.
                var plainKey = key
                plainKey.distillation = nil
                let plain = setting.distilled ? try group.leaderDecides({ cache.lookup(plainName, key: plainKey, set: set) }) : nil
                let trainedElsewhere = plain.map { request.plainRuns(of: $0.report, on: training) } ?? [:]
                if !trainedElsewhere.isEmpty {
                    events(.stage("evaluate \(setting): reused the \(trainedElsewhere.count) trainings without KD of \(EvaluationCache.relativePath(plainName))"))
                }
                entry = try cache.evaluate(
                    request, on: training, as: cacheName, key: key, set: set, group: group, trainedElsewhere: trainedElsewhere,
                    resumed: { events(.stage("evaluate \(setting): reused \($0) trainings kept in \(EvaluationCache.runsPath(cacheName))")) },
                    progress: { events(.evaluation($0)) })
            }
            rows.append(
                GeneralizationResults.Row(
                    setting: setting, synthetic: relative, log: "\(name)/log.jsonl",
                    condensationSeconds: condensation.seconds(upTo: iterations), evaluationSeconds: entry.seconds,
                    report: entry.report, numerics: entry.numerics))
            let pending = Array(settings.dropFirst(rows.count))
            let soFar = GeneralizationResults(
                study: self, command: command, rows: rows, pending: pending, wallSeconds: Date().timeIntervalSince(start))
            // A study takes days on a small machine: the figures go out, and into the files, as each setting finishes.
            events(.stage(soFar.summaryLine(rows[rows.count - 1]) + (pending.isEmpty ? "" : "; table so far in table.md")))
            // The figures are shown first: a failing write loses no result unseen.
            if group.isLeader {
                if cached == nil { try cache.store(entry, as: cacheName) }
                if !pending.isEmpty { try GeneralizationFiles.write(soFar, to: directory, classNames: testSet.classNames) }
            }
        }
        let results = GeneralizationResults(
            study: self, command: command, rows: rows, pending: nil, wallSeconds: Date().timeIntervalSince(start))
        events(.finished(table: GeneralizationFiles.markdown(results)))
        if group.isLeader { try GeneralizationFiles.write(results, to: directory, classNames: testSet.classNames) }
        events(.stage("wrote table.md, results.json and report.html to \(directory)"))
        return results
    }
}

extension GeneralizationStudy {
    /// Refuses more test images per class than a class of `testSet` holds:
    /// the table would claim more test images than the rows were tested on.
    /// - Throws: `ExperimentError.invalidSetting` naming the smallest class and its count.
    func checkTestImagesPerClass(in testSet: Dataset) throws {
        guard let testImagesPerClass,
            let smallest = (0..<testSet.classCount).min(by: { testSet.indices(ofClass: $0).count < testSet.indices(ofClass: $1).count })
        else { return }
        let count = testSet.indices(ofClass: smallest).count
        guard testImagesPerClass > count else { return }
        throw ExperimentError.invalidSetting(
            name: "--test-per-class", value: String(testImagesPerClass),
            requirement: "the test split of \(dataset.name) holds \(count) images of class \(testSet.classNames[smallest]); give at most \(count)")
    }
}
