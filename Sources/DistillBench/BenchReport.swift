// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// The results of a benchmark run, printable as a table or as one JSON object.
public struct BenchReport {
    public var measurements: [Measurement]
    /// `BLAS.description`, e.g. "OpenBLAS 0.3.21 … (SkylakeX kernels)".
    public var blas: String
    /// Worker threads of the engine (`Parallel.coreCount`).
    public var threads: Int
    /// Timed runs per workload.
    public var repeats: Int

    public init(measurements: [Measurement], blas: String, threads: Int, repeats: Int) {
        self.measurements = measurements
        self.blas = blas
        self.threads = threads
        self.repeats = repeats
    }

    /// A human-readable table, one row per workload, columns aligned.
    public var table: String {
        let header = ["workload", "GFLOP/s", "median ms", "peak MiB", "sizes"]
        let rows = measurements.map { m in
            [
                m.workload.name,
                m.gflops.map { format($0, decimals: 1) } ?? "-",
                format(m.seconds * 1000, decimals: 2),
                m.peakResidentMegabytes.map { format($0, decimals: 0) } ?? "-",
                m.workload.sizes.map { "\($0.key)=\($0.value)" }.joined(separator: " "),
            ]
        }
        let widths = header.indices.map { column in ([header] + rows).map { $0[column].count }.max()! }
        let line: ([String]) -> String = { cells in
            cells.enumerated().map { column, cell in
                // Numbers right-aligned, text left-aligned; the last column is not padded.
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                if column == cells.count - 1 { return cell }
                return (1...3).contains(column) ? pad + cell : cell + pad
            }.joined(separator: "  ")
        }
        var lines = [line(header)] + rows.map(line)
        lines.append("blas: \(blas)")
        lines.append("threads: \(threads), repeats: \(repeats) (median after one warm-up)")
        return lines.joined(separator: "\n")
    }

    /// One JSON object on one line: per workload `<name>_s` (median seconds),
    /// `<name>_gflops` when it counts FLOPs and `<name>_peak_rss_mb` when it
    /// measures memory; then `blas`, `threads`, `repeats`, `seconds` (median
    /// per workload) and `sizes` (per workload).
    public var json: String {
        var fields: [String] = []
        for m in measurements {
            fields.append("\(quoted(m.workload.name + "_s")): \(format(m.seconds, decimals: 6))")
            if let gflops = m.gflops {
                fields.append("\(quoted(m.workload.name + "_gflops")): \(format(gflops, decimals: 2))")
            }
            if let megabytes = m.peakResidentMegabytes {
                fields.append("\(quoted(m.workload.name + "_peak_rss_mb")): \(format(megabytes, decimals: 1))")
            }
        }
        fields.append("\"blas\": \(quoted(blas))")
        fields.append("\"threads\": \(threads)")
        fields.append("\"repeats\": \(repeats)")
        let seconds = measurements.map { "\(quoted($0.workload.name)): \(format($0.seconds, decimals: 6))" }
        fields.append("\"seconds\": {\(seconds.joined(separator: ", "))}")
        let sizes = measurements.map { m in
            let entries = m.workload.sizes.map { "\(quoted($0.key)): \($0.value)" }.joined(separator: ", ")
            return "\(quoted(m.workload.name)): {\(entries)}"
        }
        fields.append("\"sizes\": {\(sizes.joined(separator: ", "))}")
        return "{" + fields.joined(separator: ", ") + "}"
    }
}

/// `value` rounded to `decimals` places, without exponent notation.
func format(_ value: Double, decimals: Int) -> String {
    guard value.isFinite else { return "null" }
    var scale = 1.0
    for _ in 0..<decimals { scale *= 10 }
    let scaled = (abs(value) * scale).rounded()
    let whole = Int(scaled / scale)
    let fraction = Int(scaled - Double(whole) * scale)
    let sign = value < 0 && scaled > 0 ? "-" : ""
    guard decimals > 0 else { return "\(sign)\(whole)" }
    let digits = String(fraction)
    return "\(sign)\(whole)." + String(repeating: "0", count: decimals - digits.count) + digits
}

/// `text` as a JSON string literal.
func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
