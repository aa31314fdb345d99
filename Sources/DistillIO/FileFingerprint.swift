// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// The size and FNV-1a 64-bit hash of a file's bytes: enough to notice that a
/// file an evaluation depends on was replaced, so cached results keyed on it
/// are computed again.
///
/// FNV-1a is not a cryptographic digest; it guards against accidents (a
/// retrained or truncated file), not against someone forging a collision.
///
///     hash = 0xcbf29ce484222325
///     for each byte b: hash = (hash XOR b) · 0x100000001b3   (mod 2⁶⁴)
public struct FileFingerprint: Sendable, Codable, Equatable, CustomStringConvertible {
    public var byteCount: Int
    /// The FNV-1a 64-bit hash, as 16 lowercase hexadecimal digits.
    public var fnv1a64: String

    public init(byteCount: Int, fnv1a64: String) {
        self.byteCount = byteCount
        self.fnv1a64 = fnv1a64
    }

    /// The fingerprint of `bytes`.
    public init(of bytes: Data) {
        let hash = bytes.withUnsafeBytes { FNV1a.hash($0) }
        let digits = String(hash, radix: 16)
        self.init(byteCount: bytes.count, fnv1a64: String(repeating: "0", count: 16 - digits.count) + digits)
    }

    /// `1234 bytes, FNV-1a 85944171f73967e8`.
    public var description: String { "\(byteCount) bytes, FNV-1a \(fnv1a64)" }
}

extension SafeTensorsFile {
    /// The fingerprint of the bytes this file was parsed from, so a reader can
    /// record exactly which version of the file it used.
    public var fingerprint: FileFingerprint { FileFingerprint(of: bytes) }
}

/// The FNV-1a 64-bit hash (above), also a seed component that, unlike Swift's
/// `Hasher`, is the same in every process.
public enum FNV1a {
    public static func hash(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }
}
