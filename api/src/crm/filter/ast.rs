//! The parsed form of a filter expression. Positions are 1-based character offsets into the
//! filter text, kept so that compile-time errors (unknown field, wrong value type) can name them.

/// A filter expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// Every child holds (a top-level comma list is an `and`).
    And(Vec<Node>),
    /// At least one child holds.
    Or(Vec<Node>),
    /// The child does not hold.
    Not(Box<Node>),
    /// `field[op]:value`.
    Cond(Cond),
    /// `*`: every contact.
    All,
}

/// One condition, `field[op]:value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Cond {
    pub field: String,
    pub field_pos: usize,
    pub op: Op,
    pub op_pos: usize,
    pub value: Value,
}

/// The comparison operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Neq,
    Gt,
    Gte,
    Lt,
    Lte,
    In,
    Nin,
    Exists,
    StartsWith,
    Any,
    All,
    None,
}

impl Op {
    pub const NAMES: &'static str = "eq, neq, gt, gte, lt, lte, in, nin, exists, startswith, any, all, none";

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "eq" => Self::Eq,
            "neq" => Self::Neq,
            "gt" => Self::Gt,
            "gte" => Self::Gte,
            "lt" => Self::Lt,
            "lte" => Self::Lte,
            "in" => Self::In,
            "nin" => Self::Nin,
            "exists" => Self::Exists,
            "startswith" => Self::StartsWith,
            "any" => Self::Any,
            "all" => Self::All,
            "none" => Self::None,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::Eq => "eq",
            Self::Neq => "neq",
            Self::Gt => "gt",
            Self::Gte => "gte",
            Self::Lt => "lt",
            Self::Lte => "lte",
            Self::In => "in",
            Self::Nin => "nin",
            Self::Exists => "exists",
            Self::StartsWith => "startswith",
            Self::Any => "any",
            Self::All => "all",
            Self::None => "none",
        }
    }
}

/// A value as written: typed later, by the field it is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Scalar(Scalar),
    List { items: Vec<Scalar>, pos: usize },
}

impl Value {
    pub fn pos(&self) -> usize {
        match self {
            Self::Scalar(s) => s.pos,
            Self::List { pos, .. } => *pos,
        }
    }
}

/// One written value: a bare word (`abc`, `12.5`, `true`, `null`, `2026-01-31`) or a
/// double-quoted string (always text, so `"null"` is the word null, not the null value).
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    pub text: String,
    pub quoted: bool,
    pub pos: usize,
}

impl Scalar {
    /// The unquoted keyword `null`.
    pub fn is_null(&self) -> bool {
        !self.quoted && self.text == "null"
    }

    /// The unquoted keywords `true` / `false`.
    pub fn as_bool(&self) -> Option<bool> {
        match (self.quoted, self.text.as_str()) {
            (false, "true") => Some(true),
            (false, "false") => Some(false),
            _ => None,
        }
    }
}
