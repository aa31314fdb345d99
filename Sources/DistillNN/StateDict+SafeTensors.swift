// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import DistillTensor

extension StateDict {
    /// Reads every tensor of a safetensors file: F32 and F64 as Float32, I64 as integers.
    ///
    /// Safetensors stores no order, so the entries come in name order; loading
    /// into a module matches them by name.
    /// - Throws: `SafeTensorsError` when the file cannot be read or is not valid safetensors.
    public init(contentsOf path: String) throws {
        try self.init(try SafeTensorsFile(contentsOf: path))
    }

    /// Every tensor of an already parsed safetensors file, as `init(contentsOf:)` reads them.
    /// - Throws: `SafeTensorsError` from the accessors, which the header validated when the file was parsed.
    public init(_ file: SafeTensorsFile) throws {
        self.init()
        for name in file.names {
            if try file.info(name).dtype == .int64 {
                let (shape, values) = try file.integers(name)
                self[name] = .int64(shape: shape, values: values)
            } else {
                self[name] = .float(try file.floats(name))
            }
        }
    }

    /// Writes the entries to `path` as safetensors (F32 and I64), atomically.
    /// - Throws: the file-system error of the write; no partial file is left behind.
    public func write(to path: String, metadata: [String: String] = [:]) throws {
        var tensors: [String: SafeTensorsEntry] = [:]
        for (key, value) in entries {
            switch value {
            case let .float(array): tensors[key] = SafeTensorsEntry(array)
            case let .int64(shape, values): tensors[key] = SafeTensorsEntry(shape: shape, integers: values)
            }
        }
        try SafeTensors.write(tensors, metadata: metadata, to: path)
    }
}

extension Module {
    /// Saves `stateDict()` to a safetensors file at `path`, atomically, with the
    /// PyTorch names (so `torch.nn.Module.load_state_dict(safetensors.torch.load_file(path))` accepts it).
    /// - Throws: the file-system error of the write.
    public func saveStateDict(to path: String) throws {
        try stateDict().write(to: path)
    }

    /// Loads parameters and buffers from a safetensors file written by
    /// `saveStateDict(to:)` or by PyTorch, matching entries by name.
    /// - Throws: `SafeTensorsError` for an unreadable file, `StateDictError`
    ///   for a missing, extra or mis-shaped entry (the module is then unchanged).
    public func loadStateDict(from path: String) throws {
        try load(stateDict: StateDict(contentsOf: path))
    }
}
