//! Issue 5: companies through HTTP, on SQLite and Postgres: CRUD with absent/null/value PATCH,
//! domains (normalised, unique ignoring case, races included), custom fields, a company's
//! contacts (unlinked when it is deleted), name search, roles and tenant isolation.

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

async fn create_company(app: &TestApp, token: &str, body: Value) -> Value {
    json_of(app.post_json("/v1/companies", Some(token), &body).await, 201).await
}

fn path_of(v: &Value) -> String {
    format!("/v1/companies/{}", v["id"].as_str().unwrap())
}

fn names(list: &Value) -> Vec<String> {
    list["data"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn companies_are_created_read_changed_and_deleted() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    app.post_json(
        "/v1/custom-fields",
        Some(t),
        &json!({"object": "company", "key": "employees", "label": "Employees", "type": "number"}),
    )
    .await;
    app.post_json(
        "/v1/custom-fields",
        Some(t),
        &json!({"object": "company", "key": "industry", "label": "Industry", "type": "select", "options": ["retail", "tech"]}),
    )
    .await;

    let acme = create_company(
        &app,
        t,
        json!({"name": " Acme Corporation ", "domain": " Acme.COM. ", "custom_fields": {"employees": 120, "industry": "retail"}}),
    )
    .await;
    assert!(acme["id"].as_str().unwrap().starts_with("com_"));
    assert_eq!(acme["name"], "Acme Corporation");
    assert_eq!(acme["domain"], "acme.com");
    assert_eq!(acme["custom_fields"], json!({"employees": 120, "industry": "retail"}));
    assert_eq!(acme["created_at"], acme["updated_at"]);
    let bare = create_company(&app, t, json!({"name": "Bare"})).await;
    assert_eq!(bare["domain"], Value::Null);
    assert_eq!(bare["custom_fields"], json!({}));

    let path = path_of(&acme);
    assert_eq!(json_of(app.get(&path, Some(t)).await, 200).await, acme);

    // PATCH: a custom field key set, another removed with null, others kept; name set; domain kept.
    let changed = json_of(
        app.patch_json(
            &path,
            Some(t),
            &json!({"name": "Acme Inc.", "custom_fields": {"employees": 150, "industry": null}}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(changed["name"], "Acme Inc.");
    assert_eq!(changed["domain"], "acme.com");
    assert_eq!(changed["custom_fields"], json!({"employees": 150}));
    assert_ne!(changed["updated_at"], acme["updated_at"]);
    let cleared = json_of(app.patch_json(&path, Some(t), &json!({"domain": null})).await, 200).await;
    assert_eq!(cleared["domain"], Value::Null);
    assert_eq!(cleared["name"], "Acme Inc.");
    let set = json_of(app.patch_json(&path, Some(t), &json!({"domain": "ACME.io"})).await, 200).await;
    assert_eq!(set["domain"], "acme.io");
    let same = json_of(app.patch_json(&path, Some(t), &json!({})).await, 200).await;
    assert_eq!(same["custom_fields"], json!({"employees": 150}));

    assert_eq!(app.delete(&path, Some(t)).await.status(), 204);
    assert_problem(app.get(&path, Some(t)).await, 404, "not_found").await;
    assert_problem(app.delete(&path, Some(t)).await, 404, "not_found").await;
    assert_eq!(names(&json_of(app.get("/v1/companies", Some(t)).await, 200).await), ["Bare"]);
}

#[tokio::test]
async fn companies_are_listed_in_pages_and_searched_by_name_prefix() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    for name in ["Acme", "acorn labs", "Beta", "ACME Europe", "100% Juice", "1000 Juices", "a_b", "axb"] {
        create_company(&app, t, json!({ "name": name })).await;
    }
    let page = json_of(app.get("/v1/companies?limit=3", Some(t)).await, 200).await;
    assert_eq!(names(&page), ["Acme", "acorn labs", "Beta"]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let page = json_of(app.get(&format!("/v1/companies?limit=3&cursor={cursor}"), Some(t)).await, 200).await;
    assert_eq!(names(&page), ["ACME Europe", "100% Juice", "1000 Juices"]);

    let q = |q: &str| format!("/v1/companies?q={}", q.replace('%', "%25").replace(' ', "%20"));
    assert_eq!(names(&json_of(app.get(&q("acme"), Some(t)).await, 200).await), ["Acme", "ACME Europe"]);
    assert_eq!(names(&json_of(app.get(&q("AC"), Some(t)).await, 200).await), ["Acme", "acorn labs", "ACME Europe"]);
    assert_eq!(
        names(&json_of(app.get(&q("cme"), Some(t)).await, 200).await),
        Vec::<String>::new(),
        "a prefix, not a substring"
    );
    // LIKE wildcards are matched literally.
    assert_eq!(names(&json_of(app.get(&q("100%"), Some(t)).await, 200).await), ["100% Juice"]);
    assert_eq!(names(&json_of(app.get(&q("a_"), Some(t)).await, 200).await), ["a_b"]);
    assert_problem(app.get("/v1/companies?q=", Some(t)).await, 422, "validation_failed").await;
}

#[tokio::test]
async fn domains_are_unique_ignoring_case() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    let acme = create_company(&app, t, json!({"name": "Acme", "domain": "acme.com"})).await;
    let body = assert_problem(
        app.post_json("/v1/companies", Some(t), &json!({"name": "Copy", "domain": "ACME.com"})).await,
        409,
        "domain_taken",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "domain");
    assert_eq!(body["errors"][0]["code"], "domain_taken");
    let other = create_company(&app, t, json!({"name": "Other"})).await;
    create_company(&app, t, json!({"name": "No domain either"})).await;
    assert_problem(
        app.patch_json(&path_of(&other), Some(t), &json!({"domain": "acme.com."})).await,
        409,
        "domain_taken",
    )
    .await;
    // Setting a company's own domain again is fine.
    json_of(app.patch_json(&path_of(&acme), Some(t), &json!({"domain": "Acme.com"})).await, 200).await;
    // Once freed, the domain can be taken.
    json_of(app.patch_json(&path_of(&acme), Some(t), &json!({"domain": null})).await, 200).await;
    json_of(app.patch_json(&path_of(&other), Some(t), &json!({"domain": "acme.com"})).await, 200).await;
    // Another organisation may use it.
    let b = app.signup().await;
    create_company(&app, &b.access_token, json!({"name": "Acme", "domain": "acme.com"})).await;
}

#[tokio::test]
async fn concurrent_creates_with_one_domain_give_one_company_and_one_conflict() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    for round in 0..5 {
        let one = json!({"name": "One", "domain": format!("race{round}.example")});
        let two = json!({"name": "Two", "domain": format!("RACE{round}.example")});
        let (r1, r2) =
            tokio::join!(app.post_json("/v1/companies", Some(t), &one), app.post_json("/v1/companies", Some(t), &two));
        let mut statuses = [r1.status().as_u16(), r2.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "round {round}");
        let loser = if r1.status() == 409 { r1 } else { r2 };
        assert_problem(loser, 409, "domain_taken").await;
    }
}

#[tokio::test]
async fn bad_input_is_refused() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    app.post_json(
        "/v1/custom-fields",
        Some(t),
        &json!({"object": "company", "key": "employees", "label": "E", "type": "number"}),
    )
    .await;
    app.post_json(
        "/v1/custom-fields",
        Some(t),
        &json!({"object": "contact", "key": "plan", "label": "P", "type": "text"}),
    )
    .await;
    let cases = [
        (json!({}), "name", "required"),
        (json!({"name": ""}), "name", "length"),
        (json!({"name": " "}), "name", "blank"),
        (json!({"name": "x".repeat(201)}), "name", "length"),
        (json!({"name": "A", "domain": "https://acme.com"}), "domain", "invalid_domain"),
        (json!({"name": "A", "domain": "acme.com/about"}), "domain", "invalid_domain"),
        (json!({"name": "A", "domain": "acme"}), "domain", "invalid_domain"),
        (json!({"name": "A", "domain": "acme..com"}), "domain", "invalid_domain"),
        (json!({"name": "A", "domain": "10.0.0.1"}), "domain", "invalid_domain"),
        (json!({"name": "A", "domain": format!("{}.com", "a".repeat(250))}), "domain", "length"),
        (json!({"name": "A", "custom_fields": {"employees": "many"}}), "custom_fields.employees", "invalid_type"),
        (json!({"name": "A", "custom_fields": {"plan": "pro"}}), "custom_fields.plan", "unknown_field"),
        (json!({"name": "A", "custom_fields": []}), "custom_fields", "invalid_type"),
        (json!({"name": "A", "website": "acme.com"}), "", "unknown_field"),
    ];
    for (body, field, code) in cases {
        let problem =
            assert_problem(app.post_json("/v1/companies", Some(t), &body).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["code"], code, "{body}: {problem}");
        if !field.is_empty() {
            assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        }
    }
    let company = create_company(&app, t, json!({"name": "Fine", "custom_fields": {"employees": 3}})).await;
    let path = path_of(&company);
    let patches = [
        (json!({"name": null}), "name", "invalid_type"),
        (json!({"name": ""}), "name", "length"),
        (json!({"domain": "not a domain"}), "domain", "invalid_domain"),
        (json!({"custom_fields": null}), "custom_fields", "invalid_type"),
        (json!({"custom_fields": {"employees": true}}), "custom_fields.employees", "invalid_type"),
        (json!({"id": "com_01jdq4m3y7e8f9g0h1j2k3m4n5"}), "", "unknown_field"),
    ];
    for (body, field, code) in patches {
        let problem = assert_problem(app.patch_json(&path, Some(t), &body).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["code"], code, "{body}: {problem}");
        if !field.is_empty() {
            assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        }
    }
    assert_eq!(json_of(app.get(&path, Some(t)).await, 200).await["custom_fields"], json!({"employees": 3}));
    assert_problem(app.get("/v1/companies/con_01jdq4m3y7e8f9g0h1j2k3m4n5", Some(t)).await, 400, "invalid_id").await;
    assert_problem(app.get("/v1/companies?limit=101", Some(t)).await, 422, "validation_failed").await;
}

#[tokio::test]
async fn a_company_lists_its_contacts_and_deleting_it_unlinks_them() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    let acme = create_company(&app, t, json!({"name": "Acme"})).await;
    let beta = create_company(&app, t, json!({"name": "Beta"})).await;
    let mut mine = Vec::new();
    for i in 0..3 {
        let c = json_of(
            app.post_json(
                "/v1/contacts",
                Some(t),
                &json!({"email": format!("p{i}@acme.com"), "company_id": acme["id"]}),
            )
            .await,
            201,
        )
        .await;
        mine.push(c["id"].clone());
    }
    json_of(
        app.post_json("/v1/contacts", Some(t), &json!({"email": "x@beta.com", "company_id": beta["id"]})).await,
        201,
    )
    .await;
    json_of(app.post_json("/v1/contacts", Some(t), &json!({"email": "loner@example.com"})).await, 201).await;

    let path = format!("{}/contacts", path_of(&acme));
    let page = json_of(app.get(&format!("{path}?limit=2"), Some(t)).await, 200).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(page["data"][0]["id"], mine[0]);
    assert_eq!(page["data"][0]["email"], "p0@acme.com");
    assert_eq!(page["data"][0]["company_id"], acme["id"]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let page = json_of(app.get(&format!("{path}?limit=2&cursor={cursor}"), Some(t)).await, 200).await;
    let ids: Vec<&Value> = page["data"].as_array().unwrap().iter().map(|c| &c["id"]).collect();
    assert_eq!(ids, [&mine[2]]);
    assert_eq!(page["has_more"], false);

    // A company note goes with the company.
    let note =
        json_of(app.post_json(&format!("{}/notes", path_of(&acme)), Some(t), &json!({"body": "hi"})).await, 201).await;

    assert_eq!(app.delete(&path_of(&acme), Some(t)).await.status(), 204);
    for id in &mine {
        let c = json_of(app.get(&format!("/v1/contacts/{}", id.as_str().unwrap()), Some(t)).await, 200).await;
        assert_eq!(c["company_id"], Value::Null, "{c}");
    }
    assert_problem(app.get(&path, Some(t)).await, 404, "not_found").await;
    assert_problem(app.get(&format!("/v1/notes/{}", note["id"].as_str().unwrap()), Some(t)).await, 404, "not_found")
        .await;
    let beta_contacts = json_of(app.get(&format!("{}/contacts", path_of(&beta)), Some(t)).await, 200).await;
    assert_eq!(beta_contacts["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn another_organisations_companies_are_not_found() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let b = app.signup().await;
    let acme = create_company(&app, &a.access_token, json!({"name": "Acme", "domain": "acme.com"})).await;
    let path = path_of(&acme);
    let bt = Some(b.access_token.as_str());
    assert_problem(app.get(&path, bt).await, 404, "not_found").await;
    assert_problem(app.patch_json(&path, bt, &json!({"name": "Mine"})).await, 404, "not_found").await;
    assert_problem(app.delete(&path, bt).await, 404, "not_found").await;
    assert_problem(app.get(&format!("{path}/contacts"), bt).await, 404, "not_found").await;
    assert_eq!(json_of(app.get("/v1/companies?q=acme", bt).await, 200).await["data"], json!([]));
    let got = json_of(app.get(&path, Some(&a.access_token)).await, 200).await;
    assert_eq!(got["name"], "Acme");
}

#[tokio::test]
async fn viewers_read_companies_but_cannot_change_them() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let acme = create_company(&app, &owner.access_token, json!({"name": "Acme"})).await;
    let path = path_of(&acme);
    let viewer = join(&app, &owner.access_token, "viewer").await;
    let v = Some(viewer.access_token.as_str());
    json_of(app.get(&path, v).await, 200).await;
    json_of(app.get("/v1/companies", v).await, 200).await;
    json_of(app.get(&format!("{path}/contacts"), v).await, 200).await;
    let body = assert_problem(app.post_json("/v1/companies", v, &json!({"name": "x"})).await, 403, "forbidden").await;
    assert_eq!(body["required_scope"], "companies:write");
    assert_problem(app.patch_json(&path, v, &json!({"name": "x"})).await, 403, "forbidden").await;
    assert_problem(app.delete(&path, v).await, 403, "forbidden").await;
    // A key with companies:read but not contacts:read cannot list the company's contacts.
    let res = app
        .post_json("/v1/api-keys", Some(&owner.access_token), &json!({"name": "k", "scopes": ["companies:read"]}))
        .await;
    let key: Value = json_of(res, 201).await;
    let k = Some(key["secret"].as_str().unwrap());
    json_of(app.get(&path, k).await, 200).await;
    let body = assert_problem(app.get(&format!("{path}/contacts"), k).await, 403, "insufficient_scope").await;
    assert_eq!(body["required_scope"], "contacts:read");
}
