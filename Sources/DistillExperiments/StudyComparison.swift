// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import Foundation

/// A pair of study settings to compare besides the baseline, written
/// `SETTING vs CONTROL`, e.g. `dsa+pool=paper vs dsa` (the pool's effect under
/// DSA). Its row in the study's tables is SETTING minus CONTROL, paired by
/// network seed like the differences to the baseline: a control that differs
/// in one thing measures that thing alone.
public struct StudyComparison: Sendable, Codable, Equatable, CustomStringConvertible {
    public var setting: StudySetting
    public var control: StudySetting

    /// Parses the written form (`GeneralizationStudy.validate` checks that both sides are among its settings).
    /// - Throws: `ExperimentError.invalidSetting` naming what is wrong.
    public init(parsing text: String) throws {
        let sides = text.components(separatedBy: " vs ").map { $0.trimmingCharacters(in: .whitespaces) }
        guard sides.count == 2, !sides.contains("") else {
            throw ExperimentError.invalidSetting(
                name: "--compare", value: "'\(text)'", requirement: "write SETTING vs CONTROL, e.g. 'dsa+pool=paper vs dsa'")
        }
        setting = try StudySetting(parsing: sides[0], comparedIn: text)
        control = try StudySetting(parsing: sides[1], comparedIn: text)
    }

    public init(setting: StudySetting, control: StudySetting) {
        self.setting = setting
        self.control = control
    }

    public var description: String { "\(setting) vs \(control)" }
}
