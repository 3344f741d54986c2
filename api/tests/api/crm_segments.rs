//! Issue 5: segments and bulk delete by filter through HTTP, on SQLite and Postgres: CRUD of
//! dynamic and static segments, filter checks at save time (422 naming the position), count and
//! preview, static membership (per-item results), segments referencing segments (cycles and
//! depth refused), tenant isolation, and `POST /v1/contacts/bulk-delete` (dry run vs real).

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::{
    crm_filter::{Seed, enc, json_of, seed},
    helpers::{TestApp, assert_problem, spawn_app},
};

async fn create_segment(app: &TestApp, token: &str, body: Value) -> String {
    let out = json_of(app.post_json("/v1/segments", Some(token), &body).await, 201).await;
    out["id"].as_str().unwrap().to_owned()
}

async fn count(app: &TestApp, token: &str, id: &str) -> u64 {
    json_of(app.get(&format!("/v1/segments/{id}/count"), Some(token)).await, 200).await["count"].as_u64().unwrap()
}

async fn preview(app: &TestApp, token: &str, filter: &str) -> u64 {
    let out = json_of(app.post_json("/v1/segments/preview", Some(token), &json!({"filter": filter})).await, 200).await;
    out["count"].as_u64().unwrap()
}

async fn members(app: &TestApp, token: &str, seed: &Seed, id: &str) -> BTreeSet<&'static str> {
    let mut out = BTreeSet::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/v1/segments/{id}/contacts?limit=2");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={}", enc(c)));
        }
        let page = json_of(app.get(&path, Some(token)).await, 200).await;
        for c in page["data"].as_array().unwrap() {
            out.insert(*seed.labels.get(c["id"].as_str().unwrap()).unwrap());
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

fn filter_error(body: &Value) -> String {
    assert_eq!(body["errors"][0]["field"], "filter", "{body}");
    body["errors"][0]["code"].as_str().unwrap().to_owned() + ": " + body["errors"][0]["message"].as_str().unwrap()
}

#[tokio::test]
async fn dynamic_segments_crud_count_and_contacts() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = account.access_token.as_str();
    let seed = seed(&app, token).await;

    let res = app
        .post_json("/v1/segments", Some(token), &json!({"name": "VIPs", "kind": "dynamic", "filter": "tags[any]:vip"}))
        .await;
    let created = json_of(res, 201).await;
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("seg_"));
    assert_eq!(created["kind"], "dynamic");
    assert_eq!(created["filter"], "tags[any]:vip");
    assert_eq!(count(&app, token, &id).await, 3);
    assert_eq!(members(&app, token, &seed, &id).await, BTreeSet::from(["ada", "grace", "byron"]));
    // The segment's contacts take the list parameters (narrowing filter, sort).
    let page = json_of(
        app.get(
            &format!("/v1/segments/{id}/contacts?sort=-last_name&filter={}", enc("first_name[eq]:ada")),
            Some(token),
        )
        .await,
        200,
    )
    .await;
    let ids: Vec<&str> = page["data"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![seed.ids["byron"].as_str(), seed.ids["ada"].as_str()]);

    let got = json_of(app.get(&format!("/v1/segments/{id}"), Some(token)).await, 200).await;
    assert_eq!(got, created);
    let list = json_of(app.get("/v1/segments", Some(token)).await, 200).await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["has_more"], false);

    // Live: a contact tagged now is in the segment.
    let res =
        app.patch_json(&format!("/v1/contacts/{}", seed.ids["linus"]), Some(token), &json!({"tags": ["vip"]})).await;
    json_of(res, 200).await;
    assert_eq!(count(&app, token, &id).await, 4);

    let patched = json_of(
        app.patch_json(
            &format!("/v1/segments/{id}"),
            Some(token),
            &json!({"name": "Leads", "filter": "tags[any]:lead"}),
        )
        .await,
        200,
    )
    .await;
    assert_eq!(patched["name"], "Leads");
    assert_eq!(patched["filter"], "tags[any]:lead");
    assert_eq!(count(&app, token, &id).await, 3);
    // Absent fields are unchanged.
    let patched = json_of(app.patch_json(&format!("/v1/segments/{id}"), Some(token), &json!({})).await, 200).await;
    assert_eq!(patched["filter"], "tags[any]:lead");

    // Bad filters are refused at save time, naming the position.
    let res = app.patch_json(&format!("/v1/segments/{id}"), Some(token), &json!({"filter": "tags[any:lead"})).await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(filter_error(&body), "invalid_filter: position 9: expected ']' after the operator, found ':'");
    let res = app.patch_json(&format!("/v1/segments/{id}"), Some(token), &json!({"filter": null})).await;
    assert!(filter_error(&assert_problem(res, 422, "validation_failed").await).starts_with("required"));
    let res = app
        .post_json("/v1/segments", Some(token), &json!({"name": "x", "kind": "dynamic", "filter": "custom.nope[eq]:1"}))
        .await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert!(filter_error(&body).starts_with("invalid_filter: position 1: unknown field 'custom.nope'"), "{body}");
    let res = app.post_json("/v1/segments", Some(token), &json!({"name": "x", "kind": "dynamic"})).await;
    assert!(filter_error(&assert_problem(res, 422, "validation_failed").await).starts_with("required"));
    let res = app.post_json("/v1/segments", Some(token), &json!({"name": "x", "kind": "static", "filter": "*"})).await;
    assert!(filter_error(&assert_problem(res, 422, "validation_failed").await).starts_with("not_allowed"));
    let res = app.post_json("/v1/segments", Some(token), &json!({"name": " ", "kind": "static"})).await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app.post_json("/v1/segments", Some(token), &json!({"name": "x", "kind": "smart"})).await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app.patch_json(&format!("/v1/segments/{id}"), Some(token), &json!({"kind": "static"})).await;
    assert_problem(res, 422, "validation_failed").await;

    // Adding members to a dynamic segment is a conflict.
    let res = app
        .post_json(&format!("/v1/segments/{id}/members"), Some(token), &json!({"contact_ids": [seed.ids["ada"]]}))
        .await;
    assert_problem(res, 409, "segment_is_dynamic").await;
    let res = app
        .post_json(
            &format!("/v1/segments/{id}/members/remove"),
            Some(token),
            &json!({"contact_ids": [seed.ids["ada"]]}),
        )
        .await;
    assert_problem(res, 409, "segment_is_dynamic").await;

    let res = app.delete(&format!("/v1/segments/{id}"), Some(token)).await;
    assert_eq!(res.status().as_u16(), 204);
    assert_problem(app.get(&format!("/v1/segments/{id}"), Some(token)).await, 404, "not_found").await;
    assert_problem(app.get(&format!("/v1/segments/{id}/count"), Some(token)).await, 404, "not_found").await;
    assert_problem(app.delete(&format!("/v1/segments/{id}"), Some(token)).await, 404, "not_found").await;
    assert_problem(app.get("/v1/segments/seg_123", Some(token)).await, 400, "invalid_id").await;
}

#[tokio::test]
async fn preview_counts_a_filter_without_saving_it() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = account.access_token.as_str();
    seed(&app, token).await;
    assert_eq!(preview(&app, token, "tags[any]:vip").await, 3);
    assert_eq!(preview(&app, token, "*").await, 8);
    assert_eq!(preview(&app, token, "custom.score[gte]:70").await, 3);
    assert_eq!(preview(&app, token, "email[eq]:\"x' OR 1=1 --\"").await, 0);
    let res = app.post_json("/v1/segments/preview", Some(token), &json!({"filter": "email[eq]:x)"})).await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert!(filter_error(&body).starts_with("invalid_filter: position 12"), "{body}");
    let res = app.post_json("/v1/segments/preview", Some(token), &json!({"filter": ""})).await;
    assert!(
        filter_error(&assert_problem(res, 422, "validation_failed").await).starts_with("invalid_filter: position 1")
    );
    let res = app.post_json("/v1/segments/preview", Some(token), &json!({})).await;
    assert_problem(res, 422, "validation_failed").await;
    let list = json_of(app.get("/v1/segments", Some(token)).await, 200).await;
    assert!(list["data"].as_array().unwrap().is_empty(), "nothing was saved");
}

#[tokio::test]
async fn static_segments_add_and_remove_members_with_per_item_results() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = account.access_token.as_str();
    let seed = seed(&app, token).await;
    let other = app.signup().await;
    let foreign =
        json_of(app.post_json("/v1/contacts", Some(&other.access_token), &json!({"first_name": "Eve"})).await, 201)
            .await;
    let foreign = foreign["id"].as_str().unwrap().to_owned();

    let id = create_segment(&app, token, json!({"name": "Hand-picked", "kind": "static"})).await;
    assert_eq!(count(&app, token, &id).await, 0);
    let unknown = "con_01jdq4m3y7e8f9g0h1j2k3m4n5";
    let body = json!({"contact_ids": [seed.ids["ada"], seed.ids["grace"], seed.ids["ada"], unknown, foreign]});
    let out = json_of(app.post_json(&format!("/v1/segments/{id}/members"), Some(token), &body).await, 200).await;
    let statuses: Vec<&str> =
        out["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, vec!["added", "added", "already_member", "not_found", "not_found"]);
    assert_eq!(out["results"][3]["contact_id"], unknown);
    assert_eq!(out["changed"], 2);
    assert_eq!(count(&app, token, &id).await, 2);
    assert_eq!(members(&app, token, &seed, &id).await, BTreeSet::from(["ada", "grace"]));

    let out = json_of(
        app.post_json(&format!("/v1/segments/{id}/members"), Some(token), &json!({"contact_ids": [seed.ids["ada"]]}))
            .await,
        200,
    )
    .await;
    assert_eq!(out["results"][0]["status"], "already_member");
    assert_eq!(out["changed"], 0);

    let body = json!({"contact_ids": [seed.ids["ada"], seed.ids["linus"], unknown, seed.ids["ada"]]});
    let out = json_of(app.post_json(&format!("/v1/segments/{id}/members/remove"), Some(token), &body).await, 200).await;
    let statuses: Vec<&str> =
        out["results"].as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, vec!["removed", "not_member", "not_found", "not_member"]);
    assert_eq!(out["changed"], 1);
    assert_eq!(members(&app, token, &seed, &id).await, BTreeSet::from(["grace"]));

    // Bad input.
    let res = app.post_json(&format!("/v1/segments/{id}/members"), Some(token), &json!({"contact_ids": []})).await;
    assert_problem(res, 422, "validation_failed").await;
    let many: Vec<String> = (0..1001).map(|_| seed.ids["ada"].clone()).collect();
    let res = app.post_json(&format!("/v1/segments/{id}/members"), Some(token), &json!({"contact_ids": many})).await;
    assert_problem(res, 422, "validation_failed").await;
    let res =
        app.post_json(&format!("/v1/segments/{id}/members"), Some(token), &json!({"contact_ids": ["seg_x"]})).await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app.patch_json(&format!("/v1/segments/{id}"), Some(token), &json!({"filter": "*"})).await;
    assert!(filter_error(&assert_problem(res, 422, "validation_failed").await).starts_with("not_allowed"));

    // Deleting a member contact removes it from the segment.
    let res = app.delete(&format!("/v1/contacts/{}", seed.ids["grace"]), Some(token)).await;
    assert_eq!(res.status().as_u16(), 204);
    assert_eq!(count(&app, token, &id).await, 0);
}

#[tokio::test]
async fn filters_reference_segments_without_cycles_or_deep_nesting() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = account.access_token.as_str();
    let seed = seed(&app, token).await;
    let picked = create_segment(&app, token, json!({"name": "Picked", "kind": "static"})).await;
    let body = json!({"contact_ids": [seed.ids["ada"], seed.ids["linus"]]});
    json_of(app.post_json(&format!("/v1/segments/{picked}/members"), Some(token), &body).await, 200).await;

    assert_eq!(preview(&app, token, &format!("segment[eq]:{picked}")).await, 2);
    assert_eq!(preview(&app, token, &format!("segment[neq]:{picked}")).await, 6);
    assert_eq!(preview(&app, token, &format!("segment[eq]:{picked},tags[any]:vip")).await, 1);

    let vips = create_segment(&app, token, json!({"name": "VIPs", "kind": "dynamic", "filter": "tags[any]:vip"})).await;
    let either = create_segment(
        &app,
        token,
        json!({"name": "Either", "kind": "dynamic", "filter": format!("segment[in]:[{picked},{vips}]")}),
    )
    .await;
    assert_eq!(members(&app, token, &seed, &either).await, BTreeSet::from(["ada", "linus", "grace", "byron"]));
    let page = json_of(
        app.get(&format!("/v1/contacts?filter={}", enc(&format!("segment[nin]:[{either}]"))), Some(token)).await,
        200,
    )
    .await;
    assert_eq!(page["data"].as_array().unwrap().len(), 4);

    // Cycles are refused: directly, and through another segment.
    let res = app
        .patch_json(&format!("/v1/segments/{vips}"), Some(token), &json!({"filter": format!("segment[eq]:{vips}")}))
        .await;
    let message = filter_error(&assert_problem(res, 422, "validation_failed").await);
    assert!(message.contains("refers to itself"), "{message}");
    let res = app
        .patch_json(&format!("/v1/segments/{vips}"), Some(token), &json!({"filter": format!("segment[eq]:{either}")}))
        .await;
    let message = filter_error(&assert_problem(res, 422, "validation_failed").await);
    assert!(message.contains("position 13") && message.contains("refers to itself"), "{message}");

    // Three levels of dynamic segments are fine; a fourth is refused.
    let level2 = create_segment(
        &app,
        token,
        json!({"name": "L2", "kind": "dynamic", "filter": format!("segment[eq]:{either}")}),
    )
    .await;
    let level3 = create_segment(
        &app,
        token,
        json!({"name": "L3", "kind": "dynamic", "filter": format!("segment[eq]:{level2}")}),
    )
    .await;
    assert_eq!(count(&app, token, &level3).await, 4);
    let res = app
        .post_json(
            "/v1/segments",
            Some(token),
            &json!({"name": "L4", "kind": "dynamic", "filter": format!("segment[eq]:{level3}")}),
        )
        .await;
    let message = filter_error(&assert_problem(res, 422, "validation_failed").await);
    assert!(message.contains("deeper than 3"), "{message}");

    // A deleted segment matches nothing.
    assert_eq!(app.delete(&format!("/v1/segments/{picked}"), Some(token)).await.status().as_u16(), 204);
    assert_eq!(count(&app, token, &either).await, 3);
}

#[tokio::test]
async fn another_organisation_gets_404_and_never_matches() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let token = owner.access_token.as_str();
    let seed = seed(&app, token).await;
    let dynamic =
        create_segment(&app, token, json!({"name": "VIPs", "kind": "dynamic", "filter": "tags[any]:vip"})).await;
    let fixed = create_segment(&app, token, json!({"name": "Picked", "kind": "static"})).await;
    json_of(
        app.post_json(
            &format!("/v1/segments/{fixed}/members"),
            Some(token),
            &json!({"contact_ids": [seed.ids["ada"]]}),
        )
        .await,
        200,
    )
    .await;

    let other = app.signup().await;
    let t2 = other.access_token.as_str();
    for id in [&dynamic, &fixed] {
        assert_problem(app.get(&format!("/v1/segments/{id}"), Some(t2)).await, 404, "not_found").await;
        assert_problem(app.get(&format!("/v1/segments/{id}/count"), Some(t2)).await, 404, "not_found").await;
        assert_problem(app.get(&format!("/v1/segments/{id}/contacts"), Some(t2)).await, 404, "not_found").await;
        assert_problem(
            app.patch_json(&format!("/v1/segments/{id}"), Some(t2), &json!({"name": "x"})).await,
            404,
            "not_found",
        )
        .await;
        let body = json!({"contact_ids": [seed.ids["ada"]]});
        assert_problem(app.post_json(&format!("/v1/segments/{id}/members"), Some(t2), &body).await, 404, "not_found")
            .await;
        assert_problem(
            app.post_json(&format!("/v1/segments/{id}/members/remove"), Some(t2), &body).await,
            404,
            "not_found",
        )
        .await;
        assert_problem(app.delete(&format!("/v1/segments/{id}"), Some(t2)).await, 404, "not_found").await;
        // Referenced from the other organisation's filter, it matches nothing.
        assert_eq!(preview(&app, t2, &format!("segment[eq]:{id}")).await, 0);
    }
    let list = json_of(app.get("/v1/segments", Some(t2)).await, 200).await;
    assert!(list["data"].as_array().unwrap().is_empty());
    // The other organisation's static segment cannot take these contacts.
    let theirs = create_segment(&app, t2, json!({"name": "Mine", "kind": "static"})).await;
    let out = json_of(
        app.post_json(&format!("/v1/segments/{theirs}/members"), Some(t2), &json!({"contact_ids": [seed.ids["ada"]]}))
            .await,
        200,
    )
    .await;
    assert_eq!(out["results"][0]["status"], "not_found");
    assert_eq!(count(&app, token, &fixed).await, 1);
}

#[tokio::test]
async fn bulk_delete_by_filter_counts_first_and_then_deletes() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = account.access_token.as_str();
    seed(&app, token).await;
    let other = app.signup().await;
    json_of(app.post_json("/v1/contacts", Some(&other.access_token), &json!({"email": "ada@example.com"})).await, 201)
        .await;

    let res = app
        .post_json("/v1/contacts/bulk-delete", Some(token), &json!({"filter": "tags[any]:vip", "dry_run": true}))
        .await;
    assert_eq!(json_of(res, 200).await, json!({"matched": 3, "deleted": 0}));
    assert_eq!(preview(&app, token, "*").await, 8);

    let res = app.post_json("/v1/contacts/bulk-delete", Some(token), &json!({"filter": "  "})).await;
    assert!(filter_error(&assert_problem(res, 422, "validation_failed").await).starts_with("filter_required"));
    let res = app.post_json("/v1/contacts/bulk-delete", Some(token), &json!({"dry_run": true})).await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app.post_json("/v1/contacts/bulk-delete", Some(token), &json!({"filter": "tags[any]:vip,"})).await;
    assert!(
        filter_error(&assert_problem(res, 422, "validation_failed").await).starts_with("invalid_filter: position 15")
    );
    let res = app.post_json("/v1/contacts/bulk-delete", Some(token), &json!({"filter": "*", "force": true})).await;
    assert_problem(res, 422, "validation_failed").await;
    assert_eq!(preview(&app, token, "*").await, 8);

    let res = app.post_json("/v1/contacts/bulk-delete", Some(token), &json!({"filter": "tags[any]:vip"})).await;
    assert_eq!(json_of(res, 200).await, json!({"matched": 3, "deleted": 3}));
    assert_eq!(preview(&app, token, "*").await, 5);
    assert_eq!(preview(&app, token, "tags[any]:vip").await, 0);
    let res =
        app.post_json("/v1/contacts/bulk-delete", Some(token), &json!({"filter": "email[eq]:ada@example.com"})).await;
    assert_eq!(json_of(res, 200).await, json!({"matched": 0, "deleted": 0}));

    let res = app.post_json("/v1/contacts/bulk-delete", Some(token), &json!({"filter": "*"})).await;
    assert_eq!(json_of(res, 200).await, json!({"matched": 5, "deleted": 5}));
    assert_eq!(preview(&app, token, "*").await, 0);
    // The other organisation's contacts are untouched.
    assert_eq!(preview(&app, &other.access_token, "*").await, 1);
}
