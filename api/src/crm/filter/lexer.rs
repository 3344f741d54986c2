//! The scanner under the filter parser: walks the characters of the filter, skipping
//! whitespace between tokens and tracking the 1-based character position for error messages.

use super::FilterError;

/// Characters that end a bare word.
fn ends_bare(c: char) -> bool {
    c.is_whitespace() || matches!(c, ',' | '(' | ')' | '[' | ']' | '"')
}

pub struct Scanner {
    chars: Vec<char>,
    at: usize,
}

impl Scanner {
    pub fn new(input: &str) -> Self {
        Self { chars: input.chars().collect(), at: 0 }
    }

    /// The 1-based position of the next character (one past the end at the end).
    pub fn pos(&self) -> usize {
        self.at + 1
    }

    pub fn skip_ws(&mut self) {
        while self.chars.get(self.at).is_some_and(|c| c.is_whitespace()) {
            self.at += 1;
        }
    }

    /// The next non-blank character, without consuming it.
    pub fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.chars.get(self.at).copied()
    }

    pub fn at_end(&mut self) -> bool {
        self.peek().is_none()
    }

    /// Consumes `c` if it is next.
    pub fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.at += 1;
            true
        } else {
            false
        }
    }

    /// Consumes `c` or fails with "expected `what`".
    pub fn expect(&mut self, c: char, what: &str) -> Result<(), FilterError> {
        if self.eat(c) { Ok(()) } else { Err(self.error_here(format!("expected {what}"))) }
    }

    /// An error at the next character, saying what was found there.
    pub fn error_here(&mut self, message: String) -> FilterError {
        let found = match self.peek() {
            None => "the end of the filter".to_owned(),
            Some(c) => format!("'{c}'"),
        };
        FilterError::at(self.pos(), format!("{message}, found {found}"))
    }

    /// A name: letters, digits, `_` and `.` (a field such as `custom.plan`), starting with a
    /// letter. Returns the name and its position, or `None` when no name starts here.
    pub fn ident(&mut self) -> Option<(String, usize)> {
        self.skip_ws();
        let start = self.at;
        if !self.chars.get(start).is_some_and(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        while self.chars.get(self.at).is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.')) {
            self.at += 1;
        }
        Some((self.chars[start..self.at].iter().collect(), start + 1))
    }

    /// A field name: like [`Self::ident`], but it also swallows any other characters up to the
    /// next `[` / `(` / `,` so that an odd name (`custom.a'b`) is reported whole as unknown.
    pub fn field_name(&mut self) -> Option<(String, usize)> {
        self.skip_ws();
        let start = self.at;
        if !self.chars.get(start).is_some_and(|c| c.is_ascii_alphabetic()) {
            return None;
        }
        while self.chars.get(self.at).is_some_and(|&c| !c.is_whitespace() && !matches!(c, '[' | '(' | ',' | ')' | ']'))
        {
            self.at += 1;
        }
        Some((self.chars[start..self.at].iter().collect(), start + 1))
    }

    /// A double-quoted string with `\"` and `\\` escapes (the opening quote is next).
    pub fn quoted(&mut self) -> Result<(String, usize), FilterError> {
        self.skip_ws();
        let start = self.at + 1;
        self.at += 1; // the opening quote
        let mut out = String::new();
        loop {
            match self.chars.get(self.at).copied() {
                None => return Err(FilterError::at(start, "unterminated string: expected a closing '\"'".into())),
                Some('"') => {
                    self.at += 1;
                    return Ok((out, start));
                }
                Some('\\') => {
                    match self.chars.get(self.at + 1).copied() {
                        Some(c @ ('"' | '\\')) => out.push(c),
                        _ => {
                            return Err(FilterError::at(
                                self.at + 1,
                                "invalid escape: only \\\" and \\\\ are allowed in a string".into(),
                            ));
                        }
                    }
                    self.at += 2;
                }
                Some(c) => {
                    out.push(c);
                    self.at += 1;
                }
            }
        }
    }

    /// A bare word: every character up to whitespace or one of `,()[]"`. Empty when none.
    pub fn bare(&mut self) -> (String, usize) {
        self.skip_ws();
        let start = self.at;
        while self.chars.get(self.at).is_some_and(|&c| !ends_bare(c)) {
            self.at += 1;
        }
        (self.chars[start..self.at].iter().collect(), start + 1)
    }
}
