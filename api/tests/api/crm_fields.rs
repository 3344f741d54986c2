//! Issue 5: custom field definitions through HTTP, on SQLite and Postgres: CRUD, key rules,
//! options, type changes refused while stored values do not fit (and allowed when they do),
//! deleting a definition removes its values, the per-object limit, roles and tenant isolation.

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

async fn create_field(app: &TestApp, token: &str, body: Value) -> Value {
    json_of(app.post_json("/v1/custom-fields", Some(token), &body).await, 201).await
}

fn path_of(v: &Value) -> String {
    format!("/v1/custom-fields/{}", v["id"].as_str().unwrap())
}

async fn create_contact(app: &TestApp, token: &str, body: Value) -> Value {
    json_of(app.post_json("/v1/contacts", Some(token), &body).await, 201).await
}

#[tokio::test]
async fn fields_are_created_listed_changed_and_deleted() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();

    let plan = create_field(
        &app,
        t,
        json!({"object": "contact", "key": "plan", "label": " Plan ", "type": "select", "options": ["free", "pro"], "required": false}),
    )
    .await;
    assert!(plan["id"].as_str().unwrap().starts_with("fld_"));
    assert_eq!(plan["object"], "contact");
    assert_eq!(plan["key"], "plan");
    assert_eq!(plan["label"], "Plan");
    assert_eq!(plan["type"], "select");
    assert_eq!(plan["options"], json!(["free", "pro"]));
    assert_eq!(plan["required"], false);
    let industry =
        create_field(&app, t, json!({"object": "company", "key": "industry", "label": "Industry", "type": "text"}))
            .await;
    assert_eq!(industry["options"], Value::Null);
    assert_eq!(industry["required"], false);
    let weight =
        create_field(&app, t, json!({"object": "product", "key": "weight_g", "label": "Weight", "type": "number"}))
            .await;

    assert_eq!(json_of(app.get(&path_of(&plan), Some(t)).await, 200).await, plan);
    let all = json_of(app.get("/v1/custom-fields", Some(t)).await, 200).await;
    let ids: Vec<&Value> = all["data"].as_array().unwrap().iter().map(|f| &f["id"]).collect();
    assert_eq!(ids, [&plan["id"], &industry["id"], &weight["id"]]);
    let companies = json_of(app.get("/v1/custom-fields?object=company", Some(t)).await, 200).await;
    assert_eq!(companies["data"].as_array().unwrap().len(), 1);
    assert_eq!(companies["data"][0]["id"], industry["id"]);
    let page = json_of(app.get("/v1/custom-fields?limit=2", Some(t)).await, 200).await;
    assert_eq!(page["has_more"], true);
    let cursor = page["next_cursor"].as_str().unwrap();
    let page = json_of(app.get(&format!("/v1/custom-fields?limit=2&cursor={cursor}"), Some(t)).await, 200).await;
    assert_eq!(page["data"][0]["id"], weight["id"]);

    // Label and required change; absent fields stay.
    let changed = json_of(
        app.patch_json(&path_of(&plan), Some(t), &json!({"label": "Subscription", "required": true})).await,
        200,
    )
    .await;
    assert_eq!(changed["label"], "Subscription");
    assert_eq!(changed["required"], true);
    assert_eq!(changed["options"], json!(["free", "pro"]));
    assert_eq!(changed["type"], "select");

    assert_eq!(app.delete(&path_of(&industry), Some(t)).await.status(), 204);
    assert_problem(app.get(&path_of(&industry), Some(t)).await, 404, "not_found").await;
    assert_problem(app.delete(&path_of(&industry), Some(t)).await, 404, "not_found").await;
}

#[tokio::test]
async fn keys_are_unique_per_object() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    create_field(&app, t, json!({"object": "contact", "key": "plan", "label": "Plan", "type": "text"})).await;
    let body = assert_problem(
        app.post_json(
            "/v1/custom-fields",
            Some(t),
            &json!({"object": "contact", "key": "plan", "label": "Again", "type": "number"}),
        )
        .await,
        409,
        "field_key_taken",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "key");
    // The same key on another object, or in another organisation, is fine.
    create_field(&app, t, json!({"object": "company", "key": "plan", "label": "Plan", "type": "text"})).await;
    let b = app.signup().await;
    create_field(&app, &b.access_token, json!({"object": "contact", "key": "plan", "label": "Plan", "type": "text"}))
        .await;
}

#[tokio::test]
async fn bad_definitions_are_refused() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    let base = json!({"object": "contact", "key": "k", "label": "L", "type": "text"});
    let with = |patch: Value| {
        let mut b = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            if v.is_null() {
                b.as_object_mut().unwrap().remove(k);
            } else {
                b[k] = v.clone();
            }
        }
        b
    };
    let cases = [
        (with(json!({"key": "Plan"})), "key", "field_key"),
        (with(json!({"key": "1plan"})), "key", "field_key"),
        (with(json!({"key": "plan-x"})), "key", "field_key"),
        (with(json!({"key": ""})), "key", "field_key"),
        (with(json!({"key": format!("a{}", "b".repeat(64))})), "key", "field_key"),
        (with(json!({"key": null})), "key", "required"),
        (with(json!({"label": ""})), "label", "length"),
        (with(json!({"label": "  "})), "label", "blank"),
        (with(json!({"label": "x".repeat(201)})), "label", "length"),
        (with(json!({"type": "colour"})), "type", "invalid_type"),
        (with(json!({"object": "deal"})), "object", "invalid_type"),
        (with(json!({"type": "select"})), "options", "required"),
        (with(json!({"options": ["a"]})), "options", "not_allowed"),
        (with(json!({"type": "select", "options": []})), "options", "length"),
        (
            with(json!({"type": "select", "options": (0..101).map(|i| i.to_string()).collect::<Vec<_>>()})),
            "options",
            "length",
        ),
        (with(json!({"type": "select", "options": ["a", "b", "a"]})), "options[2]", "duplicate"),
        (with(json!({"type": "select", "options": ["a", " "]})), "options[1]", "length"),
        (with(json!({"type": "select", "options": ["x".repeat(101)]})), "options[0]", "length"),
        (with(json!({"extra": 1})), "", "unknown_field"),
    ];
    for (body, field, code) in cases {
        let problem =
            assert_problem(app.post_json("/v1/custom-fields", Some(t), &body).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["code"], code, "{body}: {problem}");
        if !field.is_empty() {
            assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        }
    }
    // The longest key is 64 characters.
    create_field(&app, t, with(json!({"key": format!("a{}", "b".repeat(63))}))).await;

    let field = create_field(&app, t, base.clone()).await;
    let path = path_of(&field);
    let patches = [
        (json!({"key": "other"}), "unknown_field"),
        (json!({"object": "company"}), "unknown_field"),
        (json!({"label": null}), "invalid_type"),
        (json!({"label": ""}), "length"),
        (json!({"type": null}), "invalid_type"),
        (json!({"required": null}), "invalid_type"),
        (json!({"options": ["a"]}), "not_allowed"),
        (json!({"type": "select"}), "required"),
        (json!({"type": "select", "options": null}), "required"),
    ];
    for (body, code) in patches {
        let problem = assert_problem(app.patch_json(&path, Some(t), &body).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["code"], code, "{body}: {problem}");
    }
    assert_problem(app.get("/v1/custom-fields?object=deal", Some(t)).await, 400, "invalid_query").await;
    assert_problem(app.get("/v1/custom-fields/tag_01jdq4m3y7e8f9g0h1j2k3m4n5", Some(t)).await, 400, "invalid_id").await;
}

#[tokio::test]
async fn a_type_change_is_refused_while_stored_values_do_not_fit() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    let plan = create_field(
        &app,
        t,
        json!({"object": "contact", "key": "plan", "label": "Plan", "type": "select", "options": ["free", "pro"]}),
    )
    .await;
    let contact = create_contact(&app, t, json!({"email": "ada@example.com", "custom_fields": {"plan": "pro"}})).await;
    create_contact(&app, t, json!({"email": "bob@example.com"})).await;
    let path = path_of(&plan);

    // "pro" is not a number, and not among the remaining options.
    let body = assert_problem(
        app.patch_json(&path, Some(t), &json!({"type": "number"})).await,
        409,
        "field_type_incompatible",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains(contact["id"].as_str().unwrap()), "{body}");
    assert_problem(app.patch_json(&path, Some(t), &json!({"options": ["free"]})).await, 409, "field_type_incompatible")
        .await;
    assert_problem(app.patch_json(&path, Some(t), &json!({"type": "boolean"})).await, 409, "field_type_incompatible")
        .await;
    assert_problem(app.patch_json(&path, Some(t), &json!({"type": "date"})).await, 409, "field_type_incompatible")
        .await;
    let unchanged = json_of(app.get(&path, Some(t)).await, 200).await;
    assert_eq!(unchanged["type"], "select");
    assert_eq!(unchanged["options"], json!(["free", "pro"]));

    // Widening is fine: more options, then text (every option is a string).
    let wider = json_of(app.patch_json(&path, Some(t), &json!({"options": ["pro", "free", "team"]})).await, 200).await;
    assert_eq!(wider["options"], json!(["pro", "free", "team"]));
    let text = json_of(app.patch_json(&path, Some(t), &json!({"type": "text"})).await, 200).await;
    assert_eq!(text["type"], "text");
    assert_eq!(text["options"], Value::Null);
    // Back to a select whose options hold every stored value.
    assert_problem(
        app.patch_json(&path, Some(t), &json!({"type": "select", "options": ["free"]})).await,
        409,
        "field_type_incompatible",
    )
    .await;
    let select =
        json_of(app.patch_json(&path, Some(t), &json!({"type": "select", "options": ["pro"]})).await, 200).await;
    assert_eq!(select["options"], json!(["pro"]));

    // Once the value is gone, any type goes.
    let cpath = format!("/v1/contacts/{}", contact["id"].as_str().unwrap());
    json_of(app.patch_json(&cpath, Some(t), &json!({"custom_fields": {"plan": null}})).await, 200).await;
    let number = json_of(app.patch_json(&path, Some(t), &json!({"type": "number"})).await, 200).await;
    assert_eq!(number["type"], "number");
    assert_eq!(number["options"], Value::Null);
}

#[tokio::test]
async fn type_changes_check_companies_and_only_this_organisation() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let b = app.signup().await;
    let (ta, tb) = (a.access_token.as_str(), b.access_token.as_str());
    let size =
        create_field(&app, ta, json!({"object": "company", "key": "size", "label": "Size", "type": "text"})).await;
    // A contact field of the same key, with a text value, is not a company value.
    create_field(&app, ta, json!({"object": "contact", "key": "size", "label": "Size", "type": "text"})).await;
    create_contact(&app, ta, json!({"email": "c@example.com", "custom_fields": {"size": "large"}})).await;
    // Another organisation's company value does not count either.
    create_field(&app, tb, json!({"object": "company", "key": "size", "label": "Size", "type": "text"})).await;
    json_of(
        app.post_json("/v1/companies", Some(tb), &json!({"name": "B", "custom_fields": {"size": "huge"}})).await,
        201,
    )
    .await;
    let path = path_of(&size);
    json_of(app.patch_json(&path, Some(ta), &json!({"type": "number"})).await, 200).await;
    json_of(app.post_json("/v1/companies", Some(ta), &json!({"name": "A", "custom_fields": {"size": 12}})).await, 201)
        .await;
    assert_problem(app.patch_json(&path, Some(ta), &json!({"type": "text"})).await, 409, "field_type_incompatible")
        .await;
    json_of(app.patch_json(&path, Some(ta), &json!({"label": "Headcount"})).await, 200).await;
}

#[tokio::test]
async fn deleting_a_definition_removes_its_values() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let b = app.signup().await;
    let (ta, tb) = (a.access_token.as_str(), b.access_token.as_str());
    let plan =
        create_field(&app, ta, json!({"object": "contact", "key": "plan", "label": "Plan", "type": "text"})).await;
    create_field(&app, ta, json!({"object": "contact", "key": "seats", "label": "Seats", "type": "number"})).await;
    create_field(&app, ta, json!({"object": "company", "key": "plan", "label": "Plan", "type": "text"})).await;
    create_field(&app, tb, json!({"object": "contact", "key": "plan", "label": "Plan", "type": "text"})).await;
    let ada =
        create_contact(&app, ta, json!({"email": "ada@example.com", "custom_fields": {"plan": "pro", "seats": 3}}))
            .await;
    let bob = create_contact(&app, ta, json!({"email": "bob@example.com", "custom_fields": {"seats": 1}})).await;
    let acme = json_of(
        app.post_json("/v1/companies", Some(ta), &json!({"name": "Acme", "custom_fields": {"plan": "gold"}})).await,
        201,
    )
    .await;
    let theirs = create_contact(&app, tb, json!({"email": "ada@example.com", "custom_fields": {"plan": "pro"}})).await;

    assert_eq!(app.delete(&path_of(&plan), Some(ta)).await.status(), 204);
    let get = |t: &'static str, id: &Value| format!("/v1/{t}/{}", id["id"].as_str().unwrap());
    let ada2 = json_of(app.get(&get("contacts", &ada), Some(ta)).await, 200).await;
    assert_eq!(ada2["custom_fields"], json!({"seats": 3}));
    assert_ne!(ada2["updated_at"], ada["updated_at"]);
    let bob2 = json_of(app.get(&get("contacts", &bob), Some(ta)).await, 200).await;
    assert_eq!(bob2["custom_fields"], json!({"seats": 1}));
    assert_eq!(bob2["updated_at"], bob["updated_at"], "objects without the key are not touched");
    let acme2 = json_of(app.get(&get("companies", &acme), Some(ta)).await, 200).await;
    assert_eq!(acme2["custom_fields"], json!({"plan": "gold"}), "the company field of the same key stays");
    let theirs2 = json_of(app.get(&get("contacts", &theirs), Some(tb)).await, 200).await;
    assert_eq!(theirs2["custom_fields"], json!({"plan": "pro"}), "another organisation's values stay");

    // The key can be defined again, with another type.
    create_field(&app, ta, json!({"object": "contact", "key": "plan", "label": "Plan", "type": "boolean"})).await;
    create_contact(&app, ta, json!({"email": "cy@example.com", "custom_fields": {"plan": true}})).await;
}

#[tokio::test]
async fn a_required_field_applies_to_later_writes() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    let plan =
        create_field(&app, t, json!({"object": "company", "key": "tier", "label": "Tier", "type": "text"})).await;
    let old = json_of(app.post_json("/v1/companies", Some(t), &json!({"name": "Old"})).await, 201).await;
    json_of(app.patch_json(&path_of(&plan), Some(t), &json!({"required": true})).await, 200).await;
    // Existing objects are untouched and can still be read and renamed.
    let path = format!("/v1/companies/{}", old["id"].as_str().unwrap());
    json_of(app.get(&path, Some(t)).await, 200).await;
    json_of(app.patch_json(&path, Some(t), &json!({"name": "Older"})).await, 200).await;
    // New ones need a value.
    let body = assert_problem(
        app.post_json("/v1/companies", Some(t), &json!({"name": "New"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "custom_fields.tier");
    assert_eq!(body["errors"][0]["code"], "required");
    json_of(
        app.post_json("/v1/companies", Some(t), &json!({"name": "New", "custom_fields": {"tier": "gold"}})).await,
        201,
    )
    .await;
}

#[tokio::test]
async fn an_organisation_has_at_most_200_fields_per_object() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    for i in 0..200 {
        create_field(&app, t, json!({"object": "product", "key": format!("f{i}"), "label": "F", "type": "text"})).await;
    }
    let body = json!({"object": "product", "key": "one_more", "label": "F", "type": "text"});
    assert_problem(app.post_json("/v1/custom-fields", Some(t), &body).await, 422, "too_many_fields").await;
    create_field(&app, t, json!({"object": "contact", "key": "one_more", "label": "F", "type": "text"})).await;
}

#[tokio::test]
async fn another_organisations_fields_are_not_found() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let b = app.signup().await;
    let field = create_field(
        &app,
        &a.access_token,
        json!({"object": "contact", "key": "plan", "label": "Plan", "type": "text"}),
    )
    .await;
    let path = path_of(&field);
    let bt = Some(b.access_token.as_str());
    assert_problem(app.get(&path, bt).await, 404, "not_found").await;
    assert_problem(app.patch_json(&path, bt, &json!({"label": "x"})).await, 404, "not_found").await;
    assert_problem(app.delete(&path, bt).await, 404, "not_found").await;
    assert_eq!(json_of(app.get("/v1/custom-fields", bt).await, 200).await["data"], json!([]));
    // B cannot use A's field either.
    let res =
        app.post_json("/v1/contacts", bt, &json!({"email": "x@example.com", "custom_fields": {"plan": "pro"}})).await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["code"], "unknown_field");
}

#[tokio::test]
async fn only_admins_change_definitions() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let field = create_field(
        &app,
        &owner.access_token,
        json!({"object": "contact", "key": "plan", "label": "P", "type": "text"}),
    )
    .await;
    let path = path_of(&field);
    let body = json!({"object": "contact", "key": "other", "label": "O", "type": "text"});
    for role in ["member", "viewer"] {
        let who = join(&app, &owner.access_token, role).await;
        let tok = Some(who.access_token.as_str());
        json_of(app.get(&path, tok).await, 200).await;
        json_of(app.get("/v1/custom-fields", tok).await, 200).await;
        let problem = assert_problem(app.post_json("/v1/custom-fields", tok, &body).await, 403, "forbidden").await;
        assert_eq!(problem["required_scope"], "fields:write");
        assert_problem(app.patch_json(&path, tok, &json!({"label": "x"})).await, 403, "forbidden").await;
        assert_problem(app.delete(&path, tok).await, 403, "forbidden").await;
    }
    let admin = join(&app, &owner.access_token, "admin").await;
    create_field(&app, &admin.access_token, body).await;
}

#[tokio::test]
async fn product_values_are_checked_and_removed_too() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    let weight =
        create_field(&app, t, json!({"object": "product", "key": "weight", "label": "Weight", "type": "number"})).await;
    let body = json!({"name": "Cup", "sku": "CUP-1", "price": {"amount": 900, "currency": "EUR"}, "custom_fields": {"weight": 250}});
    let cup = json_of(app.post_json("/v1/products", Some(t), &body).await, 201).await;
    let path = path_of(&weight);
    assert_problem(app.patch_json(&path, Some(t), &json!({"type": "text"})).await, 409, "field_type_incompatible")
        .await;
    assert_eq!(app.delete(&path, Some(t)).await.status(), 204);
    let product_path = format!("/v1/products/{}", cup["id"].as_str().unwrap());
    let cup = json_of(app.get(&product_path, Some(t)).await, 200).await;
    assert_eq!(cup["custom_fields"], json!({}));
}

#[tokio::test]
async fn concurrent_creates_of_one_key_give_one_field_and_one_conflict() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    for round in 0..5 {
        let body = json!({"object": "contact", "key": format!("race_{round}"), "label": "Race", "type": "text"});
        let (r1, r2) = tokio::join!(
            app.post_json("/v1/custom-fields", Some(t), &body),
            app.post_json("/v1/custom-fields", Some(t), &body)
        );
        let mut statuses = [r1.status().as_u16(), r2.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "round {round}");
        let loser = if r1.status() == 409 { r1 } else { r2 };
        assert_problem(loser, 409, "field_key_taken").await;
    }
}
