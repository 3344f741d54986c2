//! Recursive-descent parser: filter text → [`Node`]. The grammar (see `docs/filtering.md`):
//!
//! ```text
//! filter     = "*" | list
//! list       = expr { "," expr }
//! expr       = ("and" | "or" | "not") "(" list ")" | condition
//! condition  = field "[" op "]" ":" value
//! value      = scalar | "[" [ scalar { "," scalar } ] "]"
//! scalar     = '"' chars with \" and \\ escapes '"' | bare word (no whitespace or , ( ) [ ] ")
//! ```
//!
//! Whitespace between tokens is ignored. Limits: 4,000 characters, nesting depth 16, 100 list
//! items, 50 conditions.

use super::{
    FilterError,
    ast::{Cond, Node, Op, Scalar, Value},
    lexer::Scanner,
};

pub const MAX_LEN: usize = 4_000;
pub const MAX_DEPTH: usize = 16;
pub const MAX_LIST: usize = 100;
pub const MAX_CONDITIONS: usize = 50;

struct Parser {
    s: Scanner,
    conditions: usize,
}

/// Parses a filter expression.
pub fn parse(input: &str) -> Result<Node, FilterError> {
    let len = input.chars().count();
    if len > MAX_LEN {
        return Err(FilterError::at(MAX_LEN + 1, format!("the filter is longer than {MAX_LEN} characters")));
    }
    let mut p = Parser { s: Scanner::new(input), conditions: 0 };
    if p.s.at_end() {
        return Err(FilterError::at(
            1,
            "expected a condition such as `email[eq]:ada@example.com`, found an empty filter".into(),
        ));
    }
    if p.s.eat('*') {
        if !p.s.at_end() {
            return Err(p.s.error_here("expected the end of the filter after '*'".into()));
        }
        return Ok(Node::All);
    }
    let mut items = p.list(0)?;
    if !p.s.at_end() {
        return Err(p.s.error_here("expected ',' or the end of the filter".into()));
    }
    Ok(if items.len() == 1 { items.remove(0) } else { Node::And(items) })
}

impl Parser {
    fn list(&mut self, depth: usize) -> Result<Vec<Node>, FilterError> {
        let mut items = vec![self.expr(depth)?];
        while self.s.eat(',') {
            items.push(self.expr(depth)?);
        }
        Ok(items)
    }

    fn expr(&mut self, depth: usize) -> Result<Node, FilterError> {
        let Some((name, pos)) = self.s.field_name() else {
            return Err(self.s.error_here("expected a condition (`field[op]:value`) or and(…), or(…), not(…)".into()));
        };
        match self.s.peek() {
            Some('(') if matches!(name.as_str(), "and" | "or" | "not") => {
                if depth + 1 > MAX_DEPTH {
                    return Err(FilterError::at(pos, format!("the filter nests deeper than {MAX_DEPTH} levels")));
                }
                self.s.eat('(');
                let mut items = self.list(depth + 1)?;
                self.s.expect(')', "',' or ')'")?;
                Ok(match name.as_str() {
                    "and" => Node::And(items),
                    "or" => Node::Or(items),
                    _ if items.len() == 1 => Node::Not(Box::new(items.remove(0))),
                    _ => Node::Not(Box::new(Node::And(items))),
                })
            }
            Some('(') => Err(FilterError::at(pos, format!("unknown combinator '{name}' (expected and, or, not)"))),
            Some('[') => self.condition(name, pos),
            _ => Err(self.s.error_here(format!("expected '[' after the field name '{name}'"))),
        }
    }

    fn condition(&mut self, field: String, field_pos: usize) -> Result<Node, FilterError> {
        self.conditions += 1;
        if self.conditions > MAX_CONDITIONS {
            return Err(FilterError::at(field_pos, format!("the filter has more than {MAX_CONDITIONS} conditions")));
        }
        self.s.expect('[', "'['")?;
        let Some((op_name, op_pos)) = self.s.ident() else {
            return Err(self.s.error_here(format!("expected an operator ({})", Op::NAMES)));
        };
        let op = Op::parse(&op_name).ok_or_else(|| {
            FilterError::at(op_pos, format!("unknown operator '{op_name}' (expected one of {})", Op::NAMES))
        })?;
        self.s.expect(']', "']' after the operator")?;
        self.s.expect(':', "':' after ']'")?;
        let value = self.value()?;
        Ok(Node::Cond(Cond { field, field_pos, op, op_pos, value }))
    }

    fn value(&mut self) -> Result<Value, FilterError> {
        if self.s.peek() == Some('[') {
            let pos = self.s.pos();
            self.s.eat('[');
            let mut items = Vec::new();
            if !self.s.eat(']') {
                loop {
                    if items.len() == MAX_LIST {
                        return Err(FilterError::at(self.s.pos(), format!("a list holds at most {MAX_LIST} values")));
                    }
                    items.push(self.scalar()?);
                    if self.s.eat(']') {
                        break;
                    }
                    self.s.expect(',', "',' or ']' in the list")?;
                }
            }
            return Ok(Value::List { items, pos });
        }
        Ok(Value::Scalar(self.scalar()?))
    }

    fn scalar(&mut self) -> Result<Scalar, FilterError> {
        if self.s.peek() == Some('"') {
            let (text, pos) = self.s.quoted()?;
            return Ok(Scalar { text, quoted: true, pos });
        }
        let (text, pos) = self.s.bare();
        if text.is_empty() {
            return Err(self.s.error_here("expected a value".into()));
        }
        Ok(Scalar { text, quoted: false, pos })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cond(node: &Node) -> &Cond {
        match node {
            Node::Cond(c) => c,
            other => panic!("not a condition: {other:?}"),
        }
    }

    #[test]
    fn valid_filters_parse() {
        let cases = [
            "email[eq]:ada@example.com",
            "  email [ eq ] : ada@example.com  ",
            "first_name[eq]:\"Ada \\\"the\\\" Countess\"",
            "created_at[gte]:2026-01-01,created_at[lt]:2026-02-01T10:00:00Z",
            "or(tags[any]:[vip,lead],and(consent.sms[eq]:opted_in,not(custom.score[lt]:10)))",
            "custom.plan[in]:[gold,\"silver plan\",bronze]",
            "phone[exists]:false",
            "tags[none]:[]",
            "*",
            "not(a[eq]:1,b[eq]:2)",
            "email[eq]:null",
        ];
        for case in cases {
            assert!(parse(case).is_ok(), "{case} should parse: {:?}", parse(case));
        }
    }

    #[test]
    fn values_keep_their_text() {
        let node = parse("first_name[eq]:\"Ada \\\"the\\\" Countess\"").unwrap();
        let c = cond(&node);
        assert_eq!(c.value, Value::Scalar(Scalar { text: "Ada \"the\" Countess".into(), quoted: true, pos: 16 }));
        let node = parse("created_at[gte]:2026-01-01T10:00:00+02:00").unwrap();
        match &cond(&node).value {
            Value::Scalar(s) => assert_eq!(s.text, "2026-01-01T10:00:00+02:00"),
            other => panic!("{other:?}"),
        }
        assert_eq!(parse("*").unwrap(), Node::All);
        match parse("a[eq]:1,b[eq]:2").unwrap() {
            Node::And(items) => assert_eq!(items.len(), 2),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn invalid_filters_name_the_position() {
        let cases: &[(&str, usize, &str)] = &[
            ("", 1, "empty filter"),
            ("email", 6, "expected '[' after the field name 'email'"),
            ("email[eq:x", 9, "expected ']' after the operator"),
            ("email[eq]x", 10, "expected ':' after ']'"),
            ("email[eq]:", 11, "expected a value"),
            ("email[foo]:x", 7, "unknown operator 'foo'"),
            ("email[]:x", 7, "expected an operator"),
            ("email[eq]:x,", 13, "expected a condition"),
            ("email[eq]:x)", 12, "expected ',' or the end of the filter"),
            ("and(email[eq]:x", 16, "expected ',' or ')'"),
            ("xor(email[eq]:x)", 1, "unknown combinator 'xor'"),
            ("email[eq]:\"abc", 11, "unterminated string"),
            ("email[eq]:\"a\\nb\"", 13, "invalid escape"),
            ("tags[any]:[a,b", 15, "expected ',' or ']' in the list"),
            ("tags[any]:[a,,b]", 14, "expected a value"),
            ("*,a[eq]:1", 2, "expected the end of the filter after '*'"),
            ("and()", 5, "expected a condition"),
            ("(email[eq]:x)", 1, "expected a condition"),
            ("email[eq]:x y", 13, "expected ',' or the end"),
        ];
        for (input, pos, message) in cases {
            let err = parse(input).expect_err(input);
            assert_eq!(err.pos, *pos, "{input}: {err}");
            assert!(err.message.contains(message), "{input}: {err}");
            assert!(err.to_string().starts_with(&format!("position {pos}: ")), "{input}: {err}");
        }
    }

    #[test]
    fn limits_are_enforced() {
        let long = format!("email[eq]:{}", "a".repeat(MAX_LEN));
        assert_eq!(parse(&long).unwrap_err().pos, MAX_LEN + 1);

        let deep = format!("{}a[eq]:1{}", "and(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
        assert!(parse(&deep).is_ok());
        let deeper = format!("{}a[eq]:1{}", "and(".repeat(MAX_DEPTH + 1), ")".repeat(MAX_DEPTH + 1));
        let err = parse(&deeper).unwrap_err();
        assert!(err.message.contains("deeper than 16"), "{err}");
        assert_eq!(err.pos, 4 * MAX_DEPTH + 1);

        let items = (0..MAX_LIST).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        assert!(parse(&format!("id[in]:[{items}]")).is_ok());
        let err = parse(&format!("id[in]:[{items},x]")).unwrap_err();
        assert!(err.message.contains("at most 100"), "{err}");

        let many = vec!["a[eq]:1"; MAX_CONDITIONS].join(",");
        assert!(parse(&many).is_ok());
        let err = parse(&format!("{many},b[eq]:2")).unwrap_err();
        assert!(err.message.contains("more than 50 conditions"), "{err}");
    }

    #[test]
    fn injection_attempts_stay_values_or_fail() {
        // A quote inside a quoted string is just a character of the value.
        let node = parse("email[eq]:\"x' OR 1=1 --\"").unwrap();
        match &cond(&node).value {
            Value::Scalar(s) => assert_eq!(s.text, "x' OR 1=1 --"),
            other => panic!("{other:?}"),
        }
        // Bare words stop at whitespace: the rest is a syntax error, not SQL.
        assert!(parse("email[eq]:x' OR 1=1 --").is_err());
        // Odd field names are read whole (and refused by the compiler as unknown fields).
        assert_eq!(cond(&parse("custom.a'b[eq]:1").unwrap()).field, "custom.a'b");
        assert_eq!(cond(&parse("custom.x;DROP[eq]:1").unwrap()).field, "custom.x;DROP");
        // A closing parenthesis ends the value; the rest does not parse.
        assert!(parse("custom.x[eq]:1);DROP TABLE contacts;--").is_err());
        assert!(parse("email[eq]:\"a\" OR \"1\"=\"1\"").is_err());
    }
}
