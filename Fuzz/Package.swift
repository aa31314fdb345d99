// swift-tools-version: 6.0
// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import PackageDescription

// libFuzzer targets for distill's readers and parsers, built and run by
// Scripts/fuzz with `-sanitize=fuzzer`: each target's main hands its
// LLVMFuzzerTestOneInput to libFuzzer's driver. A separate package, so that
// the main build never compiles or links them.
let targets: [(name: String, module: String)] = [
    ("safetensors", "DistillIO"), ("npz", "DistillIO"), ("idx", "DistillData"), ("gzip", "DistillData"), ("tar", "DistillData"),
    ("checkpoint", "DistillMethods"), ("pool-spec", "DistillMethods"), ("convnet-spec", "DistillZoo"),
]

let package = Package(
    name: "distill-fuzz",
    dependencies: [.package(name: "distill", path: "..")],
    targets: [.target(name: "FuzzDriver", path: "Driver")]
        + targets.map { target in
            .executableTarget(
                name: "fuzz-\(target.name)",
                dependencies: ["FuzzDriver", .product(name: target.module, package: "distill")],
                path: "Targets/\(target.name)")
        },
    swiftLanguageModes: [.v5]
)
