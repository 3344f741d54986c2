//! Issue 5: imports through HTTP, on SQLite and Postgres.

use std::time::{Duration, Instant};

use reqwest::{Response, StatusCode};
use serde_json::{Value, json};

use crate::helpers::{Account, TestApp, assert_problem, spawn_app, spawn_app_with};

const BOUNDARY: &str = "cos-test-boundary-7d9f2a";

/// A `multipart/form-data` body: an optional `options` part (JSON) and a `file` part.
fn multipart(file: Option<&[u8]>, options: Option<&Value>, file_type: &str) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some(options) = options {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"options\"\r\nContent-Type: application/json\r\n\r\n{options}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some(file) = file {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"contacts.csv\"\r\nContent-Type: {file_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(file);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{BOUNDARY}--\r\n").as_bytes());
    body
}

async fn upload_raw(app: &TestApp, token: &str, body: Vec<u8>) -> Response {
    app.client
        .post(app.url("/v1/imports"))
        .bearer_auth(token)
        .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
        .body(body)
        .send()
        .await
        .unwrap()
}

async fn upload(app: &TestApp, token: &str, csv: &str, options: Option<Value>) -> Response {
    upload_raw(app, token, multipart(Some(csv.as_bytes()), options.as_ref(), "text/csv")).await
}

/// Uploads and waits for the import to finish; returns the finished import.
async fn import(app: &TestApp, token: &str, csv: &str, options: Option<Value>) -> Value {
    let res = upload(app, token, csv, options).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["status"], "queued");
    wait(app, token, created["id"].as_str().unwrap()).await
}

/// Polls `GET /v1/imports/{id}` until the import has finished.
async fn wait(app: &TestApp, token: &str, id: &str) -> Value {
    let start = Instant::now();
    loop {
        let res = app.get(&format!("/v1/imports/{id}"), Some(token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let body: Value = res.json().await.unwrap();
        match body["status"].as_str().unwrap() {
            "completed" | "failed" => return body,
            "queued" | "running" => {}
            other => panic!("unexpected status {other}"),
        }
        assert!(start.elapsed() < Duration::from_secs(60), "import did not finish: {body}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn error_report(app: &TestApp, token: &str, id: &str) -> Vec<Vec<String>> {
    let res = app.get(&format!("/v1/imports/{id}/errors"), Some(token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
    let text = res.text().await.unwrap();
    let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
    reader.records().map(|r| r.unwrap().iter().map(str::to_owned).collect()).collect()
}

async fn field(app: &TestApp, token: &str, body: Value) {
    let res = app.post_json("/v1/custom-fields", Some(token), &body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
}

async fn contacts(app: &TestApp, token: &str) -> Vec<Value> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/contacts?limit=100&cursor={c}"),
            None => "/v1/contacts?limit=100".to_owned(),
        };
        let res = app.get(&path, Some(token)).await;
        assert_eq!(res.status(), StatusCode::OK);
        let page: Value = res.json().await.unwrap();
        out.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

fn by_email<'a>(list: &'a [Value], email: &str) -> &'a Value {
    list.iter().find(|c| c["email"].as_str().is_some_and(|e| e.eq_ignore_ascii_case(email))).unwrap()
}

async fn fields_for_bad_rows(app: &TestApp, a: &Account) {
    let token = &a.access_token;
    field(
        app,
        token,
        json!({"object": "contact", "key": "plan", "label": "Plan", "type": "select", "options": ["free", "pro"]}),
    )
    .await;
    field(app, token, json!({"object": "contact", "key": "seats", "label": "Seats", "type": "number"})).await;
    field(app, token, json!({"object": "contact", "key": "born", "label": "Born", "type": "date"})).await;
}

#[tokio::test]
async fn every_kind_of_bad_row_is_reported_with_its_row_and_column() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let token = &a.access_token;
    fields_for_bad_rows(&app, &a).await;
    let csv = "email,first_name,phone,custom.plan,custom.seats,custom.born,tags\n\
ada@example.com,Ada,+14155552671,PRO,3,1990-02-28,vip;Beta\n\
not-an-email,Bob,,,,,\n\
carl@example.com,Carl,12345,,,,\n\
dora@example.com,Dora,,gold,,,\n\
eve@example.com,Eve,,,many,,\n\
,Fay,+14155552672,,,,\n\
gus@example.com,Gus\n\
hal@example.com,Hal,,,,2023-02-30,\n\
ADA@Example.com,Ada2,,,,,\n\
ivy@example.com,Ivy,+1 415 555 2671,,,,\n\
bad,Zed,abc,,,,\n\
jo@example.com,\"Jo,,,,,\n";
    let done = import(&app, token, csv, None).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["rows_read"], 12, "{done}");
    assert_eq!(done["rows_created"], 1, "{done}");
    assert_eq!(done["rows_updated"], 1, "{done}");
    assert_eq!(done["rows_skipped"], 0, "{done}");
    assert_eq!(done["rows_failed"], 10, "{done}");
    assert!(done["started_at"].is_string() && done["finished_at"].is_string());
    let id = done["id"].as_str().unwrap();
    assert_eq!(done["error_report_url"], format!("/v1/imports/{id}/errors"));

    let report = error_report(&app, token, id).await;
    assert_eq!(report[0], ["row", "column", "code", "reason"]);
    let got: Vec<(String, String, String)> =
        report[1..].iter().map(|r| (r[0].clone(), r[1].clone(), r[2].clone())).collect();
    let want = [
        ("3", "email", "invalid_email"),
        ("4", "phone", "invalid_phone"),
        ("5", "custom.plan", "invalid_option"),
        ("6", "custom.seats", "invalid_type"),
        ("7", "email", "missing_match_key"),
        ("8", "", "column_count"),
        ("9", "custom.born", "invalid_date"),
        ("11", "phone", "phone_taken"),
        ("12", "email", "invalid_email"),
        ("12", "phone", "invalid_phone"),
        ("13", "", "column_count"),
    ];
    let mut got_sorted = got.clone();
    got_sorted.sort_by_key(|(row, col, _)| (row.parse::<u32>().unwrap(), col.clone()));
    let mut want_sorted: Vec<(String, String, String)> =
        want.iter().map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned())).collect();
    want_sorted.sort_by_key(|(row, col, _)| (row.parse::<u32>().unwrap(), col.clone()));
    assert_eq!(got_sorted, want_sorted);
    assert!(report[1..].iter().all(|r| !r[3].is_empty()), "every line has a reason");

    let list = contacts(&app, token).await;
    assert_eq!(list.len(), 1);
    let ada = &list[0];
    assert_eq!(ada["email"], "ADA@Example.com");
    assert_eq!(ada["first_name"], "Ada2");
    assert_eq!(ada["phone"], "+14155552671");
    assert_eq!(ada["custom_fields"], json!({"plan": "pro", "seats": 3, "born": "1990-02-28"}));
    let mut tags: Vec<String> =
        ada["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_owned()).collect();
    tags.sort();
    assert_eq!(tags, ["Beta", "vip"]);
}

#[tokio::test]
async fn duplicate_keys_upsert_or_skip_in_the_file_and_against_existing_contacts() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let token = &a.access_token;
    let res = app
        .post_json("/v1/contacts", Some(token), &json!({"email": "a@x.com", "first_name": "Old", "last_name": "Keep"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let csv = "email,first_name,last_name\nA@x.com,New,\nb@x.com,B1,One\nB@X.com,B2,\n";
    let done = import(&app, token, csv, Some(json!({"match_on": "email", "on_match": "upsert"}))).await;
    assert_eq!((done["rows_created"].as_i64(), done["rows_updated"].as_i64()), (Some(1), Some(2)), "{done}");
    assert_eq!(done["rows_failed"], 0);
    assert!(done["error_report_url"].is_null());
    let list = contacts(&app, token).await;
    assert_eq!(list.len(), 2);
    // An empty cell leaves the field as it is.
    assert_eq!(by_email(&list, "a@x.com")["first_name"], "New");
    assert_eq!(by_email(&list, "a@x.com")["last_name"], "Keep");
    assert_eq!(by_email(&list, "b@x.com")["first_name"], "B2");
    assert_eq!(by_email(&list, "b@x.com")["last_name"], "One");

    let csv = "email,first_name\na@x.com,Skipped\nc@x.com,C1\nC@x.com,C2\n";
    let done = import(&app, token, csv, Some(json!({"on_match": "skip"}))).await;
    assert_eq!(done["on_match"], "skip");
    assert_eq!((done["rows_created"].as_i64(), done["rows_skipped"].as_i64()), (Some(1), Some(2)), "{done}");
    assert_eq!(done["rows_updated"], 0);
    let list = contacts(&app, token).await;
    assert_eq!(list.len(), 3);
    assert_eq!(by_email(&list, "a@x.com")["first_name"], "New");
    assert_eq!(by_email(&list, "c@x.com")["first_name"], "C1");
    // A header-only error report for an import without failures.
    let report = error_report(&app, token, done["id"].as_str().unwrap()).await;
    assert_eq!(report, [["row", "column", "code", "reason"]]);
}

#[tokio::test]
async fn matching_on_phone_reads_national_numbers_in_the_default_region() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let token = &a.access_token;
    let res = app.patch_json("/v1/organization", Some(token), &json!({"default_phone_region": "US"})).await;
    assert_eq!(res.status(), StatusCode::OK, "{}", res.text().await.unwrap());
    let csv =
        "Mobile,Name,Mail,Ignored\n(415) 555-2671,Ann,ann@x.com,zzz\n+1 415 555 2671,Anne,,\n415.555.2672,Bea,,\n";
    let options = json!({"match_on": "phone", "mapping": {"Mobile": "phone", "Name": "first_name", "Mail": "email"}});
    let done = import(&app, token, csv, Some(options)).await;
    assert_eq!(done["mapping"], json!({"Mail": "email", "Mobile": "phone", "Name": "first_name"}));
    assert_eq!(done["match_on"], "phone");
    assert_eq!((done["rows_created"].as_i64(), done["rows_updated"].as_i64()), (Some(2), Some(1)), "{done}");
    let list = contacts(&app, token).await;
    let ann = list.iter().find(|c| c["phone"] == "+14155552671").unwrap();
    assert_eq!(ann["first_name"], "Anne");
    assert_eq!(ann["email"], "ann@x.com");
    assert!(list.iter().any(|c| c["phone"] == "+14155552672"));
}

#[tokio::test]
async fn an_import_never_overwrites_an_opt_out() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let token = &a.access_token;
    let res = app
        .post_json(
            "/v1/contacts",
            Some(token),
            &json!({"email": "out@x.com", "consent": {"sms": {"status": "opted_out", "source": "stop_reply"}}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let csv =
        "email,sms_consent,email_consent\nout@x.com,opted_in,opted_in\nnew@x.com,opted_in,unknown\nbad@x.com,maybe,\n";
    let done = import(&app, token, csv, None).await;
    assert_eq!((done["rows_created"].as_i64(), done["rows_updated"].as_i64()), (Some(1), Some(1)), "{done}");
    assert_eq!(done["rows_failed"], 1);
    let list = contacts(&app, token).await;
    let out = by_email(&list, "out@x.com");
    assert_eq!(out["consent"]["sms"]["status"], "opted_out");
    assert_eq!(out["consent"]["sms"]["source"], "stop_reply");
    assert_eq!(out["consent"]["email"]["status"], "opted_in");
    assert_eq!(out["consent"]["email"]["source"], "import");
    let new = by_email(&list, "new@x.com");
    assert_eq!(new["consent"]["sms"]["status"], "opted_in");
    assert_eq!(new["consent"]["email"]["status"], "unknown");
    let report = error_report(&app, token, done["id"].as_str().unwrap()).await;
    assert_eq!(report[1][..3], ["4", "sms_consent", "invalid_consent"]);
}

#[tokio::test]
async fn an_import_cut_off_by_a_crash_resumes_after_its_last_committed_batch() {
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
    // The first process runs no jobs: the import waits in the queue.
    let app = spawn_app_with(|s| s.worker_embedded = false).await;
    let a = app.signup().await;
    let token = &a.access_token;
    // Two batches (5,000 rows each): one bad row in the second.
    let mut csv = String::from("email,first_name\n");
    for i in 0..7000 {
        if i == 6000 {
            csv.push_str("not-an-email,Bad\n");
        } else {
            csv.push_str(&format!("p{i}@example.com,P{i}\n"));
        }
    }
    let res = upload(&app, token, &csv, None).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    let import_id = res.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let id = campaign_os::platform::ids::ImportId::parse(&import_id).unwrap().uuid();

    // What a worker that died after committing the first batch leaves behind: the checkpoint
    // on the import, and the job running under a lease that has run out. (The first batch's
    // contacts are not really written here, which shows that the resumed run skips it.)
    let db = app.db().await;
    entities::import::Entity::update_many()
        .col_expr(entities::import::Column::Status, Expr::value("running"))
        .col_expr(entities::import::Column::RowsRead, Expr::value(5000))
        .col_expr(entities::import::Column::RowsCreated, Expr::value(5000))
        .filter(entities::import::Column::Id.eq(id))
        .exec(&db)
        .await
        .unwrap();
    let moved = entities::job::Entity::update_many()
        .col_expr(entities::job::Column::Status, Expr::value("running"))
        .col_expr(entities::job::Column::Attempts, Expr::value(1))
        .col_expr(entities::job::Column::LockedBy, Expr::value("a-worker-that-died"))
        .col_expr(entities::job::Column::LockedUntil, Expr::value(0))
        .filter(entities::job::Column::SubjectId.eq(id))
        .exec(&db)
        .await
        .unwrap();
    assert_eq!(moved.rows_affected, 1, "the import's job was enqueued with it");
    // While it runs, the error report is not ready.
    assert_problem(app.get(&format!("/v1/imports/{import_id}/errors"), Some(token)).await, 409, "import_not_finished")
        .await;

    // A second process with a worker on the same database and data directory takes the job back.
    let mut settings = app.settings.clone();
    settings.worker_embedded = true;
    let restarted = campaign_os::startup::Application::build(settings).await.unwrap();
    tokio::spawn(restarted.run_until_stopped());
    let done = wait(&app, token, &import_id).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["rows_read"], 7000);
    assert_eq!(done["rows_created"], 5000 + 1999, "the checkpoint's counts plus the second batch");
    assert_eq!(done["rows_failed"], 1);
    // Only the second batch was written by the resumed run.
    let contacts = entities::contact::Entity::find()
        .filter(
            entities::contact::Column::TenantId
                .eq(campaign_os::platform::ids::TenantId::parse(&a.org_id).unwrap().uuid()),
        )
        .all(&db)
        .await
        .unwrap();
    assert_eq!(contacts.len(), 1999);
    let numbers: Vec<u32> = contacts
        .iter()
        .map(|c| {
            let e = c.email.as_deref().unwrap();
            e[1..e.find('@').unwrap()].parse().unwrap()
        })
        .collect();
    assert!(numbers.iter().all(|n| *n >= 5000), "a contact of the first batch was written again");
    let report = error_report(&app, token, &import_id).await;
    assert_eq!(report.len(), 2, "{report:?}");
    assert_eq!(report[1][0], "6002", "row numbers count the header line");
    // The job shows the second run.
    let jobs: Value = app.get("/v1/jobs?type=crm.import", Some(token)).await.json().await.unwrap();
    assert_eq!(jobs["data"][0]["status"], "succeeded");
    assert_eq!(jobs["data"][0]["attempts"], 2);
    assert_eq!(jobs["data"][0]["resource"], json!({"type": "import", "id": import_id}));
    assert_eq!(jobs["data"][0]["progress"]["rows_read"], 7000);
    // One `import.completed`, with the final counts.
    let events: Value =
        app.get("/v1/events?type=import.completed,import.failed", Some(token)).await.json().await.unwrap();
    assert_eq!(events["data"].as_array().unwrap().len(), 1, "{events}");
    assert_eq!(events["data"][0]["type"], "import.completed");
    assert_eq!(events["data"][0]["data"]["rows_created"], 6999);
}

#[tokio::test]
async fn uploads_are_checked_before_anything_is_imported() {
    let app = spawn_app_with(|s| s.import_max_bytes = 2048).await;
    let a = app.signup().await;
    let token = &a.access_token;

    // Too large: refused while streaming.
    let big = format!("email\n{}", "someone@example.com\n".repeat(200));
    let res = upload(&app, token, &big, None).await;
    assert_problem(res, 413, "payload_too_large").await;

    // Not multipart.
    let res = app.post_json("/v1/imports", Some(token), &json!({"file": "email\n"})).await;
    assert_problem(res, 415, "unsupported_media_type").await;

    let expect = async |res: Response, field: &str, code: &str| {
        let body = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(body["errors"][0]["field"], field, "{body}");
        assert_eq!(body["errors"][0]["code"], code, "{body}");
    };
    expect(upload(&app, token, "", None).await, "file", "empty_file").await;
    expect(upload(&app, token, "\n\n", None).await, "file", "missing_header").await;
    expect(upload(&app, token, ",,\n", None).await, "file", "missing_header").await;
    expect(
        upload_raw(&app, token, multipart(Some(b"\x89PNG\r\n\x1a\n\0\0\0"), None, "text/csv")).await,
        "file",
        "not_csv",
    )
    .await;
    expect(upload_raw(&app, token, multipart(Some(b"email\n"), None, "image/png")).await, "file", "not_csv").await;
    expect(upload_raw(&app, token, multipart(None, Some(&json!({})), "text/csv")).await, "file", "required").await;
    expect(upload(&app, token, "email,shoe_size\n", None).await, "file", "unknown_column").await;
    expect(upload(&app, token, "first_name\n", None).await, "file", "match_column_missing").await;
    expect(upload(&app, token, "email,custom.nope\n", None).await, "file", "unknown_custom_field").await;
    expect(upload(&app, token, "email,email\n", None).await, "file", "duplicate_column").await;
    expect(
        upload(&app, token, "email\n", Some(json!({"mapping": {"Mail": "email"}}))).await,
        "options.mapping.Mail",
        "missing_column",
    )
    .await;
    expect(
        upload(&app, token, "email\n", Some(json!({"mapping": {"email": "shoe"}}))).await,
        "options.mapping.email",
        "unknown_field",
    )
    .await;
    expect(upload(&app, token, "email\n", Some(json!({"match_on": "fax"}))).await, "options.match_on", "invalid_type")
        .await;
    expect(upload(&app, token, "email\n", Some(json!({"colour": 1}))).await, "options.colour", "unknown_field").await;
    let res = upload_raw(&app, token, {
        let mut body =
            format!("--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"options\"\r\n\r\n{{nope\r\n").into_bytes();
        body.extend_from_slice(&multipart(Some(b"email\n"), None, "text/csv"));
        body
    })
    .await;
    expect(res, "options", "invalid_json").await;

    // Nothing was recorded.
    let list: Value = app.get("/v1/imports", Some(token)).await.json().await.unwrap();
    assert_eq!(list["data"], json!([]));

    // Without credentials, or without the scope.
    assert_problem(upload(&app, "nope", "email\n", None).await, 401, "invalid_token").await;
}

#[tokio::test]
async fn imports_are_listed_and_invisible_to_other_tenants() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let b = app.signup().await;
    let first = import(&app, &a.access_token, "email\none@x.com\n", None).await;
    let second = import(&app, &a.access_token, "email\nnope\n", None).await;
    assert_eq!(first["filename"], "contacts.csv");
    assert!(first["file_size"].as_i64().unwrap() > 0);

    let page: Value = app.get("/v1/imports?limit=1", Some(&a.access_token)).await.json().await.unwrap();
    assert_eq!(page["data"][0]["id"], first["id"]);
    assert_eq!(page["has_more"], true);
    let cursor = page["next_cursor"].as_str().unwrap();
    let page: Value =
        app.get(&format!("/v1/imports?limit=1&cursor={cursor}"), Some(&a.access_token)).await.json().await.unwrap();
    assert_eq!(page["data"][0]["id"], second["id"]);
    assert_eq!(page["has_more"], false);
    assert_problem(app.get("/v1/imports?limit=0", Some(&a.access_token)).await, 422, "validation_failed").await;

    let id = second["id"].as_str().unwrap();
    assert_problem(app.get(&format!("/v1/imports/{id}"), Some(&b.access_token)).await, 404, "not_found").await;
    assert_problem(app.get(&format!("/v1/imports/{id}/errors"), Some(&b.access_token)).await, 404, "not_found").await;
    let list: Value = app.get("/v1/imports", Some(&b.access_token)).await.json().await.unwrap();
    assert_eq!(list["data"], json!([]));
    assert_problem(app.get("/v1/imports/imp_nope", Some(&a.access_token)).await, 400, "invalid_id").await;

    // An API key without the imports scope cannot start one.
    let res =
        app.post_json("/v1/api-keys", Some(&a.access_token), &json!({"name": "ro", "scopes": ["imports:read"]})).await;
    let secret = res.json::<Value>().await.unwrap()["secret"].as_str().unwrap().to_owned();
    assert_problem(upload(&app, &secret, "email\n", None).await, 403, "insufficient_scope").await;
    assert_eq!(app.get(&format!("/v1/imports/{id}"), Some(&secret)).await.status(), StatusCode::OK);
}

#[tokio::test]
async fn an_idempotency_key_does_not_buffer_an_upload() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let send = || {
        app.client
            .post(app.url("/v1/imports"))
            .bearer_auth(&a.access_token)
            .header("content-type", format!("multipart/form-data; boundary={BOUNDARY}"))
            .header("idempotency-key", "same-key")
            .body(multipart(Some(b"email\nx@y.com\n"), None, "text/csv"))
            .send()
    };
    let first: Value = send().await.unwrap().json().await.unwrap();
    let second = send().await.unwrap();
    assert_eq!(second.status(), StatusCode::ACCEPTED);
    assert!(second.headers().get("idempotent-replayed").is_none());
    let second: Value = second.json().await.unwrap();
    assert_ne!(first["id"], second["id"]);
}

#[tokio::test]
async fn a_larger_file_is_imported_in_batches_with_progress() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let mut csv = String::from("email,first_name,company_domain,tags\n");
    for i in 0..12_000 {
        // Every tenth row repeats an earlier key.
        let n = if i % 10 == 9 { i - 5 } else { i };
        csv.push_str(&format!("User{n}@Example.com,U{i},acme{}.com,t{}\n", i % 3, i % 4));
    }
    let done = import(&app, &a.access_token, &csv, None).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(done["rows_read"], 12_000);
    assert_eq!(done["rows_created"], 10_800);
    assert_eq!(done["rows_updated"], 1_200);
    let companies: Value = app.get("/v1/companies?limit=100", Some(&a.access_token)).await.json().await.unwrap();
    assert_eq!(companies["data"].as_array().unwrap().len(), 3);
    let tags: Value = app.get("/v1/tags?limit=100", Some(&a.access_token)).await.json().await.unwrap();
    assert_eq!(tags["data"].as_array().unwrap().len(), 4);
}

#[tokio::test]
async fn an_export_imports_into_another_tenant_as_the_same_contacts() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let b = app.signup().await;
    for acct in [&a, &b] {
        field(
            &app,
            &acct.access_token,
            json!({"object": "contact", "key": "plan", "label": "Plan", "type": "select", "options": ["free", "pro"]}),
        )
        .await;
        field(
            &app,
            &acct.access_token,
            json!({"object": "contact", "key": "seats", "label": "Seats", "type": "number"}),
        )
        .await;
        field(&app, &acct.access_token, json!({"object": "contact", "key": "vip", "label": "VIP", "type": "boolean"}))
            .await;
    }
    let csv = "email,first_name,last_name,phone,timezone,locale,company_domain,tags,sms_consent,email_consent,custom.plan,custom.seats,custom.vip\n\
ada@example.com,Ada,Lovelace,+14155552671,Europe/London,en-GB,acme.com,vip;beta,opted_in,opted_out,pro,3,true\n\
bob@example.com,Bob,,,,,,,,,free,2.5,false\n\
cy@example.com,,,+442079460958,,,other.org,beta,opted_out,,,,\n";
    let done = import(&app, &a.access_token, csv, None).await;
    assert_eq!(done["rows_created"], 3, "{done}");

    let res = app.post_json("/v1/exports", Some(&a.access_token), &json!({"format": "csv"})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED, "{}", res.text().await.unwrap());
    let export: Value = res.json().await.unwrap();
    let export_id = export["id"].as_str().unwrap();
    let start = Instant::now();
    loop {
        let e: Value = app.get(&format!("/v1/exports/{export_id}"), Some(&a.access_token)).await.json().await.unwrap();
        if e["status"] == "completed" {
            break;
        }
        assert_ne!(e["status"], "failed", "{e}");
        assert!(start.elapsed() < Duration::from_secs(30));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let res = app.get(&format!("/v1/exports/{export_id}/download"), Some(&a.access_token)).await;
    assert_eq!(res.status(), StatusCode::OK);
    let exported = res.text().await.unwrap();

    let done = import(&app, &b.access_token, &exported, None).await;
    assert_eq!(done["rows_created"], 3, "{done}");
    assert_eq!(done["rows_failed"], 0, "{done}");

    let strip = |list: Vec<Value>, token_companies: &Value| -> Vec<Value> {
        let mut out: Vec<Value> = list
            .into_iter()
            .map(|mut c| {
                let company = c["company_id"].as_str().and_then(|id| {
                    token_companies["data"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|co| co["id"] == id)
                        .map(|co| co["domain"].clone())
                });
                let mut tags: Vec<String> =
                    c["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap().to_owned()).collect();
                tags.sort();
                let obj = c.as_object_mut().unwrap();
                for k in ["id", "created_at", "updated_at", "company_id", "tags"] {
                    obj.remove(k);
                }
                for ch in ["sms", "email"] {
                    obj["consent"][ch].as_object_mut().unwrap().remove("updated_at");
                }
                obj.insert("company".into(), company.unwrap_or(Value::Null));
                obj.insert("tags".into(), json!(tags));
                c
            })
            .collect();
        out.sort_by_key(|c| c["email"].as_str().unwrap().to_owned());
        out
    };
    let companies_a: Value = app.get("/v1/companies?limit=100", Some(&a.access_token)).await.json().await.unwrap();
    let companies_b: Value = app.get("/v1/companies?limit=100", Some(&b.access_token)).await.json().await.unwrap();
    let in_a = strip(contacts(&app, &a.access_token).await, &companies_a);
    let in_b = strip(contacts(&app, &b.access_token).await, &companies_b);
    assert_eq!(in_a.len(), 3);
    assert_eq!(in_a, in_b);
}

#[tokio::test]
async fn a_runaway_quoted_row_fails_the_import_instead_of_filling_memory() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let csv = format!("email,first_name\nok@x.com,Ok\nrun@x.com,\"{}\n", "a,\n".repeat(400_000));
    let done = import(&app, &a.access_token, &csv, None).await;
    assert_eq!(done["status"], "failed", "{done}");
    let reason = done["failure_reason"].as_str().unwrap();
    assert!(reason.contains("longer than"), "{reason}");
    // No row failed: no report link, but the (empty) report of the rows handled is readable.
    assert!(done["error_report_url"].is_null());
    assert_eq!(error_report(&app, &a.access_token, done["id"].as_str().unwrap()).await.len(), 1);
}
