// swift-tools-version: 6.0
// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import PackageDescription

// Kernels are written against unsafe pointers; language mode 5 keeps the
// dispatch closures that capture them free of Sendable annotations.
let languageModes: [SwiftLanguageMode] = [.v5]

// The engine's kernels are written with 8-wide SIMD vectors; compiled for the
// x86-64 baseline (SSE2) each becomes two 4-wide halves with spills, at half
// speed or less. Haswell's instruction set (AVX2 and FMA, on every x86-64 CPU
// since 2013-15) makes them single AVX registers. The manifest is evaluated on the
// build machine, so this follows its architecture.
#if arch(x86_64)
let kernelSettings: [SwiftSetting] = [.unsafeFlags(["-target-cpu", "haswell"])]
#else
let kernelSettings: [SwiftSetting] = []
#endif

let package = Package(
    name: "distill",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "distill", targets: ["distill"]),
        .library(name: "DistillTensor", targets: ["DistillTensor"]),
        .library(name: "DistillAutograd", targets: ["DistillAutograd"]),
        .library(name: "DistillIO", targets: ["DistillIO"]),
        // For the fuzz targets in Fuzz/, which reach these readers and parsers through products.
        .library(name: "DistillData", targets: ["DistillData"]),
        .library(name: "DistillZoo", targets: ["DistillZoo"]),
        .library(name: "DistillMethods", targets: ["DistillMethods"]),
        .library(name: "DistillCluster", targets: ["DistillCluster"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // MARK: - System libraries

        .target(
            name: "CCBLAS",
            linkerSettings: [
                .linkedFramework("Accelerate", .when(platforms: [.macOS, .iOS])),
                .linkedLibrary("dl", .when(platforms: [.linux])),
            ]
        ),
        .systemLibrary(name: "CZlib"),
        .systemLibrary(name: "CLibPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),
        .systemLibrary(
            name: "CLibJPEG", pkgConfig: "libjpeg", providers: [.apt(["libjpeg62-turbo-dev"]), .brew(["jpeg-turbo"])]),
        .systemLibrary(
            name: "CLibArchive", pkgConfig: "libarchive", providers: [.apt(["libarchive-dev"]), .brew(["libarchive"])]),
        // libjpeg reports errors by longjmp; this C layer turns them into return codes Swift can read.
        .target(name: "CImageCodecs", dependencies: ["CLibPNG", "CLibJPEG"]),
        .systemLibrary(
            name: "COpenMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"]), .brew(["open-mpi"])]),
        // MPI_COMM_WORLD, MPI_BYTE and the operations are macros; this C layer calls MPI with them.
        .target(name: "CMPI", dependencies: ["COpenMPI"]),

        // MARK: - Public API

        .target(name: "DistillTensor", dependencies: ["CCBLAS"], swiftSettings: kernelSettings),
        // How the processes of one job share work; no transport of its own (see DistillMPI).
        .target(name: "DistillCluster"),
        // The ranks of an MPI job as a ProcessGroup, and the launcher detection.
        .target(name: "DistillMPI", dependencies: ["DistillCluster", "CMPI"]),
        .target(name: "DistillAutograd", dependencies: ["DistillTensor"]),
        .target(name: "DistillIO", dependencies: ["DistillTensor", "CLibArchive", "CImageCodecs"]),
        .target(name: "DistillNN", dependencies: ["DistillAutograd", "DistillIO"]),
        .target(name: "DistillZoo", dependencies: ["DistillNN"]),
        .target(
            name: "DistillData",
            dependencies: ["DistillTensor", "DistillAutograd", "DistillIO", "CZlib", "CImageCodecs", "CLibArchive"]
        ),
        .target(name: "DistillEval", dependencies: ["DistillNN", "DistillZoo", "DistillData", "DistillCluster"]),
        .target(name: "DistillMethods", dependencies: ["DistillNN", "DistillZoo", "DistillData", "DistillCluster"]),
        .target(
            name: "DistillExperiments",
            dependencies: ["DistillMethods", "DistillEval", "DistillIO", "DistillZoo", "DistillData", "DistillCluster"]
        ),
        .target(
            name: "DistillSelfTest",
            dependencies: [
                "DistillTensor", "DistillAutograd", "DistillIO", "DistillNN", "DistillZoo", "DistillData", "DistillMethods",
            ]
        ),
        .target(
            name: "DistillBench",
            dependencies: ["DistillTensor", "DistillAutograd", "DistillNN", "DistillZoo", "DistillMethods"]
        ),
        .executableTarget(
            name: "distill",
            dependencies: [
                "DistillTensor", "DistillAutograd", "DistillIO", "DistillNN", "DistillZoo", "DistillData",
                "DistillEval", "DistillMethods", "DistillExperiments", "DistillBench", "DistillSelfTest",
                "DistillCluster", "DistillMPI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Implementation details

        .target(
            name: "_DistillTestSupport",
            dependencies: ["DistillTensor", "DistillAutograd", "DistillIO", "DistillData", "DistillSelfTest"]
        ),

        // MARK: - Unit test bundles

        .testTarget(name: "DistillTensorTests", dependencies: ["DistillTensor", "_DistillTestSupport"]),
        .testTarget(name: "DistillAutogradTests", dependencies: ["DistillAutograd", "_DistillTestSupport"]),
        .testTarget(
            name: "DistillIOTests", dependencies: ["DistillIO", "DistillData", "DistillSelfTest", "_DistillTestSupport"]),
        .testTarget(name: "DistillNNTests", dependencies: ["DistillNN", "_DistillTestSupport"]),
        .testTarget(name: "DistillZooTests", dependencies: ["DistillZoo", "_DistillTestSupport"]),
        .testTarget(name: "DistillEvalTests", dependencies: ["DistillEval", "_DistillTestSupport"]),
        .testTarget(name: "DistillBenchTests", dependencies: ["DistillBench"]),
        .testTarget(name: "DistillClusterTests", dependencies: ["DistillCluster"]),
        .testTarget(name: "DistillMPITests", dependencies: ["DistillMPI"]),
        .testTarget(name: "DistillSelfTestTests", dependencies: ["DistillSelfTest", "DistillIO", "DistillTensor"]),
        .testTarget(
            name: "DistillDataTests", dependencies: ["DistillData", "CZlib", "CImageCodecs", "_DistillTestSupport"]),
        .testTarget(name: "DistillMethodsTests", dependencies: ["DistillMethods", "DistillIO", "_DistillTestSupport"]),
        .testTarget(
            name: "DistillExperimentsTests",
            dependencies: [
                "DistillExperiments", "DistillMethods", "DistillEval", "DistillIO", "DistillData", "DistillTensor", "DistillZoo",
                "_DistillTestSupport",
            ]
        ),
        // Runs the built `distill` binary, as a user does.
        .testTarget(
            name: "DistillCLITests",
            dependencies: ["distill", "DistillIO", "DistillData", "DistillEval", "DistillSelfTest", "DistillTensor", "_DistillTestSupport"]
        ),
    ],
    swiftLanguageModes: languageModes
)
