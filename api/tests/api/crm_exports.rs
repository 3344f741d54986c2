//! Issue 5: exports through HTTP, on SQLite and Postgres: CSV and XLSX files, filter and
//! segment exports, paging over more than one page, the 409 before completion, tenant
//! isolation, roles, and exports cut off by a restart.

use std::time::{Duration, Instant};

use chrono::Utc;
use entities::{contact, export};
use reqwest::{Response, header};
use sea_orm::EntityTrait;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{TestApp, assert_problem, spawn_app, spawn_app_with};
use crate::organizations::join;

async fn json_of(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "body: {body}");
    body
}

async fn post(app: &TestApp, token: &str, path: &str, body: Value) -> Value {
    json_of(app.post_json(path, Some(token), &body).await, 201).await
}

async fn start(app: &TestApp, token: &str, body: Value) -> Value {
    let export = json_of(app.post_json("/v1/exports", Some(token), &body).await, 202).await;
    assert!(export["id"].as_str().unwrap().starts_with("exp_"));
    export
}

/// Polls the export until it is completed or failed.
async fn finished(app: &TestApp, token: &str, id: &str) -> Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let export = json_of(app.get(&format!("/v1/exports/{id}"), Some(token)).await, 200).await;
        if export["status"] == "completed" || export["status"] == "failed" {
            return export;
        }
        assert!(Instant::now() < deadline, "the export did not finish: {export}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// Runs an export to completion and downloads its file.
async fn export_file(app: &TestApp, token: &str, body: Value) -> (Value, Response) {
    let export = start(app, token, body).await;
    let id = export["id"].as_str().unwrap();
    let done = finished(app, token, id).await;
    assert_eq!(done["status"], "completed", "{done}");
    let res = app.get(done["download_url"].as_str().unwrap(), Some(token)).await;
    assert_eq!(res.status(), 200);
    (done, res)
}

async fn csv_rows(app: &TestApp, token: &str, body: Value) -> (Value, Vec<Vec<String>>) {
    let (done, res) = export_file(app, token, body).await;
    let bytes = res.bytes().await.unwrap();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(bytes.as_ref());
    let rows = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    (done, rows)
}

const HEADER: [&str; 10] = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "timezone",
    "locale",
    "company_domain",
    "tags",
    "sms_consent",
    "email_consent",
];

#[tokio::test]
async fn a_csv_export_holds_every_contact_in_the_import_columns() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    post(
        &app,
        t,
        "/v1/custom-fields",
        json!({"object": "contact", "key": "plan", "label": "Plan", "type": "select", "options": ["free", "pro"]}),
    )
    .await;
    post(&app, t, "/v1/custom-fields", json!({"object": "contact", "key": "age", "label": "Age", "type": "number"}))
        .await;
    post(&app, t, "/v1/custom-fields", json!({"object": "company", "key": "size", "label": "Size", "type": "number"}))
        .await;
    for name in ["vip", "Beta"] {
        post(&app, t, "/v1/tags", json!({"name": name})).await;
    }
    let acme = post(&app, t, "/v1/companies", json!({"name": "Acme", "domain": "acme.example"})).await;
    post(
        &app,
        t,
        "/v1/contacts",
        json!({
            "first_name": "Ada", "last_name": "Lovelace, Countess", "email": "Ada@Example.com", "phone": "+14155552671",
            "timezone": "Europe/London", "locale": "en-GB", "company_id": acme["id"], "tags": ["vip", "beta"],
            "consent": {"sms": {"status": "opted_in"}, "email": {"status": "opted_out"}},
            "custom_fields": {"plan": "pro", "age": 36},
        }),
    )
    .await;
    post(&app, t, "/v1/contacts", json!({"first_name": "Grace \"Amazing\"", "email": "grace@example.com"})).await;
    post(&app, t, "/v1/contacts", json!({"phone": "+33612345678", "custom_fields": {"age": 1.5}})).await;

    let export = start(&app, t, json!({"format": "csv"})).await;
    assert_eq!(export["format"], "csv");
    assert_eq!(export["filter"], Value::Null);
    assert_eq!(export["segment_id"], Value::Null);
    assert_eq!(export["download_url"], Value::Null);
    assert_eq!(export["rows_written"], 0);
    assert!(["queued", "running", "completed"].contains(&export["status"].as_str().unwrap()));
    let id = export["id"].as_str().unwrap();
    let done = finished(&app, t, id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["rows_written"], 3);
    assert_eq!(done["failure_reason"], Value::Null);
    assert_eq!(done["download_url"], format!("/v1/exports/{id}/download"));
    assert!(done["started_at"].is_string() && done["finished_at"].is_string());

    let res = app.get(&format!("/v1/exports/{id}/download"), Some(t)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()[header::CONTENT_TYPE], "text/csv; charset=utf-8");
    assert_eq!(res.headers()[header::CONTENT_DISPOSITION], format!("attachment; filename=\"contacts-{id}.csv\""));
    let body = res.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(body.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_owned).collect();
    let mut expected: Vec<String> = HEADER.iter().map(|h| (*h).to_owned()).collect();
    expected.extend(["custom.age".to_owned(), "custom.plan".to_owned()]);
    assert_eq!(header, expected, "the import's column names, then contact custom fields by key");
    let rows: Vec<Vec<String>> = reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect();
    assert_eq!(
        rows,
        [
            vec![
                "Ada",
                "Lovelace, Countess",
                "Ada@Example.com",
                "+14155552671",
                "Europe/London",
                "en-GB",
                "acme.example",
                "Beta;vip",
                "opted_in",
                "opted_out",
                "36",
                "pro",
            ],
            vec!["Grace \"Amazing\"", "", "grace@example.com", "", "", "", "", "", "unknown", "unknown", "", ""],
            vec!["", "", "", "+33612345678", "", "", "", "", "unknown", "unknown", "1.5", ""],
        ]
    );
    let list = json_of(app.get("/v1/exports", Some(t)).await, 200).await;
    assert_eq!(list["data"][0]["id"], id);
    assert_eq!(list["has_more"], false);
}

#[tokio::test]
async fn an_xlsx_export_is_a_workbook() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    post(&app, t, "/v1/contacts", json!({"first_name": "Ada", "email": "ada@example.com"})).await;
    let (done, res) = export_file(&app, t, json!({"format": "xlsx"})).await;
    assert_eq!(done["rows_written"], 1);
    assert_eq!(done["format"], "xlsx");
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    );
    let id = done["id"].as_str().unwrap();
    assert_eq!(res.headers()[header::CONTENT_DISPOSITION], format!("attachment; filename=\"contacts-{id}.xlsx\""));
    let bytes = res.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK\x03\x04"), "a zip archive");
    let names = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert!(names(b"xl/workbook.xml") && names(b"xl/worksheets/sheet1.xml"), "an Office Open XML workbook");
}

#[tokio::test]
async fn exports_page_through_more_contacts_than_one_page() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let tenant = campaign_os::platform::ids::TenantId::parse(&owner.org_id).unwrap().uuid();
    let db = app.db().await;
    let now = Utc::now();
    let n = 2_345;
    let rows: Vec<contact::ActiveModel> = (0..n)
        .map(|i| {
            contact::ActiveModel::from(contact::Model {
                id: Uuid::now_v7(),
                tenant_id: tenant,
                first_name: Some(format!("P{i}")),
                last_name: None,
                first_name_key: Some(format!("p{i}")),
                last_name_key: None,
                email: Some(format!("p{i}@example.com")),
                email_key: Some(format!("p{i}@example.com")),
                phone: None,
                timezone: None,
                locale: None,
                company_id: None,
                custom_fields: json!({}),
                sms_consent: "unknown".into(),
                sms_consent_source: None,
                sms_consent_at: None,
                email_consent: "unknown".into(),
                email_consent_source: None,
                email_consent_at: None,
                created_at: now,
                updated_at: now,
            })
        })
        .collect();
    for chunk in rows.chunks(200) {
        contact::Entity::insert_many(chunk.to_vec()).exec_without_returning(&db).await.unwrap();
    }
    let (done, rows) = csv_rows(&app, t, json!({"format": "csv"})).await;
    assert_eq!(done["rows_written"], n);
    assert_eq!(rows.len(), n + 1);
    let names: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    let expected: Vec<String> = (0..n).map(|i| format!("P{i}")).collect();
    assert_eq!(names, expected, "every contact once, in id order");
    let (done, _) = export_file(&app, t, json!({"format": "xlsx"})).await;
    assert_eq!(done["rows_written"], n);
}

#[tokio::test]
async fn exports_of_a_filter_a_segment_or_both() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    post(&app, t, "/v1/tags", json!({"name": "vip"})).await;
    let mut ids = Vec::new();
    for (name, tags) in [("Ada", json!(["vip"])), ("Bob", json!([])), ("Cy", json!(["vip"])), ("Di", json!([]))] {
        let c = post(&app, t, "/v1/contacts", json!({"first_name": name, "tags": tags})).await;
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    let names = |rows: &[Vec<String>]| rows[1..].iter().map(|r| r[0].clone()).collect::<Vec<_>>();

    let (done, rows) = csv_rows(&app, t, json!({"format": "csv", "filter": "tags[any]:[vip]"})).await;
    assert_eq!(done["filter"], "tags[any]:[vip]");
    assert_eq!(names(&rows), ["Ada", "Cy"]);

    let segment = post(&app, t, "/v1/segments", json!({"name": "Picked", "kind": "static"})).await;
    let seg = segment["id"].as_str().unwrap();
    let res =
        app.post_json(&format!("/v1/segments/{seg}/members"), Some(t), &json!({"contact_ids": [ids[1], ids[2]]})).await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let (done, rows) = csv_rows(&app, t, json!({"format": "csv", "segment_id": seg})).await;
    assert_eq!(done["segment_id"], seg);
    assert_eq!(names(&rows), ["Bob", "Cy"]);
    let (_, rows) = csv_rows(&app, t, json!({"format": "csv", "segment_id": seg, "filter": "tags[any]:[vip]"})).await;
    assert_eq!(names(&rows), ["Cy"]);
    let dynamic =
        post(&app, t, "/v1/segments", json!({"name": "Not VIP", "kind": "dynamic", "filter": "tags[none]:[vip]"}))
            .await;
    let (_, rows) = csv_rows(&app, t, json!({"format": "csv", "segment_id": dynamic["id"]})).await;
    assert_eq!(names(&rows), ["Bob", "Di"]);
    let (done, rows) = csv_rows(&app, t, json!({"format": "csv", "filter": "first_name[eq]:Nobody"})).await;
    assert_eq!(done["rows_written"], 0);
    assert_eq!(rows.len(), 1, "only the header");

    // Mistakes are reported at once, not as a failed job.
    let problem = assert_problem(
        app.post_json("/v1/exports", Some(t), &json!({"format": "csv", "filter": "tags[any]:[vip"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "filter");
    assert_eq!(problem["errors"][0]["code"], "invalid_filter");
    assert!(problem["errors"][0]["message"].as_str().unwrap().contains("position"), "{problem}");
    let other = app.signup().await;
    let theirs = post(&app, &other.access_token, "/v1/segments", json!({"name": "Theirs", "kind": "static"})).await;
    assert_problem(
        app.post_json("/v1/exports", Some(t), &json!({"format": "csv", "segment_id": theirs["id"]})).await,
        404,
        "not_found",
    )
    .await;
}

#[tokio::test]
async fn bad_export_requests_are_refused() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    for (body, field, code) in [
        (json!({}), "format", "required"),
        (json!({"format": "pdf"}), "format", "invalid_type"),
        (json!({"format": "csv", "filter": ""}), "filter", "length"),
        (json!({"format": "csv", "filter": "x".repeat(4001)}), "filter", "length"),
        (json!({"format": "csv", "segment_id": "con_01jdq4m3y7e8f9g0h1j2k3m4n5"}), "segment_id", "invalid_type"),
        (json!({"format": "csv", "limit": 5}), "limit", "unknown_field"),
    ] {
        let problem =
            assert_problem(app.post_json("/v1/exports", Some(t), &body).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{body}: {problem}");
    }
    assert_problem(app.get("/v1/exports/prod_01jdq4m3y7e8f9g0h1j2k3m4n5", Some(t)).await, 400, "invalid_id").await;
    assert_problem(app.get("/v1/exports/exp_01jdq4m3y7e8f9g0h1j2k3m4n5", Some(t)).await, 404, "not_found").await;
    assert_problem(app.get("/v1/exports?limit=0", Some(t)).await, 422, "validation_failed").await;
    assert_eq!(json_of(app.get("/v1/exports", Some(t)).await, 200).await["data"], json!([]));
}

/// Inserts an export row directly (as a job that has not finished).
async fn insert_export(app: &TestApp, org_id: &str, status: &str) -> String {
    let tenant = campaign_os::platform::ids::TenantId::parse(org_id).unwrap().uuid();
    let now = Utc::now();
    let id = Uuid::now_v7();
    let row = export::Model {
        id,
        tenant_id: tenant,
        status: status.into(),
        format: "csv".into(),
        filter: None,
        segment_id: None,
        rows_written: 1000,
        file_key: None,
        failure_reason: None,
        created_by: None,
        created_at: now,
        started_at: (status == "running").then_some(now),
        finished_at: None,
        updated_at: now,
    };
    export::Entity::insert(export::ActiveModel::from(row)).exec_without_returning(&app.db().await).await.unwrap();
    campaign_os::platform::ids::ExportId::from_uuid(id).to_string()
}

#[tokio::test]
async fn the_file_is_not_downloadable_before_completion() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    for status in ["queued", "running"] {
        let id = insert_export(&app, &owner.org_id, status).await;
        let export = json_of(app.get(&format!("/v1/exports/{id}"), Some(t)).await, 200).await;
        assert_eq!(export["status"], status);
        assert_eq!(export["download_url"], Value::Null);
        let problem =
            assert_problem(app.get(&format!("/v1/exports/{id}/download"), Some(t)).await, 409, "export_not_ready")
                .await;
        assert!(problem["detail"].as_str().unwrap().contains(status), "{problem}");
    }
}

#[tokio::test]
async fn an_export_cut_off_by_a_crash_runs_again() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    let app = spawn_app_with(|s| s.worker_embedded = false).await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    post(&app, t, "/v1/contacts", json!({"first_name": "Ada"})).await;
    let created = start(&app, t, json!({"format": "csv"})).await;
    let id = created["id"].as_str().unwrap().to_owned();
    // A worker died while writing the file: the export is running, its job's lease ran out.
    let db = app.db().await;
    let uuid = campaign_os::platform::ids::ExportId::parse(&id).unwrap().uuid();
    export::Entity::update_many()
        .col_expr(export::Column::Status, Expr::value("running"))
        .filter(export::Column::Id.eq(uuid))
        .exec(&db)
        .await
        .unwrap();
    entities::job::Entity::update_many()
        .col_expr(entities::job::Column::Status, Expr::value("running"))
        .col_expr(entities::job::Column::Attempts, Expr::value(1))
        .col_expr(entities::job::Column::LockedBy, Expr::value("a-worker-that-died"))
        .col_expr(entities::job::Column::LockedUntil, Expr::value(0))
        .filter(entities::job::Column::SubjectId.eq(uuid))
        .exec(&db)
        .await
        .unwrap();
    // A process with a worker takes the job back and writes the file from the start.
    let mut settings = app.settings.clone();
    settings.worker_embedded = true;
    let restarted = campaign_os::startup::Application::build(settings).await.unwrap();
    tokio::spawn(restarted.run_until_stopped());
    let done = finished(&app, t, &id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["rows_written"], 1);
    let res = app.get(&format!("/v1/exports/{id}/download"), Some(t)).await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
}

#[tokio::test]
async fn another_organisation_gets_404() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    post(&app, &owner.access_token, "/v1/contacts", json!({"first_name": "Ada"})).await;
    let (done, _) = export_file(&app, &owner.access_token, json!({"format": "csv"})).await;
    let id = done["id"].as_str().unwrap();
    let other = app.signup().await;
    let t = other.access_token.as_str();
    assert_problem(app.get(&format!("/v1/exports/{id}"), Some(t)).await, 404, "not_found").await;
    assert_problem(app.get(&format!("/v1/exports/{id}/download"), Some(t)).await, 404, "not_found").await;
    assert_eq!(json_of(app.get("/v1/exports", Some(t)).await, 200).await["data"], json!([]));
    // Their own export holds none of the first organisation's contacts.
    let (done, rows) = csv_rows(&app, t, json!({"format": "csv"})).await;
    assert_eq!(done["rows_written"], 0);
    assert_eq!(rows.len(), 1);
}

#[tokio::test]
async fn viewers_cannot_export_members_can() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let viewer = join(&app, &owner.access_token, "viewer").await;
    let t = viewer.access_token.as_str();
    let problem =
        assert_problem(app.post_json("/v1/exports", Some(t), &json!({"format": "csv"})).await, 403, "forbidden").await;
    assert_eq!(problem["required_scope"], "exports:write");
    assert_problem(app.get("/v1/exports", Some(t)).await, 403, "forbidden").await;
    let member = join(&app, &owner.access_token, "member").await;
    let (done, _) = export_file(&app, &member.access_token, json!({"format": "csv"})).await;
    let id = done["id"].as_str().unwrap();
    assert_problem(app.get(&format!("/v1/exports/{id}/download"), Some(t)).await, 403, "forbidden").await;
    assert_problem(app.get("/v1/exports", None).await, 401, "missing_credentials").await;
}
