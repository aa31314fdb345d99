// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// One named benchmark: how to build a step of work, and how much work a step is.
///
/// `prepare` runs once, untimed, and returns the step that is timed; inputs
/// are made there so that allocation and random draws are not measured.
public struct Workload {
    /// Key prefix in reports, e.g. `conv3x3_128_fwd_bwd` (reported as `…_gflops`).
    public var name: String
    /// Problem sizes, in the order they are printed.
    public var sizes: KeyValuePairs<String, Int>
    /// Floating-point operations per step; nil for workloads reported in seconds only.
    public var flops: Double?
    /// Whether to report the peak resident memory of the timed runs.
    public var measuresPeakMemory: Bool
    /// Builds the inputs and returns the step to time.
    public var prepare: () -> () -> Void

    public init(
        name: String, sizes: KeyValuePairs<String, Int>, flops: Double?, measuresPeakMemory: Bool = false,
        prepare: @escaping () -> () -> Void
    ) {
        self.name = name
        self.sizes = sizes
        self.flops = flops
        self.measuresPeakMemory = measuresPeakMemory
        self.prepare = prepare
    }
}

/// The timing of one workload.
public struct Measurement {
    public var workload: Workload
    /// Median wall-clock seconds of one step over the timed repeats.
    public var seconds: Double
    /// Every timed repeat, in run order.
    public var samples: [Double]
    /// Peak resident memory in MiB while the step ran (inputs included), when measured.
    public var peakResidentMegabytes: Double?

    /// Throughput in GFLOP/s, when the workload counts its FLOPs.
    public var gflops: Double? { workload.flops.map { $0 / seconds / 1e9 } }
}

extension Workload {
    /// Times the step: one untimed warm-up (page faults, BLAS thread start-up,
    /// cache warm-up), then `repeats` timed runs; reports the median.
    ///
    /// - Parameters:
    ///   - repeats: timed runs, at least 1.
    ///   - progress: called before each run with a short status line.
    public func measure(repeats: Int, progress: (String) -> Void = { _ in }) -> Measurement {
        precondition(repeats >= 1, "Workload.measure: repeats must be at least 1, got \(repeats)")
        // The peak is taken over preparation and every run, so the inputs count.
        if measuresPeakMemory { PeakMemory.reset() }
        let step = prepare()
        progress("\(name): warm-up")
        step()
        var samples: [Double] = []
        let clock = ContinuousClock()
        for run in 1...repeats {
            progress("\(name): run \(run)/\(repeats)")
            let elapsed = clock.measure(step)
            samples.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
        }
        return Measurement(
            workload: self, seconds: median(samples), samples: samples,
            peakResidentMegabytes: measuresPeakMemory ? PeakMemory.megabytes : nil)
    }
}

/// Median of a non-empty list (mean of the middle two for an even count).
func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    let middle = sorted.count / 2
    return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}
