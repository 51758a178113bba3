//! One diagnostic for every error a user can see in a file they wrote (a scenario, the rule
//! catalogue, an expectations file) and the one way a position is shown (also under a failed
//! step): `--> file:line:col`, the source line and a caret under the column, as rustc and
//! Hurl do. The main type is [`Diagnostic`]; [`Location`] is its position. A leaf module: it
//! knows files and YAML, not scenarios.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::Serialize;

/// A line and column in a file (both 1-based; 0 when unknown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Pos {
    pub line: u64,
    pub col: u64,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// Where something was written: a file, the position when known, and that line's text (for
/// the caret).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Location {
    pub file: PathBuf,
    pub pos: Option<Pos>,
    #[serde(skip)]
    pub source_line: Option<String>,
}

impl Location {
    /// A position in `file`; `Pos::default()` (a value not read from a file) means unknown.
    pub fn new(file: &Path, pos: Option<Pos>) -> Location {
        Location {
            file: file.to_path_buf(),
            pos: pos.filter(|p| p.line > 0),
            source_line: None,
        }
    }

    /// The whole file, no position.
    pub fn file(file: &Path) -> Location {
        Location::new(file, None)
    }

    /// Keeps the text of the position's line from the file's contents.
    pub fn with_source(mut self, text: &str) -> Location {
        self.source_line = self
            .pos
            .and_then(|p| text.lines().nth(p.line as usize - 1))
            .map(str::to_string);
        self
    }

    /// `file:line:col`, or `file` when the position is unknown (reports, JUnit, findings).
    pub fn short(&self) -> String {
        match self.pos {
            Some(pos) => format!("{}:{pos}", self.file.display()),
            None => self.file.display().to_string(),
        }
    }

    /// The `-->` line, then the source line with a caret under the column when it is known.
    pub fn render(&self) -> String {
        let number = self.pos.map(|p| p.line.to_string()).unwrap_or_default();
        let pad = " ".repeat(number.len().max(1) + 1);
        let mut out = format!("{pad}--> {}\n", self.short());
        if let (Some(pos), Some(text)) = (self.pos, &self.source_line) {
            let caret = " ".repeat(pos.col.max(1) as usize - 1);
            let width = pad.len();
            out.push_str(&format!(
                "{pad} |\n{number:>width$} | {text}\n{pad} | {caret}^\n"
            ));
        }
        out
    }
}

/// What kind of problem a diagnostic reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The file could not be read.
    Read,
    /// Not YAML, or not the format (unknown field, wrong type).
    Syntax,
    /// Well-formed, but breaks a rule of the format (unknown rule id, undefined variable…).
    Invalid,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Read => "unreadable",
            Kind::Syntax => "malformed",
            Kind::Invalid => "invalid",
        }
    }
}

/// A problem in a file a user wrote, with its position. `Display` is the message and the
/// location (callers print it after `error: `); [`Diagnostic::render`] adds that prefix.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub kind: Kind,
    pub message: String,
    pub location: Location,
}

impl Diagnostic {
    pub fn new(kind: Kind, location: Location, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            kind,
            message: message.into(),
            location,
        }
    }

    pub fn read(file: &Path, err: &std::io::Error) -> Diagnostic {
        Diagnostic::new(
            Kind::Read,
            Location::file(file),
            format!("cannot read: {err}"),
        )
    }

    /// A YAML or format error at the reader's position.
    pub fn yaml(file: &Path, text: &str, err: &serde_saphyr::Error) -> Diagnostic {
        let pos = err.location().map(|l| Pos {
            line: l.line(),
            col: l.column(),
        });
        let location = Location::new(file, pos).with_source(text);
        Diagnostic::new(Kind::Syntax, location, first_line(&err.to_string()))
    }

    /// `error: MESSAGE` and the location, ending with a newline.
    pub fn render(&self) -> String {
        format!("error: {self}\n")
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n{}", self.message, self.location.render().trim_end())
    }
}

/// Several diagnostics (an expectations file lists every problem) as one text for a caller
/// that prints `error: ` before it.
pub fn render_all(diagnostics: &[Diagnostic]) -> String {
    let texts: Vec<String> = diagnostics.iter().map(ToString::to_string).collect();
    texts.join("\nerror: ")
}

/// Reads and parses a YAML file; the text comes back for later positions.
pub fn read_yaml<T: serde::de::DeserializeOwned>(path: &Path) -> Result<(T, String), Diagnostic> {
    let text = std::fs::read_to_string(path).map_err(|e| Diagnostic::read(path, &e))?;
    let value = serde_saphyr::from_str(&text).map_err(|e| Diagnostic::yaml(path, &text, &e))?;
    Ok((value, text))
}

/// serde-saphyr renders a source snippet after the message; the diagnostic shows its own.
/// The reader's first line also repeats the position; keep only the message.
fn first_line(text: &str) -> String {
    static POSITION: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^(error: )?line \d+ column \d+: ").expect("static regex")
    });
    let line = text.lines().next().unwrap_or("invalid YAML").trim();
    POSITION.replace(line, "").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_position_renders_with_its_source_line_and_a_caret() {
        let text = "id: x\ntitel: fine\n";
        let at = Location::new(Path::new("area/typo.yaml"), Some(Pos { line: 2, col: 3 }));
        let diagnostic = Diagnostic::new(Kind::Syntax, at.with_source(text), "unknown field");
        insta::assert_snapshot!(diagnostic.render(), @r"
        error: unknown field
          --> area/typo.yaml:2:3
           |
         2 | titel: fine
           |   ^
        ");
    }

    #[test]
    fn an_unknown_position_shows_the_file_only() {
        let diagnostic = Diagnostic::new(Kind::Invalid, Location::file(Path::new("a.yaml")), "no");
        insta::assert_snapshot!(diagnostic.render(), @r"
        error: no
          --> a.yaml
        ");
    }
}
