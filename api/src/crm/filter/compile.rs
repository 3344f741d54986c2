//! Compiles a parsed filter into a sea-query expression over the `contacts` table. Every value
//! is a bound parameter; the only text put into SQL is fixed by this file (column names, and
//! JSON operators whose key is itself bound). Custom field keys are checked against the
//! tenant's definitions and `^[a-z][a-z0-9_]{0,63}$` before use.
//!
//! Loads, lazily and once per filter: the tenant's contact field definitions (`custom.*`), its
//! default phone region (`phone`), the tags named (`tags`) and the segments referenced
//! (`segment`, expanded up to [`MAX_SEGMENT_DEPTH`] levels, cycles refused).

use std::collections::{BTreeSet, HashMap};

use chrono::{DateTime, Days, NaiveDate, NaiveTime, Utc};
use entities::{contact, contact_tag, field_definition, segment, segment_member, tag, tenant};
use futures_util::future::BoxFuture;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbBackend, EntityTrait, QueryFilter,
    sea_query::{Expr, ExprTrait, Query, SelectStatement, Value as Sql},
};
use uuid::Uuid;

use super::{
    FilterError,
    ast::{Cond, Node, Op, Scalar, Value},
    fields::{self, Field, custom_ops},
    parser,
};
use crate::{
    crm::values::{ConsentStatus, FieldType, PhoneE164, parse_region},
    error::ApiError,
    platform::ids::{CompanyId, ContactId, SegmentId, TagId},
};

/// How deep segments may reference segments (`segment[eq]:seg_…` inside a segment's filter).
pub const MAX_SEGMENT_DEPTH: usize = 3;

/// Why compiling failed: the filter is wrong (reported to the client with its position), or
/// the database failed.
#[derive(Debug)]
pub enum CompileError {
    Invalid(FilterError),
    Api(ApiError),
}

impl From<FilterError> for CompileError {
    fn from(e: FilterError) -> Self {
        Self::Invalid(e)
    }
}

impl From<sea_orm::DbErr> for CompileError {
    fn from(e: sea_orm::DbErr) -> Self {
        Self::Api(e.into())
    }
}

type Res<T> = Result<T, CompileError>;

/// A filter compiler for one tenant.
pub struct Compiler<'a, C: ConnectionTrait> {
    db: &'a C,
    tenant_id: Uuid,
    backend: DbBackend,
    custom: Option<HashMap<String, FieldType>>,
    region: Option<Option<phonenumber::country::Id>>,
    /// Dynamic segments being expanded (and the segment being saved), for cycle detection.
    stack: Vec<Uuid>,
    depth: usize,
}

fn col(c: contact::Column) -> Expr {
    Expr::col((contact::Entity, c))
}

fn truth(b: bool) -> Expr {
    Expr::cust(if b { "1=1" } else { "1=0" })
}

fn any_of(items: Vec<Expr>) -> Expr {
    items.into_iter().reduce(|a, b| a.or(b)).unwrap_or_else(|| truth(false))
}

fn all_of(items: Vec<Expr>) -> Expr {
    items.into_iter().reduce(|a, b| a.and(b)).unwrap_or_else(|| truth(true))
}

/// `target LIKE 'prefix%'`, wildcards in `prefix` escaped.
pub fn starts_with(target: Expr, prefix: &str) -> Expr {
    target.like(crate::platform::db::like_prefix(prefix))
}

fn err(pos: usize, message: impl Into<String>) -> CompileError {
    CompileError::Invalid(FilterError::at(pos, message.into()))
}

/// The typed right-hand side of a condition.
enum Operand {
    Null,
    One(Sql),
    Many(Vec<Sql>),
    Flag(bool),
}

/// Types `value` for `op` with `conv`: lists for in/nin/any/all/none (a single value counts
/// as a list of one), true/false for exists, one value otherwise (`null` only for eq/neq).
fn operand(op: Op, value: &Value, conv: &dyn Fn(&Scalar) -> Res<Sql>) -> Res<Operand> {
    match op {
        Op::Exists => match value {
            Value::Scalar(s) => s.as_bool().map(Operand::Flag).ok_or_else(|| err(s.pos, "exists takes true or false")),
            Value::List { pos, .. } => Err(err(*pos, "exists takes true or false, not a list")),
        },
        Op::In | Op::Nin | Op::Any | Op::All | Op::None => {
            let items: Vec<&Scalar> = match value {
                Value::Scalar(s) => vec![s],
                Value::List { items, .. } => items.iter().collect(),
            };
            let mut out = Vec::with_capacity(items.len());
            for s in items {
                if s.is_null() {
                    return Err(err(s.pos, "null is not allowed in a list; use exists to match missing values"));
                }
                out.push(conv(s)?);
            }
            Ok(Operand::Many(out))
        }
        _ => {
            let s = single(op, value)?;
            if s.is_null() {
                if matches!(op, Op::Eq | Op::Neq) {
                    return Ok(Operand::Null);
                }
                return Err(err(s.pos, format!("{} needs a value, not null", op.name())));
            }
            Ok(Operand::One(conv(s)?))
        }
    }
}

fn single(op: Op, value: &Value) -> Res<&Scalar> {
    match value {
        Value::Scalar(s) => Ok(s),
        Value::List { pos, .. } => Err(err(*pos, format!("{} takes a single value, not a list", op.name()))),
    }
}

/// `target op operand`. Every result is true or false, never SQL NULL (a missing value makes
/// `eq`, `gt`, `in`, `startswith`… false), so that `not(…)` is the exact complement: `neq`
/// and `nin` are the negation of `eq` and `in`, and match contacts without a value.
fn apply(target: Expr, op: Op, operand: Operand) -> Expr {
    let present = |e: Expr| target.clone().is_not_null().and(e);
    match (op, operand) {
        (Op::Exists, Operand::Flag(true)) | (Op::Neq, Operand::Null) => target.is_not_null(),
        (Op::Exists, Operand::Flag(false)) | (Op::Eq, Operand::Null) => target.is_null(),
        (Op::Eq, Operand::One(v)) => present(target.clone().eq(v)),
        (Op::Neq, Operand::One(v)) => target.clone().is_null().or(target.ne(v)),
        (Op::Gt, Operand::One(v)) => present(target.clone().gt(v)),
        (Op::Gte, Operand::One(v)) => present(target.clone().gte(v)),
        (Op::Lt, Operand::One(v)) => present(target.clone().lt(v)),
        (Op::Lte, Operand::One(v)) => present(target.clone().lte(v)),
        (Op::StartsWith, Operand::One(Sql::String(Some(s)))) => present(starts_with(target.clone(), &s)),
        (Op::In, Operand::Many(vs)) if vs.is_empty() => truth(false),
        (Op::In, Operand::Many(vs)) => present(target.clone().is_in(vs)),
        (Op::Nin, Operand::Many(vs)) if vs.is_empty() => truth(true),
        (Op::Nin, Operand::Many(vs)) => target.clone().is_null().or(target.is_not_in(vs)),
        _ => truth(false),
    }
}

fn text(s: &Scalar) -> Res<Sql> {
    Ok(Sql::String(Some(s.text.clone())))
}

fn lower(s: &Scalar) -> Res<Sql> {
    Ok(Sql::String(Some(s.text.trim().to_lowercase())))
}

/// A date (`2026-01-31`, midnight UTC) or an RFC 3339 date-time.
fn instant(s: &Scalar) -> Res<(DateTime<Utc>, bool)> {
    if let Ok(d) = NaiveDate::parse_from_str(&s.text, "%Y-%m-%d") {
        return Ok((d.and_time(NaiveTime::MIN).and_utc(), true));
    }
    DateTime::parse_from_rfc3339(&s.text).map(|t| (t.with_timezone(&Utc), false)).map_err(|_| {
        err(s.pos, format!("expected a date (2026-01-31) or a date-time (2026-01-31T09:30:00Z), found '{}'", s.text))
    })
}

fn number(s: &Scalar) -> Res<f64> {
    s.text
        .parse::<f64>()
        .ok()
        .filter(|n| n.is_finite() && !s.quoted)
        .ok_or_else(|| err(s.pos, format!("expected a number, found '{}'", s.text)))
}

impl<'a, C: ConnectionTrait> Compiler<'a, C> {
    pub fn new(db: &'a C, tenant_id: Uuid) -> Self {
        Self {
            db,
            tenant_id,
            backend: db.get_database_backend(),
            custom: None,
            region: None,
            stack: Vec::new(),
            depth: 0,
        }
    }

    /// Refuses references to `segment_id` (the segment being saved), directly or through
    /// other segments.
    pub fn saving_segment(mut self, segment_id: Uuid) -> Self {
        self.stack.push(segment_id);
        self
    }

    /// Parses and compiles `filter`.
    pub async fn compile_text(&mut self, filter: &str) -> Res<Condition> {
        let node = parser::parse(filter)?;
        Ok(Condition::all().add(self.node(&node).await?))
    }

    fn node<'b>(&'b mut self, node: &'b Node) -> BoxFuture<'b, Res<Expr>> {
        Box::pin(async move {
            Ok(match node {
                Node::All => truth(true),
                Node::And(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        out.push(self.node(item).await?);
                    }
                    all_of(out)
                }
                Node::Or(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    for item in items {
                        out.push(self.node(item).await?);
                    }
                    any_of(out)
                }
                Node::Not(inner) => self.node(inner).await?.not(),
                Node::Cond(c) => self.cond(c).await?,
            })
        })
    }

    async fn cond(&mut self, c: &Cond) -> Res<Expr> {
        let Some(field) = Field::parse(&c.field) else {
            let hint = if c.field.starts_with("custom.") {
                "custom field keys are lower-case letters, digits and _, starting with a letter".to_owned()
            } else {
                format!("filterable fields: {}", fields::NAMES)
            };
            return Err(err(c.field_pos, format!("unknown field '{}' ({hint})", c.field)));
        };
        let ops = match &field {
            Field::Custom(key) => custom_ops(self.custom_type(key, c).await?),
            other => other.ops(),
        };
        if !ops.contains(&c.op) {
            let accepted = ops.iter().map(|o| o.name()).collect::<Vec<_>>().join(", ");
            return Err(err(
                c.op_pos,
                format!("operator '{}' does not apply to '{}' (it accepts: {accepted})", c.op.name(), c.field),
            ));
        }
        let op = c.op;
        let v = &c.value;
        Ok(match field {
            Field::Id => {
                let conv = |s: &Scalar| {
                    ContactId::parse(&s.text).map(|id| Sql::from(id.uuid())).map_err(|e| err(s.pos, e.to_string()))
                };
                apply(col(contact::Column::Id), op, operand(op, v, &conv)?)
            }
            Field::FirstName => apply(col(contact::Column::FirstNameKey), op, operand(op, v, &lower)?),
            Field::LastName => apply(col(contact::Column::LastNameKey), op, operand(op, v, &lower)?),
            Field::Email => apply(col(contact::Column::EmailKey), op, operand(op, v, &lower)?),
            Field::Timezone => apply(col(contact::Column::Timezone), op, operand(op, v, &text)?),
            Field::Locale => apply(col(contact::Column::Locale), op, operand(op, v, &text)?),
            Field::Phone => {
                let region = self.region().await?;
                let conv = move |s: &Scalar| -> Res<Sql> {
                    let phone = if op == Op::StartsWith {
                        let digits: String = s.text.chars().filter(char::is_ascii_digit).collect();
                        format!("+{digits}")
                    } else {
                        PhoneE164::parse(&s.text, region).map_or_else(|_| s.text.trim().to_owned(), |p| p.into_string())
                    };
                    Ok(Sql::String(Some(phone)))
                };
                apply(col(contact::Column::Phone), op, operand(op, v, &conv)?)
            }
            Field::CompanyId => {
                let conv = |s: &Scalar| {
                    CompanyId::parse(&s.text).map(|id| Sql::from(id.uuid())).map_err(|e| err(s.pos, e.to_string()))
                };
                apply(col(contact::Column::CompanyId), op, operand(op, v, &conv)?)
            }
            Field::CreatedAt => self.instant_cond(col(contact::Column::CreatedAt), op, v)?,
            Field::UpdatedAt => self.instant_cond(col(contact::Column::UpdatedAt), op, v)?,
            Field::SmsConsent => apply(col(contact::Column::SmsConsent), op, operand(op, v, &consent)?),
            Field::EmailConsent => apply(col(contact::Column::EmailConsent), op, operand(op, v, &consent)?),
            Field::Tags => self.tags_cond(op, v).await?,
            Field::Segment => self.segment_cond(op, v).await?,
            Field::Custom(key) => {
                let field_type = self.custom_type(&key, c).await?;
                self.custom_cond(&key, field_type, op, v)?
            }
        })
    }

    /// `created_at` / `updated_at`. A bare date covers the whole UTC day: `eq:2026-01-31` is
    /// that day, `gt:2026-01-31` starts the next day, `lte:2026-01-31` includes it.
    fn instant_cond(&self, target: Expr, op: Op, v: &Value) -> Res<Expr> {
        let s = single(op, v)?;
        if s.is_null() {
            return Err(err(s.pos, format!("{} needs a date or date-time, not null", op.name())));
        }
        let (at, is_date) = instant(s)?;
        let next = if is_date { at.checked_add_days(Days::new(1)).unwrap_or(at) } else { at };
        Ok(match op {
            Op::Eq if is_date => target.clone().gte(at).and(target.lt(next)),
            Op::Neq if is_date => target.clone().lt(at).or(target.gte(next)),
            Op::Eq => target.eq(at),
            Op::Neq => target.ne(at),
            Op::Gt if is_date => target.gte(next),
            Op::Gt => target.gt(at),
            Op::Gte => target.gte(at),
            Op::Lt => target.lt(at),
            Op::Lte if is_date => target.lt(next),
            Op::Lte => target.lte(at),
            _ => truth(false),
        })
    }

    async fn region(&mut self) -> Res<Option<phonenumber::country::Id>> {
        if let Some(region) = self.region {
            return Ok(region);
        }
        let region = tenant::Entity::find_by_id(self.tenant_id)
            .one(self.db)
            .await?
            .and_then(|t| t.default_phone_region)
            .and_then(|r| parse_region(&r));
        self.region = Some(region);
        Ok(region)
    }

    async fn custom_type(&mut self, key: &str, c: &Cond) -> Res<FieldType> {
        if self.custom.is_none() {
            let defs = field_definition::Entity::find_for_object(self.tenant_id, "contact").all(self.db).await?;
            self.custom =
                Some(defs.into_iter().filter_map(|d| FieldType::parse(&d.field_type).map(|t| (d.key, t))).collect());
        }
        self.custom.as_ref().and_then(|m| m.get(key)).copied().ok_or_else(|| {
            err(c.field_pos, format!("unknown field '{}': no contact custom field has the key '{key}'", c.field))
        })
    }

    /// The custom field's value as SQL text (strings, dates, select options; booleans as
    /// `true`/`false`).
    fn custom_text(&self, key: &str, field_type: FieldType) -> Expr {
        match (self.backend, field_type) {
            (DbBackend::Postgres, _) => {
                Expr::cust_with_values(r#"("contacts"."custom_fields" ->> $1)"#, [key.to_owned()])
            }
            (_, FieldType::Boolean) => {
                Expr::cust_with_values(r#"json_type("contacts"."custom_fields", ?)"#, [format!("$.{key}")])
            }
            _ => Expr::cust_with_values(r#"json_extract("contacts"."custom_fields", ?)"#, [format!("$.{key}")]),
        }
    }

    /// The custom field's value as a number (null when it is not a JSON number).
    fn custom_number(&self, key: &str) -> Expr {
        match self.backend {
            DbBackend::Postgres => Expr::cust_with_values(
                r#"(CASE WHEN jsonb_typeof("contacts"."custom_fields" -> $1) = 'number' THEN CAST("contacts"."custom_fields" ->> $1 AS double precision) END)"#,
                [key.to_owned()],
            ),
            _ => Expr::cust_with_values(
                r#"(CASE WHEN json_type("contacts"."custom_fields", ?) IN ('integer', 'real') THEN json_extract("contacts"."custom_fields", ?) END)"#,
                [format!("$.{key}"), format!("$.{key}")],
            ),
        }
    }

    fn custom_cond(&self, key: &str, field_type: FieldType, op: Op, v: &Value) -> Res<Expr> {
        if !fields::is_valid_key(key) {
            return Err(err(v.pos(), "invalid custom field key"));
        }
        let present = || match self.backend {
            DbBackend::Postgres => Expr::cust_with_values(r#"("contacts"."custom_fields" ->> $1)"#, [key.to_owned()]),
            _ => Expr::cust_with_values(r#"json_extract("contacts"."custom_fields", ?)"#, [format!("$.{key}")]),
        };
        if op == Op::Exists {
            return Ok(apply(present(), op, operand(op, v, &text)?));
        }
        // JSON value (for Postgres containment) and SQL value of one scalar.
        let json_of = |s: &Scalar| -> Res<(serde_json::Value, Sql)> {
            Ok(match field_type {
                FieldType::Number => {
                    let n = number(s)?;
                    let json = if n.fract() == 0.0 && n.abs() < 9.0e15 {
                        serde_json::Value::from(n as i64)
                    } else {
                        serde_json::Value::from(n)
                    };
                    (json, Sql::Double(Some(n)))
                }
                FieldType::Boolean => {
                    let b =
                        s.as_bool().ok_or_else(|| err(s.pos, format!("expected true or false, found '{}'", s.text)))?;
                    (serde_json::Value::Bool(b), Sql::String(Some(b.to_string())))
                }
                FieldType::Date => {
                    let d = NaiveDate::parse_from_str(&s.text, "%Y-%m-%d")
                        .map_err(|_| err(s.pos, format!("expected a date written YYYY-MM-DD, found '{}'", s.text)))?;
                    let text = d.format("%Y-%m-%d").to_string();
                    (serde_json::Value::String(text.clone()), Sql::String(Some(text)))
                }
                FieldType::Text | FieldType::Select => {
                    (serde_json::Value::String(s.text.clone()), Sql::String(Some(s.text.clone())))
                }
            })
        };
        let target =
            if field_type == FieldType::Number { self.custom_number(key) } else { self.custom_text(key, field_type) };
        // Postgres equality: `custom_fields @> '{"key": value}'`, served by the GIN index.
        if self.backend == DbBackend::Postgres && matches!(op, Op::Eq | Op::Neq) {
            let s = single(op, v)?;
            if !s.is_null() {
                let (json, _) = json_of(s)?;
                let mut obj = serde_json::Map::new();
                obj.insert(key.to_owned(), json);
                let contains = Expr::cust_with_values(
                    r#""contacts"."custom_fields" @> CAST($1 AS jsonb)"#,
                    [Sql::Json(Some(Box::new(serde_json::Value::Object(obj))))],
                );
                return Ok(if op == Op::Eq { contains } else { contains.not() });
            }
        }
        let conv = |s: &Scalar| json_of(s).map(|(_, sql)| sql);
        Ok(apply(target, op, operand(op, v, &conv)?))
    }

    async fn tags_cond(&mut self, op: Op, v: &Value) -> Res<Expr> {
        let tenant_id = self.tenant_id;
        let has = move |tag_ids: Option<Vec<Uuid>>| {
            let mut sub = Query::select();
            sub.expr(Expr::val(1))
                .from(contact_tag::Entity)
                .and_where(Expr::col((contact_tag::Entity, contact_tag::Column::TenantId)).eq(tenant_id))
                .and_where(
                    Expr::col((contact_tag::Entity, contact_tag::Column::ContactId))
                        .equals((contact::Entity, contact::Column::Id)),
                );
            if let Some(ids) = tag_ids {
                sub.and_where(Expr::col((contact_tag::Entity, contact_tag::Column::TagId)).is_in(ids));
            }
            sub
        };
        if op == Op::Exists {
            let s = single(op, v)?;
            let flag = s.as_bool().ok_or_else(|| err(s.pos, "exists takes true or false"))?;
            let sub: SelectStatement = has(None);
            return Ok(if flag { Expr::exists(sub) } else { Expr::not_exists(sub) });
        }
        let items: Vec<&Scalar> = match v {
            Value::Scalar(s) => vec![s],
            Value::List { items, .. } => items.iter().collect(),
        };
        let (ids, unknown) = self.resolve_tags(&items).await?;
        Ok(match op {
            Op::Any if ids.is_empty() => truth(false),
            Op::Any => Expr::exists(has(Some(ids.into_iter().collect()))),
            Op::None if ids.is_empty() => truth(true),
            Op::None => Expr::not_exists(has(Some(ids.into_iter().collect()))),
            Op::All if unknown => truth(false),
            Op::All => all_of(ids.into_iter().map(|id| Expr::exists(has(Some(vec![id])))).collect()),
            _ => truth(false),
        })
    }

    /// The ids of the tags named (by name, case-insensitive, or by `tag_…` id), and whether any
    /// named tag does not exist in this tenant.
    async fn resolve_tags(&mut self, items: &[&Scalar]) -> Res<(BTreeSet<Uuid>, bool)> {
        let mut names = Vec::new();
        let mut ids = Vec::new();
        for s in items {
            if s.is_null() {
                return Err(err(s.pos, "null is not a tag"));
            }
            match TagId::parse(&s.text) {
                Ok(id) => ids.push(id.uuid()),
                Err(_) => names.push(s.text.trim().to_lowercase()),
            }
        }
        if items.is_empty() {
            return Ok((BTreeSet::new(), false));
        }
        let found = tag::Entity::find_in(self.tenant_id)
            .filter(
                Condition::any().add(tag::Column::NameKey.is_in(names.clone())).add(tag::Column::Id.is_in(ids.clone())),
            )
            .all(self.db)
            .await?;
        let unknown = names.iter().any(|n| !found.iter().any(|t| &t.name_key == n))
            || ids.iter().any(|i| !found.iter().any(|t| &t.id == i));
        Ok((found.into_iter().map(|t| t.id).collect(), unknown))
    }

    async fn segment_cond(&mut self, op: Op, v: &Value) -> Res<Expr> {
        let items: Vec<&Scalar> = match (op, v) {
            (Op::Eq | Op::Neq, value) => vec![single(op, value)?],
            (_, Value::Scalar(s)) => vec![s],
            (_, Value::List { items, .. }) => items.iter().collect(),
        };
        let mut members = Vec::with_capacity(items.len());
        for s in items {
            let id = SegmentId::parse(&s.text).map_err(|e| err(s.pos, e.to_string()))?;
            members.push(self.segment_members(id.uuid(), s.pos).await?);
        }
        let matched = any_of(members);
        Ok(if matches!(op, Op::Neq | Op::Nin) { matched.not() } else { matched })
    }

    /// Membership of one segment: in its member list (static) or matching its filter (dynamic).
    /// A segment that does not exist in this tenant matches nothing.
    async fn segment_members(&mut self, id: Uuid, pos: usize) -> Res<Expr> {
        let shown = SegmentId::from_uuid(id);
        if self.stack.contains(&id) {
            return Err(err(pos, format!("segment {shown} refers to itself (segments cannot form a cycle)")));
        }
        let Some(seg) = segment::Entity::find_one_in(self.tenant_id, id).one(self.db).await? else {
            return Ok(truth(false));
        };
        if seg.kind != "dynamic" {
            return Ok(static_members(self.tenant_id, id));
        }
        if self.depth >= MAX_SEGMENT_DEPTH {
            return Err(err(pos, format!("segments nest deeper than {MAX_SEGMENT_DEPTH} levels (at {shown})")));
        }
        let filter = seg.filter.unwrap_or_default();
        let node =
            parser::parse(&filter).map_err(|e| err(pos, format!("segment {shown} has an invalid filter ({e})")))?;
        self.stack.push(id);
        self.depth += 1;
        let result = self.node(&node).await;
        self.depth -= 1;
        self.stack.pop();
        result.map_err(|e| match e {
            CompileError::Invalid(inner) if inner.message.starts_with("segment ") => {
                CompileError::Invalid(FilterError::at(pos, inner.message))
            }
            CompileError::Invalid(inner) => err(pos, format!("in segment {shown}: {inner}")),
            other => other,
        })
    }
}

/// `contacts.id IN (the members of a static segment)`.
pub fn static_members(tenant_id: Uuid, segment_id: Uuid) -> Expr {
    let sub = Query::select()
        .column((segment_member::Entity, segment_member::Column::ContactId))
        .from(segment_member::Entity)
        .and_where(Expr::col((segment_member::Entity, segment_member::Column::TenantId)).eq(tenant_id))
        .and_where(Expr::col((segment_member::Entity, segment_member::Column::SegmentId)).eq(segment_id))
        .to_owned();
    col(contact::Column::Id).in_subquery(sub)
}

fn consent(s: &Scalar) -> Res<Sql> {
    ConsentStatus::parse(&s.text)
        .map(|c| Sql::String(Some(c.as_str().to_owned())))
        .map_err(|_| err(s.pos, format!("expected unknown, opted_in or opted_out, found '{}'", s.text)))
}

#[cfg(test)]
mod tests {
    use sea_orm::{
        DatabaseConnection,
        sea_query::{PostgresQueryBuilder, SqliteQueryBuilder},
    };

    use super::*;

    /// The SQL and bound values of `filter` (fields that need no database look-up).
    async fn render(backend: DbBackend, filter: &str) -> Result<(String, String), CompileError> {
        let db = DatabaseConnection::default();
        let custom = [("note", FieldType::Text), ("score", FieldType::Number), ("vip", FieldType::Boolean)];
        let mut compiler = Compiler {
            db: &db,
            tenant_id: Uuid::nil(),
            backend,
            custom: Some(custom.into_iter().map(|(k, t)| (k.to_owned(), t)).collect()),
            region: Some(None),
            stack: Vec::new(),
            depth: 0,
        };
        let condition = compiler.compile_text(filter).await?;
        let stmt = Query::select().column(contact::Column::Id).from(contact::Entity).cond_where(condition).to_owned();
        let (sql, values) = match backend {
            DbBackend::Postgres => stmt.build(PostgresQueryBuilder),
            _ => stmt.build(SqliteQueryBuilder),
        };
        Ok((sql, format!("{values:?}")))
    }

    #[tokio::test]
    async fn values_and_keys_are_bound_never_spliced() {
        for backend in [DbBackend::Postgres, DbBackend::Sqlite] {
            for (filter, value) in [
                ("email[eq]:\"x' OR 1=1 --\"", "x' or 1=1 --"),
                ("first_name[startswith]:\"'; DROP TABLE contacts; --\"", "'; drop table contacts; --%"),
                ("custom.note[eq]:\"'); DELETE FROM contacts; --\"", "DELETE FROM contacts"),
                ("custom.note[in]:[\"a' OR '1'='1\"]", "a' OR '1'='1"),
                ("timezone[eq]:\"UTC\\\" OR \\\"1\\\"=\\\"1\"", "UTC\\\" OR \\\"1\\\"=\\\"1"),
            ] {
                let (sql, values) = render(backend, filter).await.unwrap_or_else(|e| panic!("{filter}: {e:?}"));
                for fragment in ["OR 1=1", "DROP", "DELETE", "'1'='1", "x'"] {
                    assert!(!sql.contains(fragment), "{backend:?} {filter}: {sql}");
                }
                assert!(values.contains(value), "{backend:?} {filter}: {values}");
            }
            // Custom field keys go in as parameters too (and only well-formed, defined keys).
            let (sql, values) = render(backend, "custom.score[gt]:5").await.unwrap();
            assert!(!sql.contains("score"), "{sql}");
            assert!(values.contains("score"), "{values}");
            for filter in ["custom.a'b[eq]:1", "custom.x[eq]:1", "custom.note'--[eq]:1", "custom.NOTE[eq]:1"] {
                match render(backend, filter).await {
                    Err(CompileError::Invalid(e)) => assert!(e.message.contains("unknown field"), "{filter}: {e}"),
                    other => panic!("{filter}: {other:?}"),
                }
            }
        }
    }

    #[tokio::test]
    async fn comparisons_are_never_null() {
        // `not(eq)` must match contacts without the value: eq is guarded by IS NOT NULL.
        let (sql, _) = render(DbBackend::Sqlite, "not(custom.vip[eq]:true)").await.unwrap();
        assert!(sql.contains("IS NOT NULL"), "{sql}");
        let (sql, _) = render(DbBackend::Postgres, "custom.vip[eq]:true").await.unwrap();
        assert!(sql.contains("@>"), "equality uses the GIN-indexable containment: {sql}");
    }
}
