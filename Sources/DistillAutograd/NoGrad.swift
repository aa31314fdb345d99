// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

/// Whether ops record the graph needed to differentiate them.
///
/// Recording is on by default. `withoutGradients` turns it off for a scope
/// (forward passes that are never differentiated, optimiser updates); it is
/// task-local state, so concurrent tasks do not affect each other.
public enum GradientMode {
    @TaskLocal static var recording = true

    /// Whether ops called here record their graph.
    public static var isRecording: Bool { recording }
}

/// Runs `body` with graph recording off: every op result is a constant.
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$recording.withValue(false, operation: body)
}

/// Runs `body` with graph recording on, even inside a no-grad scope.
public func withGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientMode.$recording.withValue(true, operation: body)
}
