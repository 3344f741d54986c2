//! Issue 5: products through HTTP, on SQLite and Postgres: CRUD, validation, case-insensitive
//! SKU uniqueness (including concurrent creates), list filters, tenant isolation and roles.

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

fn product(name: &str, sku: &str, amount: i64, currency: &str) -> Value {
    json!({"name": name, "sku": sku, "price": {"amount": amount, "currency": currency}})
}

async fn create(app: &TestApp, token: &str, body: &Value) -> Value {
    json_of(app.post_json("/v1/products", Some(token), body).await, 201).await
}

#[tokio::test]
async fn create_get_update_and_delete_a_product() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let body = json!({
        "name": " Espresso cup ",
        "sku": "CUP-ESP/01",
        "price": {"amount": 1999, "currency": "EUR"},
        "description": "Porcelain, 80 ml.",
    });
    let p = create(&app, t, &body).await;
    let id = p["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("prod_"), "{id}");
    assert_eq!(p["name"], "Espresso cup");
    assert_eq!(p["sku"], "CUP-ESP/01");
    assert_eq!(p["price"], json!({"amount": 1999, "currency": "EUR"}));
    assert_eq!(p["description"], "Porcelain, 80 ml.");
    assert_eq!(p["active"], true);
    assert_eq!(p["custom_fields"], json!({}));
    assert_eq!(p["created_at"], p["updated_at"]);

    let got = json_of(app.get(&format!("/v1/products/{id}"), Some(t)).await, 200).await;
    assert_eq!(got, p);

    // Absent fields stay; null clears the description; a value sets.
    let path = format!("/v1/products/{id}");
    let updated = json_of(
        app.patch_json(
            &path,
            Some(t),
            &json!({"description": null, "active": false, "price": {"amount": 0, "currency": "JPY"}}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(updated["description"], Value::Null);
    assert_eq!(updated["active"], false);
    assert_eq!(updated["price"], json!({"amount": 0, "currency": "JPY"}));
    assert_eq!(updated["name"], "Espresso cup");
    assert_eq!(updated["sku"], "CUP-ESP/01");
    assert_ne!(updated["updated_at"], p["updated_at"]);
    let same = json_of(app.patch_json(&path, Some(t), &json!({})).await, 200).await;
    assert_eq!(same, updated);
    let renamed =
        json_of(app.patch_json(&path, Some(t), &json!({"name": "Cup", "sku": "cup-esp/01"})).await, 200).await;
    assert_eq!(renamed["name"], "Cup");
    assert_eq!(renamed["sku"], "cup-esp/01", "a SKU may change its own case");
    assert_eq!(json_of(app.get(&path, Some(t)).await, 200).await, renamed);

    let res = app.delete(&path, Some(t)).await;
    assert_eq!(res.status(), 204);
    assert_problem(app.get(&path, Some(t)).await, 404, "not_found").await;
    assert_problem(app.delete(&path, Some(t)).await, 404, "not_found").await;
    // The SKU is free again.
    create(&app, t, &product("Cup", "CUP-ESP/01", 1, "EUR")).await;
}

#[tokio::test]
async fn invalid_products_are_refused_with_the_field_named() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let cases = [
        (json!({"sku": "A-1", "price": {"amount": 1, "currency": "EUR"}}), "name", "required"),
        (product("  ", "A-1", 1, "EUR"), "name", "blank"),
        (product(&"n".repeat(201), "A-1", 1, "EUR"), "name", "length"),
        (product("Cup", "-A1", 1, "EUR"), "sku", "invalid_sku"),
        (product("Cup", "A 1", 1, "EUR"), "sku", "invalid_sku"),
        (product("Cup", "Ä1", 1, "EUR"), "sku", "invalid_sku"),
        (product("Cup", "", 1, "EUR"), "sku", "length"),
        (product("Cup", &"a".repeat(65), 1, "EUR"), "sku", "length"),
        (product("Cup", "A-1", -1, "EUR"), "price.amount", "range"),
        (product("Cup", "A-1", 1_000_000_000_000_001, "EUR"), "price.amount", "range"),
        (product("Cup", "A-1", 1, "eur"), "price.currency", "unknown_currency"),
        (product("Cup", "A-1", 1, "XXX"), "price.currency", "unknown_currency"),
        (product("Cup", "A-1", 1, "EURO"), "price.currency", "unknown_currency"),
        (
            json!({"name": "Cup", "sku": "A-1", "price": {"amount": 1.5, "currency": "EUR"}}),
            "price.amount",
            "invalid_type",
        ),
        (json!({"name": "Cup", "sku": "A-1", "price": {"amount": 1}}), "price.currency", "required"),
        (
            json!({"name": "Cup", "sku": "A-1", "price": {"amount": 1, "currency": "EUR"}, "description": "d".repeat(10_001)}),
            "description",
            "length",
        ),
        (
            json!({"name": "Cup", "sku": "A-1", "price": {"amount": 1, "currency": "EUR"}, "colour": "red"}),
            "colour",
            "unknown_field",
        ),
        (
            json!({"name": "Cup", "sku": "A-1", "price": {"amount": 1, "currency": "EUR"}, "custom_fields": []}),
            "custom_fields",
            "invalid_type",
        ),
    ];
    for (body, field, code) in cases {
        let problem =
            assert_problem(app.post_json("/v1/products", Some(t), &body).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{body}: {problem}");
    }
    let res = app
        .client
        .post(app.url("/v1/products"))
        .bearer_auth(t)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "malformed_json").await;
    assert_problem(app.get("/v1/products/con_01jdq4m3y7e8f9g0h1j2k3m4n5", Some(t)).await, 400, "invalid_id").await;
    // The largest amount is accepted.
    create(&app, t, &product("Cup", "A-1", 1_000_000_000_000_000, "EUR")).await;

    let p = create(&app, t, &product("Saucer", "S-1", 5, "EUR")).await;
    let path = format!("/v1/products/{}", p["id"].as_str().unwrap());
    let cases = [
        (json!({"name": null}), "name", "invalid_type"),
        (json!({"sku": null}), "sku", "invalid_type"),
        (json!({"price": null}), "price", "invalid_type"),
        (json!({"active": null}), "active", "invalid_type"),
        (json!({"name": ""}), "name", "length"),
        (json!({"sku": "a b"}), "sku", "invalid_sku"),
        (json!({"price": {"amount": 1, "currency": "ABC"}}), "price.currency", "unknown_currency"),
        (json!({"price": {"amount": 1}}), "price.currency", "required"),
        (json!({"description": "d".repeat(10_001)}), "description", "length"),
        (json!({"id": "prod_01jdq4m3y7e8f9g0h1j2k3m4n5"}), "id", "unknown_field"),
    ];
    for (body, field, code) in cases {
        let problem = assert_problem(app.patch_json(&path, Some(t), &body).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{body}: {problem}");
    }
    assert_eq!(json_of(app.get(&path, Some(t)).await, 200).await, p, "refused patches change nothing");
}

#[tokio::test]
async fn skus_are_unique_regardless_of_case() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    create(&app, t, &product("Cup", "abc-1", 100, "EUR")).await;
    let problem = assert_problem(
        app.post_json("/v1/products", Some(t), &product("Other", "ABC-1", 1, "USD")).await,
        409,
        "sku_taken",
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "sku");
    assert_eq!(problem["errors"][0]["code"], "sku_taken");

    // On PATCH too, but a product keeps its own SKU in another case.
    let other = create(&app, t, &product("Mug", "mug-1", 100, "EUR")).await;
    let path = format!("/v1/products/{}", other["id"].as_str().unwrap());
    let problem =
        assert_problem(app.patch_json(&path, Some(t), &json!({"sku": "Abc-1"})).await, 409, "sku_taken").await;
    assert_eq!(problem["errors"][0]["field"], "sku");
    assert_eq!(json_of(app.get(&path, Some(t)).await, 200).await["sku"], "mug-1");
    json_of(app.patch_json(&path, Some(t), &json!({"sku": "MUG-1"})).await, 200).await;

    // Another organisation may use the same SKU.
    let other_org = app.signup().await;
    create(&app, &other_org.access_token, &product("Cup", "ABC-1", 100, "EUR")).await;
}

/// Two concurrent creates of the same SKU in different cases: exactly one wins, the other is a
/// 409 (the database's unique index decides a race; it is never a 500).
#[tokio::test]
async fn concurrent_creates_of_one_sku_give_one_201_and_one_409() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    for i in 0..10 {
        let (lower, upper) = (product("A", &format!("abc-{i}"), 1, "EUR"), product("B", &format!("ABC-{i}"), 2, "EUR"));
        let (a, b) = tokio::join!(
            app.post_json("/v1/products", Some(t), &lower),
            app.post_json("/v1/products", Some(t), &upper),
        );
        let mut statuses = [a.status().as_u16(), b.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "round {i}");
        let loser = if a.status() == 409 { a } else { b };
        let problem = assert_problem(loser, 409, "sku_taken").await;
        assert_eq!(problem["errors"][0]["field"], "sku");
    }
    let list = json_of(app.get("/v1/products?limit=100", Some(t)).await, 200).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 10);
}

async fn list(app: &TestApp, token: &str, query: String) -> Value {
    json_of(app.get(&format!("/v1/products{query}"), Some(token)).await, 200).await
}

#[tokio::test]
async fn lists_filter_by_active_prefix_currency_and_sku() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let cup = create(&app, t, &product("Espresso Cup", "CUP-1", 1200, "EUR")).await;
    let mug = create(&app, t, &product("Mug", "MUG-1", 900, "USD")).await;
    let saucer = create(
        &app,
        t,
        &json!({"name": "Saucer 50%", "sku": "sau_1", "price": {"amount": 500, "currency": "EUR"}, "active": false}),
    )
    .await;
    let ids = |list: &Value| -> Vec<String> {
        list["data"].as_array().unwrap().iter().map(|p| p["id"].as_str().unwrap().to_owned()).collect()
    };
    let id = |p: &Value| p["id"].as_str().unwrap().to_owned();
    let get = |q: &str| list(&app, t, q.to_owned());

    let all = get("").await;
    assert_eq!(ids(&all), [id(&cup), id(&mug), id(&saucer)]);
    assert_eq!(all["has_more"], false);
    assert_eq!(ids(&get("?active=true").await), [id(&cup), id(&mug)]);
    assert_eq!(ids(&get("?active=false").await), [id(&saucer)]);
    assert_eq!(ids(&get("?currency=EUR").await), [id(&cup), id(&saucer)]);
    assert_eq!(ids(&get("?currency=USD&active=true").await), [id(&mug)]);
    assert_eq!(ids(&get("?sku=mug-1").await), [id(&mug)]);
    assert_eq!(ids(&get("?sku=MUG").await), Vec::<String>::new());
    // `q`: name or SKU prefix, case-insensitive; LIKE wildcards are literal.
    assert_eq!(ids(&get("?q=espresso").await), [id(&cup)]);
    assert_eq!(ids(&get("?q=cup").await), [id(&cup)]);
    assert_eq!(ids(&get("?q=m").await), [id(&mug)]);
    assert_eq!(ids(&get("?q=SAU_").await), [id(&saucer)]);
    assert_eq!(ids(&get("?q=sau%25").await), Vec::<String>::new());
    assert_eq!(ids(&get("?q=%25").await), Vec::<String>::new());
    assert_eq!(ids(&get("?q=_").await), Vec::<String>::new());
    assert_eq!(ids(&get("?q=saucer%2050%25").await), [id(&saucer)]);

    // Pagination.
    let first = get("?limit=2").await;
    assert_eq!(ids(&first), [id(&cup), id(&mug)]);
    assert_eq!(first["has_more"], true);
    let second = get(&format!("?limit=2&cursor={}", first["next_cursor"].as_str().unwrap())).await;
    assert_eq!(ids(&second), [id(&saucer)]);
    assert_eq!(second["has_more"], false);
    assert_eq!(second["next_cursor"], Value::Null);

    // Bad filters.
    for q in ["?currency=eur", "?currency=ZZZ", "?limit=0", "?limit=101", "?q=", "?sku="] {
        assert_problem(app.get(&format!("/v1/products{q}"), Some(t)).await, 422, "validation_failed").await;
    }
    for q in ["?active=maybe", "?limit=x"] {
        assert_problem(app.get(&format!("/v1/products{q}"), Some(t)).await, 400, "invalid_query").await;
    }
    assert_problem(app.get("/v1/products?cursor=nope", Some(t)).await, 400, "invalid_cursor").await;
}

#[tokio::test]
async fn another_organisation_gets_404_and_an_empty_list() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let p = create(&app, &owner.access_token, &product("Cup", "CUP-1", 1, "EUR")).await;
    let path = format!("/v1/products/{}", p["id"].as_str().unwrap());
    let other = app.signup().await;
    let t = other.access_token.as_str();
    assert_problem(app.get(&path, Some(t)).await, 404, "not_found").await;
    assert_problem(app.patch_json(&path, Some(t), &json!({"name": "Mine"})).await, 404, "not_found").await;
    assert_problem(app.delete(&path, Some(t)).await, 404, "not_found").await;
    assert_eq!(json_of(app.get("/v1/products", Some(t)).await, 200).await["data"], json!([]));
    assert_eq!(json_of(app.get(&path, Some(&owner.access_token)).await, 200).await, p, "unchanged");
}

#[tokio::test]
async fn viewers_read_but_cannot_write() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let p = create(&app, &owner.access_token, &product("Cup", "CUP-1", 1, "EUR")).await;
    let path = format!("/v1/products/{}", p["id"].as_str().unwrap());
    let viewer = join(&app, &owner.access_token, "viewer").await;
    let t = viewer.access_token.as_str();
    json_of(app.get(&path, Some(t)).await, 200).await;
    json_of(app.get("/v1/products", Some(t)).await, 200).await;
    let problem = assert_problem(
        app.post_json("/v1/products", Some(t), &product("Mug", "M-1", 1, "EUR")).await,
        403,
        "forbidden",
    )
    .await;
    assert_eq!(problem["required_scope"], "products:write");
    assert_problem(app.patch_json(&path, Some(t), &json!({"name": "x"})).await, 403, "forbidden").await;
    assert_problem(app.delete(&path, Some(t)).await, 403, "forbidden").await;
    // A member may write.
    let member = join(&app, &owner.access_token, "member").await;
    create(&app, &member.access_token, &product("Mug", "M-1", 1, "EUR")).await;
    assert_problem(app.get("/v1/products", None).await, 401, "missing_credentials").await;
}

#[tokio::test]
async fn custom_fields_follow_the_product_definitions() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    for def in [
        json!({"object": "product", "key": "material", "label": "Material", "type": "select", "options": ["glass", "porcelain"], "required": true}),
        json!({"object": "product", "key": "volume_ml", "label": "Volume", "type": "number"}),
        json!({"object": "contact", "key": "nickname", "label": "Nickname", "type": "text"}),
    ] {
        json_of(app.post_json("/v1/custom-fields", Some(t), &def).await, 201).await;
    }
    let with = |fields: Value| {
        let mut body = product("Cup", "CUP-1", 1, "EUR");
        body["custom_fields"] = fields;
        body
    };
    for (fields, field, code) in [
        (json!({}), "custom_fields.material", "required"),
        (json!({"material": "wood"}), "custom_fields.material", "invalid_option"),
        (json!({"material": "glass", "volume_ml": "80"}), "custom_fields.volume_ml", "invalid_type"),
        (json!({"material": "glass", "nickname": "x"}), "custom_fields.nickname", "unknown_field"),
    ] {
        let problem = assert_problem(
            app.post_json("/v1/products", Some(t), &with(fields.clone())).await,
            422,
            "validation_failed",
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field, "{fields}: {problem}");
        assert_eq!(problem["errors"][0]["code"], code, "{fields}: {problem}");
    }
    let p = create(&app, t, &with(json!({"material": "porcelain", "volume_ml": 80}))).await;
    assert_eq!(p["custom_fields"], json!({"material": "porcelain", "volume_ml": 80}));
    let path = format!("/v1/products/{}", p["id"].as_str().unwrap());

    // PATCH merges: keys sent are set, null removes, others stay.
    let updated =
        json_of(app.patch_json(&path, Some(t), &json!({"custom_fields": {"material": "glass"}})).await, 200).await;
    assert_eq!(updated["custom_fields"], json!({"material": "glass", "volume_ml": 80}));
    let updated =
        json_of(app.patch_json(&path, Some(t), &json!({"custom_fields": {"volume_ml": null}})).await, 200).await;
    assert_eq!(updated["custom_fields"], json!({"material": "glass"}));
    for body in [json!({"custom_fields": {"material": null}}), json!({"custom_fields": null})] {
        let problem = assert_problem(app.patch_json(&path, Some(t), &body).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["field"], "custom_fields.material", "{problem}");
        assert_eq!(problem["errors"][0]["code"], "required");
    }
    assert_eq!(json_of(app.get(&path, Some(t)).await, 200).await["custom_fields"], json!({"material": "glass"}));
}
