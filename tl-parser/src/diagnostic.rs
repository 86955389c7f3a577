//! Errors and warnings about a schema, with the span they refer to, and a
//! rustc-style renderer.

use std::fmt;

use crate::ast::Span;

/// How serious a [`Diagnostic`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Severity {
    /// The schema is invalid; [`crate::parse`] returns `Err`.
    Error,
    /// The schema is usable but something is suspicious (for example an
    /// explicit `#id` that differs from the computed one).
    Warning,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        })
    }
}

/// One problem found in a schema.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The bytes of the source the problem is about. May be empty (for
    /// example at the end of the file).
    pub span: Span,
    /// What is wrong, usually `expected …, found …`.
    pub message: String,
    /// Extra context: where an earlier definition is, what a normalized form
    /// looks like, how to fix it.
    pub note: Option<String>,
}

impl Diagnostic {
    /// An error at `span`.
    pub fn error(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            span,
            message: message.into(),
            note: None,
        }
    }

    /// A warning at `span`.
    pub fn warning(span: Span, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            span,
            message: message.into(),
            note: None,
        }
    }

    /// The same diagnostic with a note attached.
    pub fn with_note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    /// Whether this is an [`Severity::Error`].
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic the way rustc does: a `FILE:LINE:COL: error:
    /// MESSAGE` header, the source line, and carets under the span. Lines
    /// and columns are 1-based; columns count characters, not bytes.
    ///
    /// ```
    /// use tl_parser::{Diagnostic, Span};
    /// let src = "foo a:Bar = Baz;\n";
    /// let d = Diagnostic::error(Span::new(6, 9), "unknown type `Bar`");
    /// assert_eq!(
    ///     d.render("x.tl", src),
    ///     "x.tl:1:7: error: unknown type `Bar`\n  |\n1 | foo a:Bar = Baz;\n  |       ^^^\n"
    /// );
    /// ```
    pub fn render(&self, file: &str, source: &str) -> String {
        self.render_as(self.severity, file, source)
    }

    /// Like [`Diagnostic::render`], but labelled with `severity` (used to
    /// show denied warnings as errors).
    pub fn render_as(&self, severity: Severity, file: &str, source: &str) -> String {
        let start = clamp_to_char_boundary(source, self.span.start);
        let end = clamp_to_char_boundary(source, self.span.end.max(start));
        let (line, col) = line_col(source, start);

        let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
        let line_end = source[start..]
            .find('\n')
            .map_or(source.len(), |i| start + i);
        let text = &source[line_start..line_end];
        let text = text.strip_suffix('\r').unwrap_or(text);

        // Columns of the span on its first line, in chars, 0-based.
        let caret_from = col - 1;
        let span_chars = source[start..end.min(line_end)].chars().count();
        let caret_to = caret_from + span_chars.max(1);

        let (shown, caret_from, caret_to) = window(text, caret_from, caret_to);

        let gutter = line.to_string().len();
        let pad = " ".repeat(gutter);
        let mut out = format!("{file}:{line}:{col}: {severity}: {}\n", self.message);
        out.push_str(&format!("{pad} |\n"));
        out.push_str(&format!("{line} | {shown}\n"));
        out.push_str(&format!(
            "{pad} | {}{}\n",
            " ".repeat(caret_from),
            "^".repeat(caret_to - caret_from)
        ));
        if let Some(note) = &self.note {
            out.push_str(&format!("{pad} = note: {note}\n"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.severity, self.message)
    }
}

impl std::error::Error for Diagnostic {}

/// How many characters of a long source line are shown around the span.
const WINDOW: usize = 100;
/// How many characters are shown before the span when the line is cut.
const WINDOW_BEFORE: usize = 30;

/// Cuts a long line down to a window around the carets, so a diagnostic on
/// a 1 MB line stays readable. Returns the text to show and the caret
/// columns within it. Control characters become `�` so that binary garbage
/// cannot drive the terminal; each stays one column wide.
fn window(text: &str, from: usize, to: usize) -> (String, usize, usize) {
    let first = if text.chars().nth(WINDOW).is_some() {
        from.saturating_sub(WINDOW_BEFORE)
    } else {
        0
    };
    let prefix = if first > 0 { "…" } else { "" };
    let shown: String = text
        .chars()
        .skip(first)
        .take(WINDOW)
        .map(|c| match c {
            '\t' => ' ',
            c if c.is_control() => '\u{fffd}',
            c => c,
        })
        .collect();
    let shown_len = shown.chars().count();
    let more = text.chars().nth(first + WINDOW).is_some();
    let suffix = if more { "…" } else { "" };
    let offset = prefix.chars().count();
    let from = from - first + offset;
    // The caret may sit one past the end (a span at the end of the line);
    // longer spans are cut at the window's edge.
    let to = (to - first + offset)
        .min(offset + shown_len + 1)
        .max(from + 1);
    (format!("{prefix}{shown}{suffix}"), from, to)
}

fn clamp_to_char_boundary(source: &str, offset: usize) -> usize {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The 1-based line and column (counted in characters) of a byte offset.
/// Offsets past the end are clamped to the end; offsets inside a multi-byte
/// character count as that character.
///
/// ```
/// assert_eq!(tl_parser::diagnostic::line_col("ab\ncé d", 7), (2, 4));
/// ```
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = clamp_to_char_boundary(source, offset);
    let before = &source[..offset];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars() {
        assert_eq!(line_col("", 0), (1, 1));
        assert_eq!(line_col("abc", 2), (1, 3));
        assert_eq!(line_col("a\nb", 2), (2, 1));
        assert_eq!(line_col("é\né", 5), (2, 2));
        assert_eq!(line_col("é", 1), (1, 1));
        assert_eq!(line_col("ab", 99), (1, 3));
    }

    #[test]
    fn render_at_end_of_file_points_past_the_line() {
        let d = Diagnostic::error(Span::new(3, 3), "expected `=`");
        assert_eq!(
            d.render("f", "foo"),
            "f:1:4: error: expected `=`\n  |\n1 | foo\n  |    ^\n"
        );
    }

    #[test]
    fn render_huge_line_is_bounded() {
        let src = "x".repeat(1 << 20);
        let d = Diagnostic::error(Span::new(500_000, 500_003), "bad");
        let out = d.render("f", &src);
        assert!(out.len() < 400, "{}", out.len());
        assert!(out.starts_with("f:1:500001: error: bad\n"));
        let lines: Vec<&str> = out.lines().collect();
        let caret_col = lines[3].find('^').unwrap();
        // The caret sits under the 31st shown character after the `…`.
        assert_eq!(lines[2].chars().nth(caret_col).unwrap(), 'x');
        assert_eq!(lines[3].matches('^').count(), 3);
    }

    #[test]
    fn render_multiline_span_stops_at_line_end_and_shows_note() {
        let src = "ab\ncd\n";
        let d = Diagnostic::warning(Span::new(1, 5), "w").with_note("n");
        assert_eq!(
            d.render("f", src),
            "f:1:2: warning: w\n  |\n1 | ab\n  |  ^\n  = note: n\n"
        );
    }

    #[test]
    fn render_replaces_control_characters() {
        let src = "a\u{1b}[2Jb";
        let d = Diagnostic::error(Span::new(1, 2), "garbage");
        let out = d.render("f", src);
        assert!(!out.contains('\u{1b}'));
        assert!(out.contains("a\u{fffd}[2Jb"));
    }
}
