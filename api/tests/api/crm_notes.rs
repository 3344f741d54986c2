//! Issue 5: notes on contacts and companies through HTTP, on SQLite and Postgres: create, list,
//! get, edit, delete, the author (user or API key), permissions following the parent, and
//! tenant isolation.

use reqwest::Response;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app};
use crate::organizations::join;

async fn json_of(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "body: {body}");
    body
}

async fn contact(app: &TestApp, token: &str) -> String {
    let email = format!("c{}@example.com", uuid::Uuid::now_v7().simple());
    let body = json_of(app.post_json("/v1/contacts", Some(token), &json!({ "email": email })).await, 201).await;
    body["id"].as_str().unwrap().to_owned()
}

async fn company(app: &TestApp, token: &str) -> String {
    let body = json_of(app.post_json("/v1/companies", Some(token), &json!({"name": "Acme"})).await, 201).await;
    body["id"].as_str().unwrap().to_owned()
}

fn note_path(note: &Value) -> String {
    format!("/v1/notes/{}", note["id"].as_str().unwrap())
}

#[tokio::test]
async fn notes_on_a_contact_are_written_listed_edited_and_deleted() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    let con = contact(&app, t).await;
    let other = contact(&app, t).await;
    let notes = format!("/v1/contacts/{con}/notes");

    let first =
        json_of(app.post_json(&notes, Some(t), &json!({"body": "  Called about the renewal.\n"})).await, 201).await;
    assert!(first["id"].as_str().unwrap().starts_with("note_"));
    assert_eq!(first["contact_id"], con.as_str());
    assert_eq!(first["company_id"], Value::Null);
    assert_eq!(first["body"], "  Called about the renewal.\n", "the text is kept as sent");
    assert_eq!(first["author"], json!({"type": "user", "id": a.user_id}));
    assert_eq!(first["created_at"], first["updated_at"]);
    let second = json_of(app.post_json(&notes, Some(t), &json!({"body": "Second"})).await, 201).await;
    let third = json_of(app.post_json(&notes, Some(t), &json!({"body": "Third"})).await, 201).await;
    json_of(app.post_json(&format!("/v1/contacts/{other}/notes"), Some(t), &json!({"body": "Elsewhere"})).await, 201)
        .await;

    let page = json_of(app.get(&format!("{notes}?limit=2"), Some(t)).await, 200).await;
    let ids: Vec<&Value> = page["data"].as_array().unwrap().iter().map(|n| &n["id"]).collect();
    assert_eq!(ids, [&first["id"], &second["id"]]);
    assert_eq!(page["has_more"], true);
    let cursor = page["next_cursor"].as_str().unwrap();
    let page = json_of(app.get(&format!("{notes}?limit=2&cursor={cursor}"), Some(t)).await, 200).await;
    let ids: Vec<&Value> = page["data"].as_array().unwrap().iter().map(|n| &n["id"]).collect();
    assert_eq!(ids, [&third["id"]]);

    assert_eq!(json_of(app.get(&note_path(&first), Some(t)).await, 200).await, first);
    let edited =
        json_of(app.patch_json(&note_path(&first), Some(t), &json!({"body": "Renewal signed."})).await, 200).await;
    assert_eq!(edited["body"], "Renewal signed.");
    assert_eq!(edited["created_at"], first["created_at"]);
    assert_ne!(edited["updated_at"], first["updated_at"]);
    assert_eq!(edited["author"], first["author"]);
    let same = json_of(app.patch_json(&note_path(&first), Some(t), &json!({})).await, 200).await;
    assert_eq!(same, edited);

    assert_eq!(app.delete(&note_path(&second), Some(t)).await.status(), 204);
    assert_problem(app.get(&note_path(&second), Some(t)).await, 404, "not_found").await;
    assert_problem(app.delete(&note_path(&second), Some(t)).await, 404, "not_found").await;
    let page = json_of(app.get(&notes, Some(t)).await, 200).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);

    // Deleting the contact deletes its notes.
    assert_eq!(app.delete(&format!("/v1/contacts/{con}"), Some(t)).await.status(), 204);
    assert_problem(app.get(&note_path(&first), Some(t)).await, 404, "not_found").await;
    assert_problem(app.get(&notes, Some(t)).await, 404, "not_found").await;
    assert_problem(app.post_json(&notes, Some(t), &json!({"body": "x"})).await, 404, "not_found").await;
}

#[tokio::test]
async fn notes_on_a_company_record_an_api_key_author() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let (key_id, secret) = app.create_api_key(&a.access_token, "crm").await;
    let com = company(&app, &secret).await;
    let notes = format!("/v1/companies/{com}/notes");
    let note = json_of(app.post_json(&notes, Some(&secret), &json!({"body": "Met at the fair."})).await, 201).await;
    assert_eq!(note["company_id"], com.as_str());
    assert_eq!(note["contact_id"], Value::Null);
    assert_eq!(note["author"], json!({"type": "api_key", "id": key_id}));
    // A person may edit a note written by a key (anyone who may write the company).
    let edited = json_of(
        app.patch_json(&note_path(&note), Some(&a.access_token), &json!({"body": "Met at the fair in May."})).await,
        200,
    )
    .await;
    assert_eq!(edited["author"]["type"], "api_key");
    let page = json_of(app.get(&notes, Some(&a.access_token)).await, 200).await;
    assert_eq!(page["data"][0]["body"], "Met at the fair in May.");
    assert_eq!(app.delete(&note_path(&note), Some(&secret)).await.status(), 204);
    assert_eq!(json_of(app.get(&notes, Some(&secret)).await, 200).await["data"], json!([]));
}

#[tokio::test]
async fn bad_input_is_refused() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    let con = contact(&app, t).await;
    let notes = format!("/v1/contacts/{con}/notes");
    let cases = [
        (json!({}), "required"),
        (json!({"body": ""}), "length"),
        (json!({"body": " \n "}), "blank"),
        (json!({"body": "x".repeat(10_001)}), "length"),
        (json!({"body": 1}), "invalid_type"),
        (json!({"body": "x", "author": "me"}), "unknown_field"),
    ];
    for (body, code) in &cases {
        let problem = assert_problem(app.post_json(&notes, Some(t), body).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["code"], *code, "{body}: {problem}");
    }
    json_of(app.post_json(&notes, Some(t), &json!({"body": "é".repeat(10_000)})).await, 201).await;
    let note = json_of(app.post_json(&notes, Some(t), &json!({"body": "ok"})).await, 201).await;
    for (body, code) in [
        (json!({"body": null}), "invalid_type"),
        (json!({"body": ""}), "length"),
        (json!({"contact_id": con}), "unknown_field"),
    ] {
        let problem =
            assert_problem(app.patch_json(&note_path(&note), Some(t), &body).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["code"], code, "{body}: {problem}");
    }
    assert_problem(
        app.post_json("/v1/contacts/com_01jdq4m3y7e8f9g0h1j2k3m4n5/notes", Some(t), &json!({"body": "x"})).await,
        400,
        "invalid_id",
    )
    .await;
    assert_problem(app.get("/v1/notes/con_01jdq4m3y7e8f9g0h1j2k3m4n5", Some(t)).await, 400, "invalid_id").await;
    assert_problem(app.get("/v1/contacts/con_01jdq4m3y7e8f9g0h1j2k3m4n5/notes", Some(t)).await, 404, "not_found").await;
    assert_problem(app.get("/v1/companies/com_01jdq4m3y7e8f9g0h1j2k3m4n5/notes", Some(t)).await, 404, "not_found")
        .await;
    assert_problem(app.get(&format!("{notes}?limit=0"), Some(t)).await, 422, "validation_failed").await;
}

#[tokio::test]
async fn another_organisations_notes_and_parents_are_not_found() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let b = app.signup().await;
    let t = a.access_token.as_str();
    let con = contact(&app, t).await;
    let com = company(&app, t).await;
    let on_contact =
        json_of(app.post_json(&format!("/v1/contacts/{con}/notes"), Some(t), &json!({"body": "a"})).await, 201).await;
    let on_company =
        json_of(app.post_json(&format!("/v1/companies/{com}/notes"), Some(t), &json!({"body": "b"})).await, 201).await;
    let bt = Some(b.access_token.as_str());
    for parent in [format!("/v1/contacts/{con}/notes"), format!("/v1/companies/{com}/notes")] {
        assert_problem(app.get(&parent, bt).await, 404, "not_found").await;
        assert_problem(app.post_json(&parent, bt, &json!({"body": "intrusion"})).await, 404, "not_found").await;
    }
    for note in [&on_contact, &on_company] {
        assert_problem(app.get(&note_path(note), bt).await, 404, "not_found").await;
        assert_problem(app.patch_json(&note_path(note), bt, &json!({"body": "x"})).await, 404, "not_found").await;
        assert_problem(app.delete(&note_path(note), bt).await, 404, "not_found").await;
        assert_eq!(json_of(app.get(&note_path(note), Some(t)).await, 200).await["body"], note["body"]);
    }
}

#[tokio::test]
async fn note_permissions_follow_the_parent() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let con = contact(&app, t).await;
    let com = company(&app, t).await;
    let on_contact =
        json_of(app.post_json(&format!("/v1/contacts/{con}/notes"), Some(t), &json!({"body": "a"})).await, 201).await;
    let on_company =
        json_of(app.post_json(&format!("/v1/companies/{com}/notes"), Some(t), &json!({"body": "b"})).await, 201).await;

    // A viewer reads but does not write.
    let viewer = join(&app, t, "viewer").await;
    let v = Some(viewer.access_token.as_str());
    json_of(app.get(&format!("/v1/contacts/{con}/notes"), v).await, 200).await;
    json_of(app.get(&note_path(&on_company), v).await, 200).await;
    let body = assert_problem(
        app.post_json(&format!("/v1/contacts/{con}/notes"), v, &json!({"body": "x"})).await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(body["required_scope"], "contacts:write");
    // A viewer may write neither kind of note: refused before the note is read, so the answer is
    // the same whether it exists, naming the first scope that would do.
    let body =
        assert_problem(app.patch_json(&note_path(&on_company), v, &json!({"body": "x"})).await, 403, "forbidden").await;
    assert_eq!(body["required_scope"], "contacts:write");
    assert_eq!(body["detail"], "This needs one of `contacts:write`, `companies:write`.");
    assert_problem(app.delete(&note_path(&on_contact), v).await, 403, "forbidden").await;

    // A member edits and deletes anyone's notes.
    let member = join(&app, t, "member").await;
    let m = Some(member.access_token.as_str());
    json_of(app.patch_json(&note_path(&on_contact), m, &json!({"body": "by member"})).await, 200).await;
    assert_eq!(app.delete(&note_path(&on_company), m).await.status(), 204);

    // An API key with only contacts scopes: contact notes yes, company notes no.
    let res = app.post_json("/v1/api-keys", Some(t), &json!({"name": "k", "scopes": ["contacts:write"]})).await;
    let key = json_of(res, 201).await;
    let k = Some(key["secret"].as_str().unwrap());
    json_of(app.get(&note_path(&on_contact), k).await, 200).await;
    json_of(app.post_json(&format!("/v1/contacts/{con}/notes"), k, &json!({"body": "by key"})).await, 201).await;
    let body = assert_problem(app.get(&format!("/v1/companies/{com}/notes"), k).await, 403, "insufficient_scope").await;
    assert_eq!(body["required_scope"], "companies:read");
    let company_note =
        json_of(app.post_json(&format!("/v1/companies/{com}/notes"), Some(t), &json!({"body": "c"})).await, 201).await;
    let body = assert_problem(app.get(&note_path(&company_note), k).await, 403, "insufficient_scope").await;
    assert_eq!(body["required_scope"], "companies:read");

    // A key that may read neither contacts nor companies learns nothing about which note ids
    // exist: 403 for an existing note and for a missing one alike.
    let res = app.post_json("/v1/api-keys", Some(t), &json!({"name": "p", "scopes": ["products:read"]})).await;
    let key = json_of(res, 201).await;
    let p = Some(key["secret"].as_str().unwrap());
    let missing = "/v1/notes/note_00000000000000000000000000";
    for path in [note_path(&company_note), missing.to_owned()] {
        let body = assert_problem(app.get(&path, p).await, 403, "insufficient_scope").await;
        assert_eq!(body["required_scope"], "contacts:read");
        assert_problem(app.delete(&path, p).await, 403, "insufficient_scope").await;
    }
}
