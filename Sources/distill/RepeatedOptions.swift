// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import ArgumentParser
import Foundation

/// A single-valued option given more than once: ArgumentParser keeps the last
/// value silently, so `--out a --out b` would write only b.
struct RepeatedOptionError: Error, CustomStringConvertible {
    /// The option's preferred spelling, e.g. `--out`.
    let option: String
    /// Every value given, in order.
    let values: [String]

    var description: String {
        let times = values.count == 2 ? "twice" : "\(values.count) times"
        return "\(option) is given \(times) (\(values.joined(separator: ", "))); give it once"
    }
}

/// Finds single-valued options given more than once, from ArgumentParser's own
/// description of the commands (the JSON `--experimental-dump-help` prints), so
/// that every option of every command is covered without a list to keep.
///
/// Options that take several values by design (arrays such as `--settings`) and
/// flags are left alone.
struct RepeatedOptions {
    /// One command of ArgumentParser's description, with the fields read here.
    struct Command: Decodable {
        var commandName: String
        var arguments: [Argument]?
        var subcommands: [Command]?
    }

    struct Argument: Decodable {
        var kind: String
        var isRepeating: Bool
        var names: [Name]?
        var preferredName: Name?
        var parsingStrategy: String
    }

    struct Name: Decodable {
        var kind: String
        var name: String

        /// As typed: `--out`, `-o`, or `-out` for a long name with a single dash.
        var spelled: String { (kind == "long" ? "--" : "-") + name }
    }

    private struct ToolInfo: Decodable {
        var command: Command
    }

    let root: Command

    /// The commands under `command`'s type, as ArgumentParser describes them.
    init(_ command: ParsableCommand.Type) throws {
        root = try JSONDecoder().decode(ToolInfo.self, from: Data(command._dumpHelp().utf8)).command
    }

    /// The command `arguments` name (the subcommand words at their start) and the rest of them.
    func command(for arguments: [String]) -> (command: Command, options: ArraySlice<String>) {
        var command = root
        var rest = arguments[...]
        while let word = rest.first, let next = command.subcommands?.first(where: { $0.commandName == word }) {
            command = next
            rest = rest.dropFirst()
        }
        return (command, rest)
    }

    /// Refuses a single-valued option of the command that `arguments` (without the program's
    /// name) run, given more than once, spelled `--opt value`, `--opt=value` or by an alias.
    /// - Throws: `RepeatedOptionError` for the first such option.
    func check(_ arguments: [String]) throws {
        let (target, words) = command(for: arguments)
        var options: [String: Argument] = [:]
        for argument in target.arguments ?? [] where argument.kind == "option" {
            for name in argument.names ?? [] { options[name.spelled] = argument }
        }
        var given: [String: [String]] = [:]
        var order: [String] = []
        var index = words.startIndex
        while index < words.endIndex {
            let word = words[index]
            index += 1
            if word == "--" { break }
            let equals = word.firstIndex(of: "=")
            let spelling = equals.map { String(word[..<$0]) } ?? word
            let attached = equals.map { String(word[word.index(after: $0)...]) }
            guard let argument = options[spelling] else { continue }
            if argument.isRepeating {
                // Its values run to the next option; none of them is an option to count.
                while attached == nil, index < words.endIndex, !words[index].hasPrefix("-") { index += 1 }
                continue
            }
            var value = attached
            // The value is the next word, as ArgumentParser reads it: always for `.unconditional`,
            // else when it is not an option.
            if value == nil, index < words.endIndex,
                argument.parsingStrategy == "unconditional" || !words[index].hasPrefix("-")
            {
                value = words[index]
                index += 1
            }
            let option = argument.preferredName?.spelled ?? spelling
            if given[option] == nil { order.append(option) }
            given[option, default: []].append(value ?? "")
        }
        if let option = order.first(where: { given[$0]!.count > 1 }) {
            throw RepeatedOptionError(option: option, values: given[option]!)
        }
    }
}
