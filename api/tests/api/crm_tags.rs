//! Issue 5: tags through HTTP, on SQLite and Postgres: CRUD, case-insensitive names (races
//! included), colours, deleting a tag takes it off contacts, roles and tenant isolation.

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

async fn create_tag(app: &TestApp, token: &str, body: Value) -> Value {
    json_of(app.post_json("/v1/tags", Some(token), &body).await, 201).await
}

#[tokio::test]
async fn tags_are_created_listed_renamed_and_deleted() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();

    let vip = create_tag(&app, t, json!({"name": "  VIP ", "color": "#1E90FF"})).await;
    assert!(vip["id"].as_str().unwrap().starts_with("tag_"));
    assert_eq!(vip["name"], "VIP");
    assert_eq!(vip["color"], "#1e90ff", "colours are stored lower-case");
    assert_eq!(vip["created_at"], vip["updated_at"]);
    let plain = create_tag(&app, t, json!({"name": "Newsletter"})).await;
    assert_eq!(plain["color"], Value::Null);
    let third = create_tag(&app, t, json!({"name": "Churned"})).await;

    let id = vip["id"].as_str().unwrap();
    assert_eq!(json_of(app.get(&format!("/v1/tags/{id}"), Some(t)).await, 200).await, vip);

    // Pagination in id (creation) order.
    let page = json_of(app.get("/v1/tags?limit=2", Some(t)).await, 200).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(page["data"][0]["id"], vip["id"]);
    assert_eq!(page["has_more"], true);
    let cursor = page["next_cursor"].as_str().unwrap();
    let page = json_of(app.get(&format!("/v1/tags?limit=2&cursor={cursor}"), Some(t)).await, 200).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    assert_eq!(page["data"][0]["id"], third["id"]);
    assert_eq!(page["has_more"], false);
    assert_eq!(page["next_cursor"], Value::Null);

    // PATCH: absent keeps, null clears, a value sets; renaming to another case of itself is fine.
    let renamed = json_of(app.patch_json(&format!("/v1/tags/{id}"), Some(t), &json!({"name": "vip"})).await, 200).await;
    assert_eq!(renamed["name"], "vip");
    assert_eq!(renamed["color"], "#1e90ff");
    let cleared = json_of(app.patch_json(&format!("/v1/tags/{id}"), Some(t), &json!({"color": null})).await, 200).await;
    assert_eq!(cleared["color"], Value::Null);
    assert_eq!(cleared["name"], "vip");
    let set =
        json_of(app.patch_json(&format!("/v1/tags/{id}"), Some(t), &json!({"color": "#ABCDEF"})).await, 200).await;
    assert_eq!(set["color"], "#abcdef");

    let res = app.delete(&format!("/v1/tags/{id}"), Some(t)).await;
    assert_eq!(res.status(), 204);
    assert_problem(app.get(&format!("/v1/tags/{id}"), Some(t)).await, 404, "not_found").await;
    assert_problem(app.delete(&format!("/v1/tags/{id}"), Some(t)).await, 404, "not_found").await;
    let page = json_of(app.get("/v1/tags", Some(t)).await, 200).await;
    let ids: Vec<&Value> = page["data"].as_array().unwrap().iter().map(|t| &t["id"]).collect();
    assert_eq!(ids, [&plain["id"], &third["id"]]);
}

#[tokio::test]
async fn names_are_unique_ignoring_case() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    create_tag(&app, t, json!({"name": "VIP"})).await;
    let body =
        assert_problem(app.post_json("/v1/tags", Some(t), &json!({"name": " vip"})).await, 409, "tag_name_taken").await;
    assert_eq!(body["errors"][0]["field"], "name");
    assert_eq!(body["errors"][0]["code"], "tag_name_taken");
    let other = create_tag(&app, t, json!({"name": "Other"})).await;
    let path = format!("/v1/tags/{}", other["id"].as_str().unwrap());
    assert_problem(app.patch_json(&path, Some(t), &json!({"name": "Vip"})).await, 409, "tag_name_taken").await;
    // Unicode case folding too.
    create_tag(&app, t, json!({"name": "Ärger"})).await;
    assert_problem(app.post_json("/v1/tags", Some(t), &json!({"name": "ärger"})).await, 409, "tag_name_taken").await;
    // Another organisation may use the name.
    let b = app.signup().await;
    create_tag(&app, &b.access_token, json!({"name": "vip"})).await;
}

#[tokio::test]
async fn concurrent_creates_of_one_name_give_one_tag_and_one_conflict() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    for round in 0..5 {
        let (upper, lower) = (json!({"name": format!("Race{round}")}), json!({"name": format!("race{round}")}));
        let (r1, r2) =
            tokio::join!(app.post_json("/v1/tags", Some(t), &upper), app.post_json("/v1/tags", Some(t), &lower));
        let mut statuses = [r1.status().as_u16(), r2.status().as_u16()];
        statuses.sort_unstable();
        assert_eq!(statuses, [201, 409], "round {round}");
        let loser = if r1.status() == 409 { r1 } else { r2 };
        assert_problem(loser, 409, "tag_name_taken").await;
    }
    let page = json_of(app.get("/v1/tags?limit=100", Some(t)).await, 200).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn bad_input_is_refused() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    let cases = [
        (json!({}), "name", "required"),
        (json!({"name": ""}), "name", "length"),
        (json!({"name": "   "}), "name", "blank"),
        (json!({"name": "x".repeat(101)}), "name", "length"),
        (json!({"name": 5}), "name", "invalid_type"),
        (json!({"name": "a", "color": "red"}), "color", "color"),
        (json!({"name": "a", "color": "#12345"}), "color", "color"),
        (json!({"name": "a", "color": "#12345g"}), "color", "color"),
        (json!({"name": "a", "colour": "#123456"}), "", "unknown_field"),
    ];
    for (body, field, code) in cases {
        let problem = assert_problem(app.post_json("/v1/tags", Some(t), &body).await, 422, "validation_failed").await;
        assert_eq!(problem["errors"][0]["code"], code, "{body}: {problem}");
        if !field.is_empty() {
            assert_eq!(problem["errors"][0]["field"], field, "{body}: {problem}");
        }
    }
    let tag = create_tag(&app, t, json!({"name": "ok"})).await;
    let path = format!("/v1/tags/{}", tag["id"].as_str().unwrap());
    let problem =
        assert_problem(app.patch_json(&path, Some(t), &json!({"color": "blue"})).await, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "color");
    let problem =
        assert_problem(app.patch_json(&path, Some(t), &json!({"name": ""})).await, 422, "validation_failed").await;
    assert_eq!(problem["errors"][0]["field"], "name");
    assert_problem(app.patch_json(&path, Some(t), &json!({"name": null})).await, 422, "validation_failed").await;
    assert_problem(app.get("/v1/tags/con_01jdq4m3y7e8f9g0h1j2k3m4n5", Some(t)).await, 400, "invalid_id").await;
    assert_problem(app.get("/v1/tags?limit=0", Some(t)).await, 422, "validation_failed").await;
    assert_problem(app.get("/v1/tags?cursor=nope", Some(t)).await, 400, "invalid_cursor").await;
    assert_problem(app.get("/v1/tags", None).await, 401, "missing_credentials").await;
}

#[tokio::test]
async fn another_organisations_tags_are_not_found() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let b = app.signup().await;
    let tag = create_tag(&app, &a.access_token, json!({"name": "Mine"})).await;
    let path = format!("/v1/tags/{}", tag["id"].as_str().unwrap());
    let bt = Some(b.access_token.as_str());
    assert_problem(app.get(&path, bt).await, 404, "not_found").await;
    assert_problem(app.patch_json(&path, bt, &json!({"name": "Theirs"})).await, 404, "not_found").await;
    assert_problem(app.delete(&path, bt).await, 404, "not_found").await;
    let page = json_of(app.get("/v1/tags", bt).await, 200).await;
    assert_eq!(page["data"], json!([]));
    // Still there, unchanged.
    let got = json_of(app.get(&path, Some(&a.access_token)).await, 200).await;
    assert_eq!(got["name"], "Mine");
}

#[tokio::test]
async fn viewers_read_tags_but_cannot_change_them() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let tag = create_tag(&app, &owner.access_token, json!({"name": "Mine"})).await;
    let path = format!("/v1/tags/{}", tag["id"].as_str().unwrap());
    let viewer = join(&app, &owner.access_token, "viewer").await;
    let v = Some(viewer.access_token.as_str());
    json_of(app.get(&path, v).await, 200).await;
    json_of(app.get("/v1/tags", v).await, 200).await;
    let body = assert_problem(app.post_json("/v1/tags", v, &json!({"name": "x"})).await, 403, "forbidden").await;
    assert_eq!(body["required_scope"], "tags:write");
    assert_problem(app.patch_json(&path, v, &json!({"name": "x"})).await, 403, "forbidden").await;
    assert_problem(app.delete(&path, v).await, 403, "forbidden").await;
    // A member may.
    let member = join(&app, &owner.access_token, "member").await;
    create_tag(&app, &member.access_token, json!({"name": "By a member"})).await;
}

#[tokio::test]
async fn deleting_a_tag_takes_it_off_contacts() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    let vip = create_tag(&app, t, json!({"name": "VIP"})).await;
    create_tag(&app, t, json!({"name": "Keep"})).await;
    let contact = json_of(
        app.post_json("/v1/contacts", Some(t), &json!({"email": "ada@example.com", "tags": ["vip", "keep"]})).await,
        201,
    )
    .await;
    assert_eq!(contact["tags"].as_array().unwrap().len(), 2, "{contact}");
    let res = app.delete(&format!("/v1/tags/{}", vip["id"].as_str().unwrap()), Some(t)).await;
    assert_eq!(res.status(), 204);
    let contact =
        json_of(app.get(&format!("/v1/contacts/{}", contact["id"].as_str().unwrap()), Some(t)).await, 200).await;
    let names: Vec<&str> = contact["tags"].as_array().unwrap().iter().map(|t| t["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Keep"]);
}
