// Copyright 2026 The distill authors. Licensed under the Apache License, Version 2.0.

import DistillIO
import Foundation

/// A synthetic set as an HTML figure for a self-contained report: one block
/// per class, captioned with the class name, the class's images across in
/// one row (a PNG data URI at the images' own resolution, scaled up by the
/// page with `image-rendering: pixelated`). The blocks flow and wrap, so ten
/// classes of one image each take one or two lines of a laptop screen.
///
/// The page must include `SyntheticSetFigure.style` once.
struct SyntheticSetFigure {
    /// The CSS the figures rely on.
    static let style = """
        figure.set { margin: 0 0 1.5em; }
        figure.set > figcaption { font-weight: bold; margin-bottom: 0.4em; }
        .classes { display: flex; flex-wrap: wrap; gap: 0.6em 1em; align-items: flex-end; }
        figure.class { margin: 0; max-width: 100%; }
        figure.class figcaption { font-size: 0.85em; }
        figure.class img { display: block; max-width: 100%; height: auto; image-rendering: pixelated; border: 1px solid #ccc; }
        """

    let file: SyntheticSetFile
    /// The figure's caption.
    let caption: String
    /// Names by label, used when the file records none (`class_names`); labels
    /// past either list show as “class k”.
    let fallbackClassNames: [String]?

    /// The `<figure class="set">` element.
    /// - Throws: `SyntheticGridError` for a set that cannot be drawn.
    func html() throws -> String {
        let rows = try file.classRowPictures()
        let names = file.classNames ?? fallbackClassNames ?? []
        // A single image per class reads best at 3×; longer rows at 2× so several classes still share a line.
        let scale = rows.allSatisfy { $0.imageCount == 1 } ? 3 : 2
        let blocks = rows.map { row in
            let name = names.indices.contains(row.label) ? names[row.label] : "class \(row.label)"
            return "<figure class=\"class\"><figcaption>\(escapeHTML(name))</figcaption>"
                + "<img alt=\"\(escapeHTML(name)): \(row.imageCount) image\(row.imageCount == 1 ? "" : "s")\" "
                + "width=\"\(row.width * scale)\" height=\"\(row.height * scale)\" "
                + "src=\"data:image/png;base64,\(row.png.base64EncodedString())\"/></figure>"
        }
        return (["<figure class=\"set\"><figcaption>\(escapeHTML(caption))</figcaption>", "<div class=\"classes\">"]
            + blocks + ["</div></figure>"]).joined(separator: "\n")
    }
}
