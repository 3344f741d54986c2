//! Issue 5: contacts through HTTP, on SQLite and Postgres: CRUD, PATCH semantics, E.164
//! normalisation with the organisation's default region, uniqueness (409 naming the field),
//! custom field checks, tags, bulk upsert and bulk tag, scopes and tenant isolation.

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app};

async fn json_of(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "body: {body}");
    body
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    json_of(app.post_json("/v1/contacts", Some(token), &body).await, 201).await
}

async fn tag(app: &TestApp, token: &str, name: &str) -> String {
    let body = json_of(app.post_json("/v1/tags", Some(token), &json!({"name": name})).await, 201).await;
    body["id"].as_str().unwrap().to_owned()
}

async fn field(app: &TestApp, token: &str, body: Value) {
    json_of(app.post_json("/v1/custom-fields", Some(token), &body).await, 201).await;
}

async fn set_region(app: &TestApp, token: &str, region: Value) -> Value {
    json_of(app.patch_json("/v1/organization", Some(token), &json!({"default_phone_region": region})).await, 200).await
}

fn field_errors(problem: &Value) -> Vec<(String, String)> {
    let mut errors: Vec<(String, String)> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap().to_owned(), e["code"].as_str().unwrap().to_owned()))
        .collect();
    errors.sort();
    errors
}

#[tokio::test]
async fn crud_happy_path() {
    let app = spawn_app().await;
    let acct = app.signup().await;
    let t = acct.access_token.as_str();
    let vip = tag(&app, t, "VIP").await;
    let company = json_of(app.post_json("/v1/companies", Some(t), &json!({"name": "Acme"})).await, 201).await;

    let created = create(
        &app,
        t,
        json!({
            "first_name": " Ada ", "last_name": "Lovelace", "email": "Ada@Example.com",
            "phone": "+1 (415) 555-2671", "timezone": "Europe/London", "locale": "en-GB",
            "company_id": company["id"], "tags": ["vip"],
            "consent": {"sms": {"status": "opted_in", "source": "signup_form"}}
        }),
    )
    .await;
    let id = created["id"].as_str().unwrap();
    assert!(id.starts_with("con_"));
    assert_eq!(created["first_name"], "Ada");
    assert_eq!(created["email"], "Ada@Example.com");
    assert_eq!(created["phone"], "+14155552671");
    assert_eq!(created["company_id"], company["id"]);
    assert_eq!(created["tags"], json!([{"id": vip, "name": "VIP"}]));
    assert_eq!(created["custom_fields"], json!({}));
    assert_eq!(created["consent"]["sms"]["status"], "opted_in");
    assert_eq!(created["consent"]["sms"]["source"], "signup_form");
    assert!(created["consent"]["sms"]["updated_at"].is_string());
    assert_eq!(created["consent"]["email"], json!({"status": "unknown", "source": null, "updated_at": null}));

    let fetched = json_of(app.get(&format!("/v1/contacts/{id}"), Some(t)).await, 200).await;
    assert_eq!(fetched, created);

    let res = app.delete(&format!("/v1/contacts/{id}"), Some(t)).await;
    assert_eq!(res.status(), 204);
    assert_problem(app.get(&format!("/v1/contacts/{id}"), Some(t)).await, 404, "not_found").await;
    assert_problem(app.delete(&format!("/v1/contacts/{id}"), Some(t)).await, 404, "not_found").await;
    assert_problem(app.get("/v1/contacts/con_nope", Some(t)).await, 400, "invalid_id").await;
}

#[tokio::test]
async fn patch_absent_null_and_value() {
    let app = spawn_app().await;
    let acct = app.signup().await;
    let t = acct.access_token.as_str();
    field(
        &app,
        t,
        json!({"object": "contact", "key": "plan", "label": "Plan", "type": "select", "options": ["free", "pro"]}),
    )
    .await;
    field(&app, t, json!({"object": "contact", "key": "seats", "label": "Seats", "type": "number"})).await;
    let c = create(
        &app,
        t,
        json!({"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "locale": "en",
               "custom_fields": {"plan": "free", "seats": 3}}),
    )
    .await;
    let path = format!("/v1/contacts/{}", c["id"].as_str().unwrap());

    // Absent: unchanged; null: cleared; value: set. Custom fields merge key by key.
    let patched = json_of(
        app.patch_json(
            &path,
            Some(t),
            &json!({"last_name": null, "first_name": "Augusta", "custom_fields": {"seats": null, "plan": "pro"}}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(patched["first_name"], "Augusta");
    assert_eq!(patched["last_name"], Value::Null);
    assert_eq!(patched["email"], "ada@example.com");
    assert_eq!(patched["locale"], "en");
    assert_eq!(patched["custom_fields"], json!({"plan": "pro"}));
    assert_eq!(patched["created_at"], c["created_at"]);

    // An empty patch changes nothing.
    let same = json_of(app.patch_json(&path, Some(t), &json!({})).await, 200).await;
    assert_eq!(same, patched);

    // The company link: set, then cleared; another value must be a company of this organisation.
    let company = json_of(app.post_json("/v1/companies", Some(t), &json!({"name": "Acme"})).await, 201).await;
    let linked = json_of(app.patch_json(&path, Some(t), &json!({"company_id": company["id"]})).await, 200).await;
    assert_eq!(linked["company_id"], company["id"]);
    let p = assert_problem(
        app.patch_json(&path, Some(t), &json!({"company_id": "com_00000000000000000000000000"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&p), [("company_id".into(), "unknown_company".into())]);
    let unlinked = json_of(app.patch_json(&path, Some(t), &json!({"company_id": null})).await, 200).await;
    assert_eq!(unlinked["company_id"], Value::Null);

    // `custom_fields: null` removes every value; `consent` cannot be null.
    let cleared = json_of(app.patch_json(&path, Some(t), &json!({"custom_fields": null})).await, 200).await;
    assert_eq!(cleared["custom_fields"], json!({}));
    json_of(app.patch_json(&path, Some(t), &json!({"custom_fields": {"plan": "pro"}})).await, 200).await;
    assert_problem(app.patch_json(&path, Some(t), &json!({"consent": null})).await, 422, "validation_failed").await;

    // Consent: an explicit change may opt a contact back in.
    let out =
        json_of(app.patch_json(&path, Some(t), &json!({"consent": {"email": {"status": "opted_out"}}})).await, 200)
            .await;
    assert_eq!(out["consent"]["email"]["status"], "opted_out");
    let back = json_of(
        app.patch_json(&path, Some(t), &json!({"consent": {"email": {"status": "opted_in", "source": "support"}}}))
            .await,
        200,
    )
    .await;
    assert_eq!(back["consent"]["email"]["status"], "opted_in");
    assert_eq!(back["consent"]["email"]["source"], "support");

    // Bad values and unknown fields.
    let p = assert_problem(
        app.patch_json(&path, Some(t), &json!({"email": "nope", "timezone": "Mars/Base", "locale": "en_US"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&p),
        [("email".into(), "invalid_email".into()), ("locale".into(), "invalid_locale".into())]
    );
    let p =
        assert_problem(app.patch_json(&path, Some(t), &json!({"timezone": "paris"})).await, 422, "validation_failed")
            .await;
    assert_eq!(field_errors(&p), [("timezone".into(), "invalid_timezone".into())]);
    assert_problem(app.patch_json(&path, Some(t), &json!({"nickname": "x"})).await, 422, "validation_failed").await;
    let p = assert_problem(
        app.patch_json(&path, Some(t), &json!({"first_name": "x".repeat(101)})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&p), [("first_name".into(), "length".into())]);
}

#[tokio::test]
async fn phones_are_stored_in_e164_using_the_default_region() {
    let app = spawn_app().await;
    let acct = app.signup().await;
    let t = acct.access_token.as_str();

    // Without a default region, a national number is refused; international ones work.
    let org = json_of(app.get("/v1/organization", Some(t)).await, 200).await;
    assert_eq!(org["default_phone_region"], Value::Null);
    let p = assert_problem(
        app.post_json("/v1/contacts", Some(t), &json!({"phone": "(415) 555-2671"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&p), [("phone".into(), "invalid_phone".into())]);
    let c = create(&app, t, json!({"phone": "00 44 20 7946 0958"})).await;
    assert_eq!(c["phone"], "+442079460958");

    // With a default region (any case), national numbers are read in it.
    assert_eq!(set_region(&app, t, json!("us")).await["default_phone_region"], "US");
    let cases = [
        ("(415) 555-2672", "+14155552672"),
        ("415.555.2673", "+14155552673"),
        ("+1 415 555 2674", "+14155552674"),
        ("011 44 20 7946 0959", "+442079460959"),
        ("+33 6 12 34 56 78", "+33612345678"),
    ];
    for (raw, want) in cases {
        let c = create(&app, t, json!({"phone": raw})).await;
        assert_eq!(c["phone"], want, "{raw}");
    }
    for bad in ["555-FLOWERS", "123", "+1 415 555 2671 2671", "(015) 555-2671", "+1 415 555 2671 ext. 3"] {
        let p = assert_problem(
            app.post_json("/v1/contacts", Some(t), &json!({"phone": bad})).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(field_errors(&p), [("phone".into(), "invalid_phone".into())], "{bad}");
    }

    // The same number written differently is the same phone.
    assert_problem(app.post_json("/v1/contacts", Some(t), &json!({"phone": "4155552672"})).await, 409, "phone_taken")
        .await;

    // The region is validated and can be cleared.
    let p = assert_problem(
        app.patch_json("/v1/organization", Some(t), &json!({"default_phone_region": "XX"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&p), [("default_phone_region".into(), "invalid_region".into())]);
    assert_eq!(set_region(&app, t, json!("GB")).await["default_phone_region"], "GB");
    let c = create(&app, t, json!({"phone": "07400 123456"})).await;
    assert_eq!(c["phone"], "+447400123456");
    assert_eq!(set_region(&app, t, Value::Null).await["default_phone_region"], Value::Null);
}

#[tokio::test]
async fn email_and_phone_are_unique_per_tenant() {
    let app = spawn_app().await;
    let acct = app.signup().await;
    let t = acct.access_token.as_str();
    let a = create(&app, t, json!({"email": "ada@example.com", "phone": "+14155552671"})).await;
    let b = create(&app, t, json!({"email": "bob@example.com"})).await;

    let p = assert_problem(
        app.post_json("/v1/contacts", Some(t), &json!({"email": "  ADA@example.COM"})).await,
        409,
        "email_taken",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "email");
    assert_eq!(p["errors"][0]["code"], "email_taken");
    let p = assert_problem(
        app.post_json("/v1/contacts", Some(t), &json!({"phone": "+1 415-555-2671"})).await,
        409,
        "phone_taken",
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "phone");

    // Through PATCH too; keeping one's own email is fine.
    let b_path = format!("/v1/contacts/{}", b["id"].as_str().unwrap());
    assert_problem(app.patch_json(&b_path, Some(t), &json!({"email": "Ada@Example.com"})).await, 409, "email_taken")
        .await;
    assert_problem(app.patch_json(&b_path, Some(t), &json!({"phone": "+14155552671"})).await, 409, "phone_taken").await;
    let a_path = format!("/v1/contacts/{}", a["id"].as_str().unwrap());
    let same = json_of(app.patch_json(&a_path, Some(t), &json!({"email": "ADA@example.com"})).await, 200).await;
    assert_eq!(same["email"], "ADA@example.com");

    // Another organisation may use the same email and phone.
    let other = app.signup().await;
    create(&app, &other.access_token, json!({"email": "ada@example.com", "phone": "+14155552671"})).await;

    // Concurrent creates with the same email: exactly one wins, the other is a 409.
    let body = json!({"email": "race@example.com"});
    let (r1, r2) =
        tokio::join!(app.post_json("/v1/contacts", Some(t), &body), app.post_json("/v1/contacts", Some(t), &body));
    let mut statuses = [r1.status().as_u16(), r2.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses, [201, 409]);
}

#[tokio::test]
async fn custom_fields_are_checked_against_definitions() {
    let app = spawn_app().await;
    let acct = app.signup().await;
    let t = acct.access_token.as_str();
    field(
        &app,
        t,
        json!({"object": "contact", "key": "plan", "label": "Plan", "type": "select", "options": ["free", "pro"]}),
    )
    .await;
    field(&app, t, json!({"object": "contact", "key": "seats", "label": "Seats", "type": "number"})).await;
    field(&app, t, json!({"object": "contact", "key": "vip", "label": "VIP", "type": "boolean"})).await;
    field(&app, t, json!({"object": "contact", "key": "born", "label": "Born", "type": "date"})).await;
    field(&app, t, json!({"object": "company", "key": "industry", "label": "Industry", "type": "text"})).await;

    let ok = create(&app, t, json!({"custom_fields": {"plan": "pro", "seats": 12, "vip": true, "born": "1815-12-10"}}))
        .await;
    assert_eq!(ok["custom_fields"], json!({"plan": "pro", "seats": 12, "vip": true, "born": "1815-12-10"}));

    let p = assert_problem(
        app.post_json(
            "/v1/contacts",
            Some(t),
            &json!({"custom_fields": {"plan": "gold", "seats": "12", "vip": "yes", "born": "10/12/1815", "industry": "x"}}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&p),
        [
            ("custom_fields.born".into(), "invalid_date".into()),
            ("custom_fields.industry".into(), "unknown_field".into()),
            ("custom_fields.plan".into(), "invalid_option".into()),
            ("custom_fields.seats".into(), "invalid_type".into()),
            ("custom_fields.vip".into(), "invalid_type".into()),
        ]
    );

    // A required field must be given on create and cannot be cleared.
    field(&app, t, json!({"object": "contact", "key": "source", "label": "Source", "type": "text", "required": true}))
        .await;
    let p = assert_problem(app.post_json("/v1/contacts", Some(t), &json!({})).await, 422, "validation_failed").await;
    assert_eq!(field_errors(&p), [("custom_fields.source".into(), "required".into())]);
    let c = create(&app, t, json!({"custom_fields": {"source": "web"}})).await;
    let path = format!("/v1/contacts/{}", c["id"].as_str().unwrap());
    let p = assert_problem(
        app.patch_json(&path, Some(t), &json!({"custom_fields": {"source": null}})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&p), [("custom_fields.source".into(), "required".into())]);
}

#[tokio::test]
async fn company_and_tags_must_exist_in_the_tenant() {
    let app = spawn_app().await;
    let acct = app.signup().await;
    let other = app.signup().await;
    let t = acct.access_token.as_str();
    let foreign_company =
        json_of(app.post_json("/v1/companies", Some(&other.access_token), &json!({"name": "Theirs"})).await, 201).await;
    let foreign_tag = tag(&app, &other.access_token, "theirs").await;
    let p = assert_problem(
        app.post_json(
            "/v1/contacts",
            Some(t),
            &json!({"company_id": foreign_company["id"], "tags": ["nope", foreign_tag]}),
        )
        .await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(
        field_errors(&p),
        [
            ("company_id".into(), "unknown_company".into()),
            ("tags[0]".into(), "unknown_tag".into()),
            ("tags[1]".into(), "unknown_tag".into()),
        ]
    );
}

#[tokio::test]
async fn tags_on_one_contact() {
    let app = spawn_app().await;
    let acct = app.signup().await;
    let t = acct.access_token.as_str();
    let vip = tag(&app, t, "VIP").await;
    let lead = tag(&app, t, "lead").await;
    let c = create(&app, t, json!({"email": "ada@example.com"})).await;
    let id = c["id"].as_str().unwrap();

    let out =
        json_of(app.post_json(&format!("/v1/contacts/{id}/tags"), Some(t), &json!({"tags": ["vip", lead]})).await, 200)
            .await;
    assert_eq!(out["tags"], json!([{"id": lead, "name": "lead"}, {"id": vip, "name": "VIP"}]));
    // Adding again is harmless.
    let again =
        json_of(app.post_json(&format!("/v1/contacts/{id}/tags"), Some(t), &json!({"tags": ["VIP"]})).await, 200).await;
    assert_eq!(again["tags"].as_array().unwrap().len(), 2);
    let p = assert_problem(
        app.post_json(&format!("/v1/contacts/{id}/tags"), Some(t), &json!({"tags": ["missing"]})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&p), [("tags[0]".into(), "unknown_tag".into())]);
    assert_problem(
        app.post_json(&format!("/v1/contacts/{id}/tags"), Some(t), &json!({"tags": []})).await,
        422,
        "validation_failed",
    )
    .await;

    let res = app.delete(&format!("/v1/contacts/{id}/tags/{vip}"), Some(t)).await;
    assert_eq!(res.status(), 204);
    let res = app.delete(&format!("/v1/contacts/{id}/tags/{vip}"), Some(t)).await;
    assert_eq!(res.status(), 204, "removing an absent tag succeeds");
    let now = json_of(app.get(&format!("/v1/contacts/{id}"), Some(t)).await, 200).await;
    assert_eq!(now["tags"], json!([{"id": lead, "name": "lead"}]));

    // PATCH tags replaces the set; null clears it.
    let out =
        json_of(app.patch_json(&format!("/v1/contacts/{id}"), Some(t), &json!({"tags": ["vip"]})).await, 200).await;
    assert_eq!(out["tags"], json!([{"id": vip, "name": "VIP"}]));
    let out = json_of(app.patch_json(&format!("/v1/contacts/{id}"), Some(t), &json!({"tags": null})).await, 200).await;
    assert_eq!(out["tags"], json!([]));
}

#[tokio::test]
async fn bulk_upsert_reports_each_item() {
    let app = spawn_app().await;
    let acct = app.signup().await;
    let t = acct.access_token.as_str();
    let vip = tag(&app, t, "vip").await;
    let existing = create(&app, t, json!({"email": "ada@example.com", "first_name": "Ada", "last_name": "L"})).await;

    let body = json!({
        "match_on": "email",
        "on_match": "update",
        "contacts": [
            {"email": "ADA@example.com", "first_name": "Augusta", "tags": ["vip"]},
            {"email": "bob@example.com", "phone": "+14155552671"},
            {"email": "not-an-email"},
            {"email": "carol@example.com", "phone": "+1 415 555 2671"},
            {"email": "bob@example.com", "last_name": "Builder"},
            {"first_name": "No key"},
            {"email": "dan@example.com", "tags": ["unknown"]}
        ]
    });
    let out = json_of(app.post_json("/v1/contacts/bulk", Some(t), &body).await, 200).await;
    let r = out["results"].as_array().unwrap();
    let statuses: Vec<&str> = r.iter().map(|x| x["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["updated", "created", "failed", "failed", "updated", "created", "failed"]);
    assert_eq!(
        (out["created"].as_u64(), out["updated"].as_u64(), out["skipped"].as_u64(), out["failed"].as_u64()),
        (Some(2), Some(2), Some(0), Some(3))
    );
    assert_eq!(r[0]["id"], existing["id"]);
    assert_eq!(r[2]["errors"][0]["code"], "invalid_email");
    assert_eq!(r[2]["errors"][0]["field"], "email");
    assert!(r[2].get("id").is_none());
    assert_eq!(r[3]["errors"][0]["code"], "phone_taken");
    assert_eq!(r[4]["id"], r[1]["id"], "a later item updates the contact an earlier one created");
    assert_eq!(r[6]["errors"][0]["code"], "unknown_tag");

    let ada = json_of(app.get(&format!("/v1/contacts/{}", existing["id"].as_str().unwrap()), Some(t)).await, 200).await;
    assert_eq!(ada["first_name"], "Augusta");
    assert_eq!(ada["last_name"], "L", "fields an item leaves out are kept");
    assert_eq!(ada["tags"], json!([{"id": vip, "name": "vip"}]));
    let bob = json_of(app.get(&format!("/v1/contacts/{}", r[1]["id"].as_str().unwrap()), Some(t)).await, 200).await;
    assert_eq!((bob["phone"].as_str(), bob["last_name"].as_str()), (Some("+14155552671"), Some("Builder")));

    // skip and error.
    let body =
        json!({"match_on": "email", "on_match": "skip", "contacts": [{"email": "ada@example.com", "first_name": "X"}]});
    let out = json_of(app.post_json("/v1/contacts/bulk", Some(t), &body).await, 200).await;
    assert_eq!(out["results"][0]["status"], "skipped");
    assert_eq!(out["results"][0]["id"], existing["id"]);
    let body = json!({"match_on": "phone", "on_match": "error", "contacts": [{"phone": "+14155552671"}]});
    let out = json_of(app.post_json("/v1/contacts/bulk", Some(t), &body).await, 200).await;
    assert_eq!(out["results"][0]["status"], "failed");
    assert_eq!(out["results"][0]["errors"][0]["code"], "phone_taken");

    // Without match_on, a duplicate email fails its item.
    let body = json!({"contacts": [{"email": "ada@example.com"}, {"email": "eve@example.com"}]});
    let out = json_of(app.post_json("/v1/contacts/bulk", Some(t), &body).await, 200).await;
    assert_eq!(out["results"][0]["errors"][0]["code"], "email_taken");
    assert_eq!(out["results"][1]["status"], "created");

    // Size limits.
    let many: Vec<Value> = (0..1001).map(|i| json!({"first_name": format!("n{i}")})).collect();
    assert_problem(
        app.post_json("/v1/contacts/bulk", Some(t), &json!({"contacts": many})).await,
        422,
        "too_many_items",
    )
    .await;
    assert_problem(
        app.post_json("/v1/contacts/bulk", Some(t), &json!({"contacts": []})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        app.post_json("/v1/contacts/bulk", Some(t), &json!({"contacts": [], "match_on": "name"})).await,
        422,
        "validation_failed",
    )
    .await;

    // 1,000 items in one request.
    let many: Vec<Value> = (0..1000).map(|i| json!({"email": format!("p{i}@example.com")})).collect();
    let out = json_of(app.post_json("/v1/contacts/bulk", Some(t), &json!({"contacts": many})).await, 200).await;
    assert_eq!(out["created"], 1000);
}

#[tokio::test]
async fn bulk_tag_adds_and_removes() {
    let app = spawn_app().await;
    let acct = app.signup().await;
    let other = app.signup().await;
    let t = acct.access_token.as_str();
    let vip = tag(&app, t, "vip").await;
    let lead = tag(&app, t, "lead").await;
    let a = create(&app, t, json!({"first_name": "A", "tags": ["lead"]})).await;
    let b = create(&app, t, json!({"first_name": "B"})).await;
    let foreign = create(&app, &other.access_token, json!({"first_name": "F"})).await;

    let body = json!({"contact_ids": [a["id"], b["id"], foreign["id"]], "add": ["VIP"], "remove": [lead]});
    let out = json_of(app.post_json("/v1/contacts/tags", Some(t), &body).await, 200).await;
    assert_eq!((out["updated"].as_u64(), out["failed"].as_u64()), (Some(2), Some(1)));
    assert_eq!(out["results"][2]["status"], "failed");
    assert_eq!(out["results"][2]["errors"][0]["code"], "not_found");
    for c in [&a, &b] {
        let got = json_of(app.get(&format!("/v1/contacts/{}", c["id"].as_str().unwrap()), Some(t)).await, 200).await;
        assert_eq!(got["tags"], json!([{"id": vip, "name": "vip"}]));
    }
    let f = json_of(
        app.get(&format!("/v1/contacts/{}", foreign["id"].as_str().unwrap()), Some(&other.access_token)).await,
        200,
    )
    .await;
    assert_eq!(f["tags"], json!([]));

    let p = assert_problem(
        app.post_json("/v1/contacts/tags", Some(t), &json!({"contact_ids": [a["id"]], "add": ["nope"]})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(field_errors(&p), [("add[0]".into(), "unknown_tag".into())]);
    let ids: Vec<Value> = (0..1001).map(|_| a["id"].clone()).collect();
    assert_problem(
        app.post_json("/v1/contacts/tags", Some(t), &json!({"contact_ids": ids, "add": ["vip"]})).await,
        422,
        "too_many_items",
    )
    .await;
}

#[tokio::test]
async fn another_tenant_gets_404() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let intruder = app.signup().await;
    let vip = tag(&app, &owner.access_token, "vip").await;
    let c = create(&app, &owner.access_token, json!({"email": "ada@example.com"})).await;
    let id = c["id"].as_str().unwrap();
    let t = Some(intruder.access_token.as_str());
    assert_problem(app.get(&format!("/v1/contacts/{id}"), t).await, 404, "not_found").await;
    assert_problem(
        app.patch_json(&format!("/v1/contacts/{id}"), t, &json!({"first_name": "x"})).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(app.delete(&format!("/v1/contacts/{id}"), t).await, 404, "not_found").await;
    assert_problem(
        app.post_json(&format!("/v1/contacts/{id}/tags"), t, &json!({"tags": ["vip"]})).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(app.delete(&format!("/v1/contacts/{id}/tags/{vip}"), t).await, 404, "not_found").await;
    // The owner's contact is untouched.
    let still = json_of(app.get(&format!("/v1/contacts/{id}"), Some(&owner.access_token)).await, 200).await;
    assert_eq!(still, c);
}

#[tokio::test]
async fn writing_needs_contacts_write() {
    let app = spawn_app().await;
    let acct = app.signup().await;
    let c = create(&app, &acct.access_token, json!({"email": "ada@example.com"})).await;
    let id = c["id"].as_str().unwrap();
    let key = json_of(
        app.post_json(
            "/v1/api-keys",
            Some(&acct.access_token),
            &json!({"name": "reader", "scopes": ["contacts:read"]}),
        )
        .await,
        201,
    )
    .await;
    let k = key["secret"].as_str();
    json_of(app.get(&format!("/v1/contacts/{id}"), k).await, 200).await;
    for res in [
        app.post_json("/v1/contacts", k, &json!({})).await,
        app.patch_json(&format!("/v1/contacts/{id}"), k, &json!({})).await,
        app.delete(&format!("/v1/contacts/{id}"), k).await,
        app.post_json("/v1/contacts/bulk", k, &json!({"contacts": [{}]})).await,
        app.post_json("/v1/contacts/tags", k, &json!({"contact_ids": [id]})).await,
        app.post_json(&format!("/v1/contacts/{id}/tags"), k, &json!({"tags": ["x"]})).await,
    ] {
        let p = assert_problem(res, 403, "insufficient_scope").await;
        assert_eq!(p["required_scope"], "contacts:write");
    }
    assert_problem(app.get(&format!("/v1/contacts/{id}"), None).await, 401, "missing_credentials").await;
}

#[tokio::test]
async fn bodies_the_spec_forbids_are_refused() {
    let app = spawn_app().await;
    let token = app.signup().await.access_token;
    // serde would read an array as a struct's fields in order; the spec allows only objects.
    for body in [
        json!({"consent": [null, null]}),
        json!({"consent": {"sms": ["opted_in", "form"]}}),
        json!({"email": ""}),
        json!({"phone": "  "}),
    ] {
        let res = app.post_json("/v1/contacts", Some(&token), &body).await;
        assert_eq!(res.status().as_u16(), 422, "{body}");
    }
    let id = create(&app, &token, json!({"first_name": "Ada"})).await["id"].as_str().unwrap().to_owned();
    for body in [json!({"consent": [null, null]}), json!({"consent": null})] {
        let res = app.patch_json(&format!("/v1/contacts/{id}"), Some(&token), &body).await;
        assert_eq!(res.status().as_u16(), 422, "{body}");
    }
}

/// `GET /v1/contacts` pages are cached per server (`list_cache.rs`); every kind of write must
/// show in the next list at once, and one tenant's cached page is never another's.
#[tokio::test]
async fn contact_lists_are_never_stale_after_a_write() {
    let app = spawn_app().await;
    let acct = app.signup().await;
    let t = acct.access_token.as_str();
    let (_, key) = app.create_api_key(t, "reader").await;
    let list = |path: &'static str| {
        let (app, key) = (&app, key.clone());
        async move { json_of(app.get(path, Some(&key)).await, 200).await }
    };
    let names = |page: &Value| -> Vec<String> {
        page["data"].as_array().unwrap().iter().map(|c| c["first_name"].as_str().unwrap_or("").to_owned()).collect()
    };
    assert!(names(&list("/v1/contacts?limit=50").await).is_empty());
    let ada = create(&app, t, json!({"first_name": "Ada", "email": "ada@example.com"})).await;
    let id = ada["id"].as_str().unwrap();
    assert_eq!(names(&list("/v1/contacts?limit=50").await), ["Ada"]);
    list("/v1/contacts?limit=50").await; // served from the cache now

    json_of(app.patch_json(&format!("/v1/contacts/{id}"), Some(t), &json!({"first_name": "Augusta"})).await, 200).await;
    assert_eq!(names(&list("/v1/contacts?limit=50").await), ["Augusta"]);

    let vip = tag(&app, t, "vip").await;
    json_of(app.post_json(&format!("/v1/contacts/{id}/tags"), Some(t), &json!({"tags": ["vip"]})).await, 200).await;
    let page = list("/v1/contacts?limit=50").await;
    assert_eq!(page["data"][0]["tags"][0]["name"], "vip");
    json_of(app.patch_json(&format!("/v1/tags/{vip}"), Some(t), &json!({"name": "gold"})).await, 200).await;
    let page = list("/v1/contacts?limit=50").await;
    assert_eq!(page["data"][0]["tags"][0]["name"], "gold");
    assert_eq!(names(&list("/v1/contacts?limit=50&filter=tags%5Bany%5D%3Agold").await), ["Augusta"]);

    // Another tenant asking the very same query gets its own (empty) page.
    let other = app.signup().await;
    let (_, other_key) = app.create_api_key(&other.access_token, "reader").await;
    let page = json_of(app.get("/v1/contacts?limit=50", Some(&other_key)).await, 200).await;
    assert!(page["data"].as_array().unwrap().is_empty());

    let res = app.delete(&format!("/v1/contacts/{id}"), Some(t)).await;
    assert_eq!(res.status().as_u16(), 204);
    assert!(names(&list("/v1/contacts?limit=50").await).is_empty());
}
