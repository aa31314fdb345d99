// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillCluster
import DistillData
import DistillEval
import DistillIO
import DistillTensor
import Foundation

extension EvaluationProtocol: ExpressibleByArgument {}

struct Evaluate: DistributedCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train fresh networks on a synthetic set (or a random real subset) and report test accuracy.",
        discussion: """
            Writes evaluation.csv and evaluation.json next to the synthetic set (or into --out); evaluation.json \
            records the set's path and fingerprint, and results there of another set are not replaced (give \
            --out). Runs whose \
            loss goes non-finite or whose accuracy is at chance level are marked diverged and left out of \
            the mean. With --kd, each student is also trained under a teacher trained on the same set; \
            --teacher-weights FILE uses instead a network `distill train --save` wrote, trained on the real \
            training set, and the results say so.
            """)

    @Argument(help: "A run directory, or a synthetic .safetensors or .npz file (omit with --random-real).")
    var source: String?
    @Option(parsing: .unconditional, help: "Comma-separated architectures to train.")
    var models = "ConvNet,MLP,LeNet,AlexNet,VGG11,ResNet18"
    @Option(name: .customLong("num-eval"), parsing: .unconditional, help: "Networks trained per architecture (at most \(CountLimit.runs)).")
    var numEval = 5
    @Option(parsing: .unconditional, help: "Training epochs (default 300, or 1000 with augmentation; at most \(CountLimit.epochs)).")
    var epochs: Int?
    @Option(
        name: .customLong("protocol"),
        help: ArgumentHelp(
            "Evaluation protocol: dc (no augmentation, 300 epochs) or dsa (DSA augmentation, 1000 epochs). "
                + "Default: the one the papers use for the set's method (dsa for DSA and DM sets).",
            valueName: "dc|dsa"))
    var evaluationProtocol: EvaluationProtocol?
    @Flag(help: "Also train every architecture with knowledge distillation from a teacher.")
    var kd = false
    @Option(help: "Teacher architecture for --kd, trained on the evaluated set (default ConvNet).")
    var teacher: String?
    @Option(
        name: .customLong("teacher-weights"),
        help: ArgumentHelp(
            "For --kd: the teacher is this file from `distill train --save` (trained on real data), not trained here.",
            valueName: "file"))
    var teacherWeights: String?
    // The KD options are optional so that one given without --kd can be refused. τ and its decay
    // are read as Doubles so that a value a Float rounds to 0 or infinity is refused as typed.
    @Option(name: .customLong("kd-tau"), parsing: .unconditional, help: "For --kd: temperature τ (default 1.5).")
    var kdTau: Double?
    @Option(name: .customLong("kd-alpha"), parsing: .unconditional, help: "For --kd: weight α of the KL term (default 0.5).")
    var kdAlpha: Float?
    @Option(name: .customLong("kd-tau-decay"), parsing: .unconditional, help: "For --kd: factor applied to τ after every epoch (default 1).")
    var kdTauDecay: Double?
    @Flag(name: .customLong("kd-guard"), help: "Fall back to cross-entropy for a student whose KD loss goes non-finite.")
    var kdGuard = false
    @Option(name: .customLong("random-real"), parsing: .unconditional, help: "Evaluate a random real subset with this many images per class instead.")
    var randomReal: Int?
    @Option(help: "Dataset for --random-real (a synthetic set names its own): a name or folder:PATH (default fashion-mnist).")
    var dataset: DatasetArgument?
    @Option(
        parsing: .unconditional,
        help: "Seed. Network r of the k-th architecture in --models draws from a stream of (seed, k, r): the same list in the same order trains the same networks. (default: 0)", transform: seedArgument)
    var seed: UInt64 = 0
    @Option(help: "Directory for evaluation.csv and evaluation.json.")
    var out: String?
    @Flag(help: "Print one JSON object on the last line.")
    var json = false
    @OptionGroup var data: DataOptions

    func validate() throws {
        guard (source == nil) != (randomReal == nil) else {
            throw ValidationError("give either a synthetic set (RUN_DIR or FILE) or --random-real IPC, not both or neither")
        }
        try requirePath(source, "the synthetic set")
        try requireResultsDirectory(out, "--out")
        try requirePath(teacherWeights, "--teacher-weights")
        try requireApplies("--dataset", given: dataset != nil, when: randomReal != nil, "to --random-real (a synthetic set records its own)")
        if randomReal != nil {
            try requireDatasetName(realDataset.name)
            try requireOutsideFolderDataset(out, "--out", dataset: realDataset.name)
            try data.requireFolderDataset(realDataset.name)
        }
        try requirePositive(numEval, "--num-eval")
        try requireAtMost(numEval, CountLimit.runs, "--num-eval")
        try requireNonNegative(epochs, "--epochs")
        try requireAtMost(epochs, CountLimit.epochs, "--epochs")
        try requirePositive(randomReal, "--random-real")
        try requirePositive(kdTau, "--kd-tau")
        try requirePositive(kdTauDecay, "--kd-tau-decay")
        try checkTemperatures()
        if let kdAlpha, !(0...1).contains(kdAlpha) { throw ValidationError("--kd-alpha must be in [0, 1] (got \(kdAlpha))") }
        // Before any network is trained, so a typo in the last name does not cost the first ones.
        _ = try checkedNetworkNames(in: models)
        for (option, given) in [
            ("--teacher", teacher != nil), ("--kd-tau", kdTau != nil), ("--kd-alpha", kdAlpha != nil),
            ("--kd-tau-decay", kdTauDecay != nil), ("--kd-guard", kdGuard),
        ] {
            try requireApplies(option, given: given, when: kd, "with --kd; add --kd to use it")
        }
        if teacherWeights != nil {
            guard kd else { throw ValidationError("--teacher-weights names a KD teacher; add --kd to use it") }
            guard teacher == nil else {
                throw ValidationError("--teacher and --teacher-weights both name the teacher; give one of them")
            }
        }
        if kd, teacherWeights == nil { try requireNetwork(teacher ?? "ConvNet", "--teacher") }
    }

    /// Refuses a temperature schedule under which KD cannot compute: the loss divides the logits by τ
    /// and scales by τ², so τ² must be a normal float at every epoch. Its first value and, decaying or
    /// growing monotonically, its last are checked. Above 1.84·10¹⁹ τ² overflows; below 1.08·10⁻¹⁹ it is
    /// subnormal or 0, and 1/τ is so large that logits of ordinary size divided by τ overflow.
    private func checkTemperatures() throws {
        guard kdTau != nil || kdTauDecay != nil else { return }
        let (tau, decay) = (kdTau ?? 1.5, kdTauDecay ?? 1)
        // The default epochs of the longer protocol, when --epochs is not given.
        let epochs = epochs ?? 1000
        let last = tau * pow(decay, Double(max(epochs - 1, 0)))
        for value in [tau, last] {
            let square = Float(value * value)
            let problem: String
            if !square.isFinite {
                problem = "whose square (KD's loss scale) overflows a float"
            } else if !square.isNormal {
                problem = "whose square (KD's loss scale) underflows a float, and logits divided by it overflow"
            } else {
                continue
            }
            throw ValidationError(
                "--kd-tau \(tau) with --kd-tau-decay \(decay) reaches τ = \(value) by epoch \(value == tau ? 1 : epochs), "
                    + "\(problem); τ must stay within about 1.08e-19 to 1.84e+19, where τ² is a normal float; "
                    + "give another temperature or decay")
        }
    }

    /// The dataset `--random-real` draws from.
    private var realDataset: DatasetArgument { dataset ?? .fashionMNIST }

    /// The `--models` list, checked by validation.
    private var architectures: [String] { networkNames(in: models) }

    /// The KD settings; reads and fingerprints a `--teacher-weights` file.
    private func distillationSettings() throws -> DistillationSettings? {
        guard kd else { return nil }
        var settings = try teacherWeights.map { try DistillationSettings(teacherWeightsAt: $0) }
            ?? DistillationSettings(teacher: teacher ?? "ConvNet")
        // The library's defaults stand for the options not given.
        if let kdTau { settings.temperature = Float(kdTau) }
        if let kdAlpha { settings.alpha = kdAlpha }
        if let kdTauDecay { settings.temperatureDecay = Float(kdTauDecay) }
        settings.fallsBackOnNonFiniteLoss = kdGuard
        return settings
    }

    func run(in group: any ProcessGroup) throws {
        let request = EvaluationRequest(
            architectures: architectures, runs: numEval, epochs: epochs, distillation: try distillationSettings(),
            seed: seed, evaluationProtocol: evaluationProtocol)
        let training: TrainingSet
        let evaluated: EvaluatedSource
        if let source {
            training = try TrainingSet(syntheticAt: source, locator: data.locator)
            // The set names its dataset: the image-folder options apply only when it is a folder.
            try data.requireFolderDataset(training.kind.name)
            evaluated = try EvaluatedSource(syntheticAt: source)
        } else {
            training = try TrainingSet(
                randomRealImagesPerClass: randomReal!, of: data.resolve(realDataset), seed: seed, locator: data.locator)
            evaluated = EvaluatedSource(randomRealImagesPerClass: randomReal!, of: training.kind.name, seed: seed)
        }
        let directory = out ?? training.defaultOutputDirectory
        // The set names its dataset; without --out its results go beside it.
        try requireOutsideFolderDataset(directory, out == nil ? "the set's directory" : "--out", dataset: training.kind.name)
        // Find an unwritable --out, or files that cannot be replaced, before the networks train, not after;
        // rank 0 alone writes. Beside a set, another set's results are kept: an explicit --out may replace them.
        // The directory is held until both files are written: nothing goes into one a condensation, experiment
        // or another evaluation holds, and no other evaluation can write there between the check and the files.
        // A held directory is refused untouched, and the probe says best why one takes no files: both before the lock.
        if group.isLeader {
            try RunDirectoryLock.checkNotInUse(directory, option: "--out")
            try AtomicWrite.probeDirectory(directory)
        }
        let lock = group.isLeader ? try RunDirectoryLock(directory: directory) : nil
        defer { lock?.release() }
        if group.isLeader {
            try EvaluationFiles.checkDestinations(in: directory)
            if out == nil { try EvaluationFiles.checkBelongs(in: directory, to: evaluated) }
        }
        var line = ProgressLine()
        var lastUpdate = Date.distantPast
        let kdLabel = request.distillation?.teacherTrainedOnRealData == true ? " +KD (real-data teacher)" : " +KD"
        var report = try request.run(on: training, group: group) { progress in
            guard group.isLeader, Date().timeIntervalSince(lastUpdate) > 0.5 || progress.finishedAccuracy != nil else { return }
            lastUpdate = Date()
            if let text = progress.line(distilledLabel: kdLabel) { line.update(text) }
        }
        line.finish()
        guard group.isLeader else { return }
        report.source = evaluated
        // The table goes out before the files are written, so a failed write loses nothing.
        print(EvaluationFiles.table(report))
        var failure: Error?
        do {
            try EvaluationFiles.write(report, to: directory)
            print("wrote \((directory as NSString).appendingPathComponent("evaluation.csv")) and evaluation.json")
        } catch {
            failure = error
        }
        if json { print(EvaluationFiles.summaryJSON(report)) }
        if let failure { throw UnsavedResultsError(directory: directory, cause: failure) }
    }
}
