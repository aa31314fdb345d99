// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillAutograd
import DistillTensor

/// A layer or network: named parameters, named buffers, named children and a
/// training mode, enumerated in PyTorch `state_dict` order.
///
/// A module lists its own parameters first (in registration order), then its
/// own buffers, then each child's entries under the child's key. Keys are the
/// PyTorch spellings (`weight`, `running_mean`, `features`, `0`), so the
/// dotted names (`features.0.weight`, `layer2.0.shortcut.1.running_mean`)
/// match a PyTorch `state_dict` of the same architecture.
///
/// Subclasses pass their parameters to `init(parameters:)`, register
/// children with `registerChild(_:_:)` and read their tensors with
/// `parameter(_:)`; modules with buffers override `localBuffers` and
/// `loadLocalBuffer(_:_:)`. Modules are reference types: a network is one
/// object graph whose parameters change in place.
open class Module {
    /// Whether the module is in training mode (the default); see `train()` and `eval()`.
    public private(set) var isTraining = true
    private var ownParameterKeys: [String] = []
    private var ownParameters: [Tensor] = []
    private var childEntries: [(key: String, module: Module)] = []

    /// A module with no parameters of its own.
    public init() {}

    /// A module owning `parameters` (in `state_dict` order), each stored as a
    /// leaf variable.
    public init(parameters: [(key: String, value: NDArray)]) {
        ownParameterKeys = parameters.map(\.key)
        ownParameters = parameters.map { Tensor($0.value).requiringGradient() }
        precondition(
            Set(ownParameterKeys).count == ownParameterKeys.count, "Module: duplicate parameter keys \(ownParameterKeys)")
    }

    // MARK: - Registration

    /// Adds `module` as a child under `key`; its entries appear after this
    /// module's own tensors and after earlier children.
    public final func registerChild(_ key: String, _ module: Module) {
        precondition(!childEntries.contains { $0.key == key }, "Module.registerChild: duplicate key \(key)")
        childEntries.append((key, module))
    }

    /// The current value of this module's own parameter `key`.
    public final func parameter(_ key: String) -> Tensor {
        guard let index = ownParameterKeys.firstIndex(of: key) else {
            preconditionFailure("Module.parameter: \(type(of: self)) has no parameter \(key)")
        }
        return ownParameters[index]
    }

    /// Whether this module owns a parameter named `key`.
    public final func hasParameter(_ key: String) -> Bool { ownParameterKeys.contains(key) }

    /// Children in registration order, with their keys.
    public final var children: [(key: String, module: Module)] { childEntries }

    /// This module and every descendant, depth first in `state_dict` order
    /// (PyTorch's `modules()`); for example to find the `BatchNorm2d` layers.
    public final func modules() -> [Module] {
        var result: [Module] = []
        visitModules { _, module in result.append(module) }
        return result
    }

    // MARK: - Buffers

    /// The module's own buffers in `state_dict` order (none by default).
    open var localBuffers: [(key: String, value: StateTensor)] { [] }

    /// Replaces one of the module's own buffers with a loaded value whose key
    /// and shape have already been checked against `localBuffers`.
    open func loadLocalBuffer(_ key: String, _ value: StateTensor) {
        preconditionFailure("Module.loadLocalBuffer: \(type(of: self)) has no buffer \(key)")
    }

    // MARK: - Mode

    /// Puts this module and every descendant in training mode.
    public final func train() { setTraining(true) }

    /// Puts this module and every descendant in evaluation mode.
    public final func eval() { setTraining(false) }

    /// Sets the mode of this module and every descendant.
    public final func setTraining(_ training: Bool) {
        isTraining = training
        for child in childEntries { child.module.setTraining(training) }
    }

    // MARK: - Parameters

    /// Every parameter, in `state_dict` order.
    public final var parameters: [Tensor] {
        var result: [Tensor] = []
        visitParameters { _, module, index in result.append(module.ownParameters[index]) }
        return result
    }

    /// Every parameter with its dotted `state_dict` name, in order.
    public final func namedParameters() -> [(name: String, tensor: Tensor)] {
        var result: [(name: String, tensor: Tensor)] = []
        visitParameters { name, module, index in result.append((name, module.ownParameters[index])) }
        return result
    }

    /// The total number of parameter elements.
    public final var parameterCount: Int {
        parameters.reduce(0) { $0 + $1.count }
    }

    /// Replaces every parameter at once, in the order of `parameters`.
    ///
    /// The tensors are stored as given: pass leaf variables
    /// (`requiringGradient()`) to differentiate with respect to them later, or
    /// constants to freeze them.
    ///
    /// - Parameter values: one tensor per parameter, each shaped like the one it replaces.
    public final func setParameters(_ values: [Tensor]) {
        var locations: [(Module, Int)] = []
        visitParameters { _, module, index in locations.append((module, index)) }
        precondition(
            values.count == locations.count,
            "Module.setParameters: \(values.count) tensors for \(locations.count) parameters")
        for ((module, index), value) in zip(locations, values) {
            precondition(
                value.shape == module.ownParameters[index].shape,
                "Module.setParameters: \(module.ownParameterKeys[index]) has shape "
                    + "\(module.ownParameters[index].shape), got \(value.shape)")
            module.ownParameters[index] = value
        }
    }

    /// Calls `body` for every parameter in `state_dict` order with its dotted
    /// name, its owning module and its slot index there.
    final func visitParameters(prefix: String = "", _ body: (String, Module, Int) -> Void) {
        for index in ownParameterKeys.indices { body(prefix + ownParameterKeys[index], self, index) }
        for child in childEntries { child.module.visitParameters(prefix: prefix + child.key + ".", body) }
    }

    /// Calls `body` for this module and then every descendant, depth first in
    /// `state_dict` order, with the module's key prefix (`""`, `"features.0."`, …).
    final func visitModules(prefix: String = "", _ body: (String, Module) throws -> Void) rethrows {
        try body(prefix, self)
        for child in childEntries { try child.module.visitModules(prefix: prefix + child.key + ".", body) }
    }

    /// Replaces a parameter found during a traversal (used by state-dict loading).
    final func replaceParameter(at index: Int, with value: Tensor) {
        ownParameters[index] = value
    }

    /// The keys of this module's own parameters, in order.
    final var localParameterKeys: [String] { ownParameterKeys }

    /// This module's own parameters, in order.
    final var localParameters: [Tensor] { ownParameters }
}

/// A module that maps one tensor to one tensor; `Sequential` holds these.
public protocol UnaryLayer: Module {
    /// Applies the module to `x` in the current training mode.
    func callAsFunction(_ x: Tensor) -> Tensor
}
