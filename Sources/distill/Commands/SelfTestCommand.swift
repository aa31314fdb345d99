// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import DistillSelfTest
import DistillTensor
import Foundation

struct SelfTestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "selftest",
        abstract: "Check this build on this CPU against the float64 golden references.",
        discussion: """
            Runs every op, network (logits, loss, every parameter gradient), augmentation and DC/DM \
            matching case of the golden files in --golden (default: the copies shipped in Tests/Fixtures) \
            and compares each value with its own tolerance from tolerances.json, nothing widened. Prints one \
            line per file and kernel set with the worst error/tolerance ratio and the failing keys; exits \
            non-zero on any failure. Run it on a new machine before trusting numbers. DISTILL_KERNELS, \
            DISTILL_CONV_ALGORITHM and DISTILL_BLAS_CORETYPE are honoured as in every command.
            """)

    @Option(help: "Directory holding the golden .safetensors files and tolerances.json.")
    var golden: String?

    @Option(help: "Comma-separated golden files to check, by name without .safetensors (e.g. ops,dc); default every standard file, which must all be there.")
    var only: String?

    @Flag(name: .customLong("all-kernels"), help: "Check under every kernel set this CPU runs, not only the active one.")
    var allKernels = false

    @Flag(help: "Print one JSON object on the last line instead of lines.")
    var json = false

    func validate() throws {
        try requirePath(golden, "--golden")
        if let names = commaSeparated(only), names.contains("") || Set(names).count != names.count {
            throw ValidationError("--only is empty or lists a name twice or empty; give comma-separated golden files such as ops,dc")
        }
        // A misspelt name is a usage error like a repeated one (exit 64), found before any file is read.
        do { try commaSeparated(only).map(SelfTest.checkNames) } catch { throw ValidationError("--only: \(error)") }
    }

    func run() throws {
        let directory = golden ?? Golden.fixturesDirectory
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory)
        guard exists, isDirectory.boolValue else {
            throw ValidationError(
                "golden directory \(directory) " + (exists ? "is not a directory" : "does not exist")
                    + (golden == nil ? "; pass --golden DIR" : ""))
        }
        let tolerances = (directory as NSString).appendingPathComponent("tolerances.json")
        guard FileManager.default.fileExists(atPath: tolerances)
        else { throw ValidationError("golden directory \(directory) has no tolerances.json") }
        // Read once here so that a malformed file is one message, not a failure of every check.
        _ = try GoldenTolerances(contentsOf: tolerances)
        let files = try commaSeparated(only).map { try SelfTest.files(named: $0, in: directory) } ?? SelfTest.files(in: directory)
        if let reason = BLAS.load() { throw ValidationError(reason) }
        let kernelSets = allKernels ? VectorKernels.supported : [VectorKernels.active]
        if !json {
            print("selftest: \(BLAS.description); kernels \(kernelSets.map(\.variableValue).joined(separator: ", ")); "
                + "convolution \(ConvolutionAlgorithm.active.rawValue); golden files in \(directory)")
        }
        var reports: [SelfTestReport] = []
        for file in files {
            for report in SelfTest.run(file, directory: directory, kernelSets: kernelSets) {
                reports.append(report)
                if !json { print(report.summary) }
            }
        }
        let failed = reports.filter { !$0.passed }
        if json {
            print(Self.json(reports))
        } else {
            print(failed.isEmpty
                ? "selftest: all \(reports.count) checks passed"
                : "selftest: \(failed.count) of \(reports.count) checks FAILED")
        }
        if !failed.isEmpty { throw ExitCode.failure }
    }

    private static func json(_ reports: [SelfTestReport]) -> String {
        let entries: [[String: Any]] = reports.map { report in
            var entry: [String: Any] = [
                "file": report.file, "kernels": report.kernels.variableValue, "passed": report.passed,
                "values": report.comparisons.count,
                "failures": report.failures.map { ["key": $0.key, "error": $0.error, "tolerance": $0.bound] },
            ]
            if let worst = report.worst { entry["worst"] = ["key": worst.key, "ratio": worst.ratio] }
            if let problem = report.problem { entry["problem"] = problem }
            return entry
        }
        let object: [String: Any] = [
            "blas": BLAS.description, "convolution": ConvolutionAlgorithm.active.rawValue,
            "passed": reports.allSatisfy(\.passed), "reports": entries,
        ]
        let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        return data.flatMap { String(data: $0, encoding: .utf8) } ?? "{}"
    }
}
