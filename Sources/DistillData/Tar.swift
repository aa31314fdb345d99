// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// One regular file read from a tar archive.
public struct TarEntry: Sendable, Equatable {
    /// Path inside the archive (the ustar prefix joined to the name).
    public var name: String
    public var contents: [UInt8]

    public init(name: String, contents: [UInt8]) {
        self.name = name
        self.contents = contents
    }
}

/// A minimal streaming reader of ustar (POSIX and GNU) tar archives.
///
/// It keeps regular files (type `0`, NUL or `7`) and skips every other entry
/// type: directories, links, and pax or GNU extension headers. Bytes may be
/// fed in pieces of any size, so a `.tar.gz` can be read straight out of the
/// gzip stream without holding the whole archive. Only the members that
/// `wanted` accepts are kept in memory.
///
/// Layout of a 512-byte header (offsets in bytes):
/// ```
/// name 0..<100   size 124..<136 (octal)   checksum 148..<156   type 156
/// magic 257..<263 ("ustar\0" for POSIX)   prefix 345..<500 (POSIX only)
/// ```
/// Member data follows its header, padded with zeros to a multiple of 512.
public struct TarReader {
    private enum State {
        case header
        case body(name: String, remaining: Int, keep: Bool, padding: Int)
        case padding(remaining: Int)
        case end
    }

    private let source: String
    private let wanted: (String) -> Bool
    private var state = State.header
    private var headerBytes = [UInt8]()
    private var current = [UInt8]()
    /// Archive bytes consumed so far, for error messages.
    private var position = 0
    /// The regular files read so far that `wanted` accepted, in archive order.
    public private(set) var entries = [TarEntry]()

    /// - Parameters:
    ///   - source: the archive's file name, used in error messages.
    ///   - wanted: which member names to keep; every regular file by default.
    public init(source: String, wanted: @escaping (String) -> Bool = { _ in true }) {
        self.source = source
        self.wanted = wanted
        headerBytes.reserveCapacity(512)
    }

    /// Reads every wanted regular file of an archive held in memory.
    public static func entries(in archive: [UInt8], source: String, wanted: @escaping (String) -> Bool = { _ in true })
        throws -> [TarEntry]
    {
        var reader = TarReader(source: source, wanted: wanted)
        try archive.withUnsafeBytes { try reader.consume($0) }
        try reader.finish()
        return reader.entries
    }

    /// Feeds the next piece of the archive.
    /// - Throws: `DatasetError.corrupt` for a header that fails its checksum or has a bad size field.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws {
        var index = 0
        while index < bytes.count {
            switch state {
            case .end:
                return
            case .header:
                let take = min(512 - headerBytes.count, bytes.count - index)
                headerBytes.append(contentsOf: bytes[index..<(index + take)])
                index += take
                position += take
                if headerBytes.count == 512 {
                    try startEntry()
                    headerBytes.removeAll(keepingCapacity: true)
                }
            case .body(let name, let remaining, let keep, let padding):
                let take = min(remaining, bytes.count - index)
                if keep { current.append(contentsOf: bytes[index..<(index + take)]) }
                index += take
                position += take
                if take == remaining {
                    if keep {
                        entries.append(TarEntry(name: name, contents: current))
                        current = []
                    }
                    state = padding > 0 ? .padding(remaining: padding) : .header
                } else {
                    state = .body(name: name, remaining: remaining - take, keep: keep, padding: padding)
                }
            case .padding(let remaining):
                let take = min(remaining, bytes.count - index)
                index += take
                position += take
                state = take == remaining ? .header : .padding(remaining: remaining - take)
            }
        }
    }

    /// Checks that the archive did not stop inside a header or a member.
    /// - Throws: `DatasetError.corrupt` naming the member that was cut off.
    public mutating func finish() throws {
        switch state {
        case .header where !headerBytes.isEmpty:
            throw corrupt("archive is truncated: it ends inside a header at byte \(position)")
        case .body(let name, let remaining, _, _):
            throw corrupt("archive is truncated: member \(name) lacks its last \(remaining) bytes")
        default:
            break
        }
    }

    private mutating func startEntry() throws {
        let header = headerBytes
        if header.allSatisfy({ $0 == 0 }) {
            state = .end  // The first of the two zero blocks that close an archive.
            return
        }
        let start = position - 512
        // The checksum counts its own field as eight spaces.
        let actual = header[0..<148].reduce(0) { $0 + Int($1) } + 8 * 32 + header[156..<512].reduce(0) { $0 + Int($1) }
        guard let stored = Self.octal(header[148..<156]), stored == actual else {
            throw corrupt("tar header at byte \(start) fails its checksum (not a tar archive, or damaged)")
        }
        guard let size = Self.octal(header[124..<136]) else {
            throw corrupt("tar header at byte \(start) has an invalid size field")
        }
        var name = Self.string(header[0..<100])
        let isPOSIX = header[257..<263].elementsEqual(Array("ustar\0".utf8))
        if isPOSIX {
            let prefix = Self.string(header[345..<500])
            if !prefix.isEmpty { name = prefix + "/" + name }
        }
        let type = header[156]
        let isRegular = type == UInt8(ascii: "0") || type == 0 || type == UInt8(ascii: "7")
        let keep = isRegular && wanted(name)
        let padding = (512 - size % 512) % 512
        if size == 0 {
            if keep { entries.append(TarEntry(name: name, contents: [])) }
            state = .header
        } else {
            // The size field is untrusted until the bytes arrive; reserve at most 1 MiB ahead of them.
            current.reserveCapacity(keep ? min(size, 1 << 20) : 0)
            state = .body(name: name, remaining: size, keep: keep, padding: padding)
        }
    }

    private func corrupt(_ reason: String) -> DatasetError {
        .corrupt(path: source, reason: reason, dataset: nil)
    }

    /// Parses an octal field padded with NULs or spaces; nil when it holds no
    /// digits, a non-octal character, or more digits than an `Int` can take.
    private static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        var value = 0, digits = 0
        for byte in field {
            if byte == 0 || byte == UInt8(ascii: " ") {
                if digits > 0 { break } else { continue }
            }
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "7"), digits < 21 else { return nil }
            value = value * 8 + Int(byte - UInt8(ascii: "0"))
            digits += 1
        }
        return digits > 0 ? value : nil
    }

    private static func string(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }
}
