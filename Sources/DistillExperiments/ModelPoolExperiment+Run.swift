// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillCluster
import DistillData
import DistillEval
import DistillIO
import DistillMethods
import Foundation

/// What a running experiment reports.
public enum ExperimentEvent {
    /// A stage starts or was reused: one line for the log.
    case stage(String)
    /// A condensation iteration finished; `total` is the iteration count of the current segment.
    case condensation(IterationReport, total: Int)
    /// An evaluation made progress.
    case evaluation(EvaluationProgress)
    /// Every condensation and evaluation is done; `table` is the Markdown of
    /// `table.md`, given before the files are written so a caller can show
    /// the results even if writing fails.
    case finished(table: String)
}

extension ModelPoolExperiment {
    /// Runs (or continues) the experiment in `directory` and writes `table.md`,
    /// `results.json` and `report.html` there.
    ///
    /// Every condensation is a run directory `ipc<K>-<setting>/` inside
    /// `directory`; sets already kept and evaluations already cached are reused,
    /// so starting the same experiment again after a kill redoes only what had not finished.
    ///
    /// Over several ranks, every condensation and evaluation is shared among
    /// them; rank 0 alone takes the directory's lock, decides what is reused,
    /// writes every file and reports events, so a killed job resumes with any
    /// rank count.
    ///
    /// - Parameters:
    ///   - directory: the experiment directory (created if needed).
    ///   - locator: where the dataset is found.
    ///   - group: the processes of the job (collective: every rank calls this).
    ///   - events: stage lines and per-iteration progress (on rank 0 only).
    /// - Returns: the results, as written to `results.json`.
    /// - Throws: `ExperimentError` for bad settings or a directory made with other
    ///   settings, and the data, condensation and evaluation errors.
    @discardableResult
    public func run(
        in directory: String, locator: DataLocator, group: any ProcessGroup = SingleProcess(),
        events leaderEvents: (ExperimentEvent) -> Void = { _ in }
    ) throws -> ModelPoolResults {
        try validate()
        func events(_ event: ExperimentEvent) { if group.isLeader { leaderEvents(event) } }
        // Data that cannot be read is refused before the directory is made.
        let fullTestSet = try locator.load(dataset, split: .test)
        // A split with no class above --quick's count is tested whole; the records say so rather than name a count it lacks.
        if let count = testImagesPerClass, (0..<fullTestSet.classCount).allSatisfy({ fullTestSet.indices(ofClass: $0).count <= count }) {
            var whole = self
            whole.testImagesPerClass = nil
            return try whole.run(in: directory, locator: locator, group: group, events: leaderEvents)
        }
        let lock = try group.claimExperimentDirectory(directory, for: .modelPool)
        defer { lock?.release() }
        let start = Date()
        events(.stage("model-pool experiment on \(dataset.name): ipc \(imagesPerClass.map(String.init).joined(separator: ",")), "
            + "iterations \(iterations.map(String.init).joined(separator: ",")), pools \(settings.map(\.pool).joined(separator: ", ")) → \(directory)"))
        if quick { events(.stage("quick run: " + reductions.joined(separator: "; "))) }
        let cache = EvaluationCache(directory: directory)
        if group.isLeader { try cache.prepare() }
        let testSet = testImagesPerClass.map { fullTestSet.firstImages(perClass: $0) } ?? fullTestSet
        var condensations: [CondensationRecord] = []
        var evaluations: [EvaluationRecord] = []
        var iterationsRun = 0
        var evaluationsRun = 0
        for ipc in imagesPerClass {
            for setting in settings {
                let name = setting.directoryName(imagesPerClass: ipc)
                let condensation = SnapshotCondensation(
                    request: condensationRequest(imagesPerClass: ipc, setting: setting),
                    directory: (directory as NSString).appendingPathComponent(name), snapshots: iterations)
                events(.stage("condense \(name): DC, pool \(setting.pool), to iteration \(iterations.last!)"))
                let ran = try condensation.run(locator: locator, group: group) { events(.condensation($0, total: $1)) }
                if ran == 0 { events(.stage("condense \(name): reused the kept sets")) }
                iterationsRun += ran
                condensations.append(
                    CondensationRecord(
                        imagesPerClass: ipc, setting: setting, pool: setting.pool, directory: name,
                        snapshots: iterations.map {
                            .init(
                                iteration: $0, file: "\(name)/synthetic-iter\($0).safetensors",
                                grid: "\(name)/synthetic-iter\($0).png", seconds: condensation.seconds(upTo: $0))
                        }))
                // The baseline and pool sets fill the KD rows too; the ablation sets need no teacher.
                let distilled = setting == .baseline || setting == .modelPool
                for iteration in iterations {
                    let record = try evaluate(
                        condensation.snapshotPath(iteration), name: "\(name)-iter\(iteration)\(distilled ? "-kd" : "")",
                        iteration: iteration, relativeTo: directory, locator: locator, testSet: testSet,
                        distilled: distilled, cache: cache, group: group, events: events)
                    if record.ran { evaluationsRun += 1 }
                    evaluations.append(
                        EvaluationRecord(
                            imagesPerClass: ipc, setting: setting, iteration: iteration, distilled: distilled,
                            file: EvaluationCache.relativePath(record.name), seconds: record.entry.seconds,
                            report: record.entry.report))
                }
            }
        }
        let results = ModelPoolResults(
            experiment: self, reductions: reductions, condensations: condensations, evaluations: evaluations,
            cells: cells(from: evaluations), wallSeconds: Date().timeIntervalSince(start), iterationsRun: iterationsRun,
            evaluationsRun: evaluationsRun)
        events(.finished(table: ExperimentFiles.markdown(results)))
        if group.isLeader { try ExperimentFiles.write(results, to: directory, classNames: fullTestSet.classNames) }
        events(.stage("wrote table.md, results.json and report.html to \(directory)"))
        return results
    }

    /// The DC condensation of one setting (iteration count and resume are set per snapshot).
    public func condensationRequest(imagesPerClass ipc: Int, setting: PoolSetting) -> CondensationRequest {
        CondensationRequest(
            dataset: dataset, method: "dc", imagesPerClass: ipc, mainModel: "ConvNet", pool: setting.pool,
            batchReal: batchReal, seed: seed)
    }

    private func evaluate(
        _ synthetic: String, name: String, iteration: Int, relativeTo directory: String, locator: DataLocator,
        testSet: Dataset, distilled: Bool, cache: EvaluationCache, group: any ProcessGroup,
        events: (ExperimentEvent) -> Void
    ) throws -> (name: String, entry: EvaluationCache.Entry, ran: Bool) {
        let request = EvaluationRequest(
            architectures: architectures, runs: evaluationRuns, epochs: epochs,
            distillation: distilled ? distillation : nil, seed: seed)
        let key = EvaluationCache.Key(
            synthetic: String(synthetic.dropFirst(directory.count).drop { $0 == "/" }), architectures: architectures,
            runs: evaluationRuns, epochs: epochs, testImagesPerClass: testImagesPerClass,
            distillation: request.distillation, seed: seed)
        let set = try EvaluationCache.fingerprint(ofSetAt: synthetic)
        if let entry = try group.leaderDecides({ cache.lookup(name, key: key, set: set) }) {
            events(.stage("evaluate \(name): reused \(EvaluationCache.relativePath(name))"))
            return (name, entry, false)
        }
        events(.stage("evaluate \(name): \(architectures.joined(separator: ", "))\(distilled ? ", with KD from \(distillation.teacher)" : "")"))
        var training = try TrainingSet(syntheticAt: synthetic, locator: locator, expectedDataset: dataset)
        training.testSet = testSet
        let entry = try cache.evaluate(
            request, on: training, as: name, key: key, set: set, group: group,
            resumed: { events(.stage("evaluate \(name): reused \($0) trainings kept in \(EvaluationCache.runsPath(name))")) },
            progress: { events(.evaluation($0)) })
        guard group.isLeader else { return (name, entry, true) }
        // The per-run files sit beside the set they evaluate, as `distill evaluate` writes them.
        let runDirectory = AtomicWrite.directoryOf(synthetic) as NSString
        try EvaluationFiles.write(entry.report, to: runDirectory.appendingPathComponent("evaluation-iter\(iteration)"))
        try cache.store(entry, as: name)
        return (name, entry, true)
    }
}
