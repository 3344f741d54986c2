//! Issue 6: domain events through HTTP, on SQLite and Postgres. Each write appends exactly its
//! events with the object as data, in the same transaction (a refused write appends none);
//! `GET /v1/events` pages, filters by type and time, is scoped to the tenant and needs
//! `events:read`; the retention sweep deletes only expired events.

use campaign_os::events::service::sweep_expired;
use chrono::{Duration, Utc};
use reqwest::Response;
use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app};
use crate::organizations::{invitation_token, invite, join};

async fn json_of(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "body: {body}");
    body
}

/// Every event of the caller's organisation, oldest first (following cursors).
async fn all_events(app: &TestApp, token: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/v1/events?limit=100&cursor={c}"),
            None => "/v1/events?limit=100".to_owned(),
        };
        let page = json_of(app.get(&path, Some(token)).await, 200).await;
        events.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return events,
        }
    }
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

/// The events appended after the first `seen` ones.
async fn new_events(app: &TestApp, token: &str, seen: &mut usize) -> Vec<Value> {
    let all = all_events(app, token).await;
    let fresh = all[*seen..].to_vec();
    *seen = all.len();
    fresh
}

#[tokio::test]
async fn contact_writes_append_exactly_their_events() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    let mut seen = 0;
    assert!(new_events(&app, t, &mut seen).await.is_empty(), "a new organisation has no events");
    let vip = json_of(app.post_json("/v1/tags", Some(t), &json!({"name": "vip"})).await, 201).await;
    let vip = vip["id"].as_str().unwrap();

    let ada = json_of(
        app.post_json("/v1/contacts", Some(t), &json!({"first_name": "Ada", "email": "ada@example.com"})).await,
        201,
    )
    .await;
    let path = format!("/v1/contacts/{}", ada["id"].as_str().unwrap());
    let events = new_events(&app, t, &mut seen).await;
    assert_eq!(types(&events), ["contact.created"]);
    assert_eq!(events[0]["data"], ada, "the data is the contact as the API returned it");
    assert!(events[0]["id"].as_str().unwrap().starts_with("evt_"));
    assert!(events[0]["created_at"].is_string());

    // Refused writes append nothing: a duplicate email (409), invalid input (422), a missing contact.
    assert_problem(
        app.post_json("/v1/contacts", Some(t), &json!({"email": "ADA@example.com"})).await,
        409,
        "email_taken",
    )
    .await;
    assert_problem(app.post_json("/v1/contacts", Some(t), &json!({"email": "nope"})).await, 422, "validation_failed")
        .await;
    let grace =
        json_of(app.post_json("/v1/contacts", Some(t), &json!({"email": "grace@example.com"})).await, 201).await;
    seen += 1;
    assert_problem(
        app.patch_json(
            &format!("/v1/contacts/{}", grace["id"].as_str().unwrap()),
            Some(t),
            &json!({"email": "ada@example.com"}),
        )
        .await,
        409,
        "email_taken",
    )
    .await;
    assert_problem(app.delete("/v1/contacts/con_01jdq4m3y7e8f9g0h1j2k3m4n5", Some(t)).await, 404, "not_found").await;
    assert!(new_events(&app, t, &mut seen).await.is_empty(), "refused writes appended events");

    // An update: the contact after the change. A PATCH that changes nothing appends nothing.
    let changed = json_of(app.patch_json(&path, Some(t), &json!({"last_name": "Lovelace"})).await, 200).await;
    json_of(app.patch_json(&path, Some(t), &json!({"last_name": "Lovelace"})).await, 200).await;
    let events = new_events(&app, t, &mut seen).await;
    assert_eq!(types(&events), ["contact.updated"]);
    assert_eq!(events[0]["data"], changed);

    // Tags added and removed are updates, but only when a tag really comes or goes.
    let tagged = json_of(app.post_json(&format!("{path}/tags"), Some(t), &json!({"tags": ["vip"]})).await, 200).await;
    json_of(app.post_json(&format!("{path}/tags"), Some(t), &json!({"tags": ["vip"]})).await, 200).await;
    assert_eq!(app.delete(&format!("{path}/tags/{vip}"), Some(t)).await.status(), 204);
    assert_eq!(app.delete(&format!("{path}/tags/{vip}"), Some(t)).await.status(), 204);
    let events = new_events(&app, t, &mut seen).await;
    assert_eq!(types(&events), ["contact.updated", "contact.updated"]);
    assert_eq!(events[0]["data"], tagged);
    assert_eq!(events[0]["data"]["tags"][0]["name"], "vip");
    assert_eq!(events[1]["data"]["tags"], json!([]));

    // A delete: the contact as it was.
    assert_eq!(app.delete(&path, Some(t)).await.status(), 204);
    let events = new_events(&app, t, &mut seen).await;
    assert_eq!(types(&events), ["contact.deleted"]);
    assert_eq!(events[0]["data"]["id"], ada["id"]);
    assert_eq!(events[0]["data"]["last_name"], "Lovelace");
    assert_eq!(app.get(&path, Some(t)).await.status(), 404);
}

#[tokio::test]
async fn bulk_contact_writes_append_one_event_per_contact() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    let mut seen = 0;
    json_of(app.post_json("/v1/tags", Some(t), &json!({"name": "vip"})).await, 201).await;

    // Two created, one invalid (no event), one created then updated by a later item (one event).
    let body = json!({"match_on": "email", "contacts": [
        {"email": "a@example.com", "first_name": "A"},
        {"email": "not an email"},
        {"email": "b@example.com"},
        {"email": "B@example.com", "first_name": "Bee"},
    ]});
    let out = json_of(app.post_json("/v1/contacts/bulk", Some(t), &body).await, 200).await;
    assert_eq!((out["created"].as_u64(), out["failed"].as_u64()), (Some(2), Some(1)));
    let events = new_events(&app, t, &mut seen).await;
    assert_eq!(types(&events), ["contact.created", "contact.created"]);
    assert_eq!(events[0]["data"]["email"], "a@example.com");
    assert_eq!(events[1]["data"]["email"], "B@example.com", "the final state of the batch");
    assert_eq!(events[1]["data"]["first_name"], "Bee");
    let (a_id, b_id) = (events[0]["data"]["id"].clone(), events[1]["data"]["id"].clone());

    // An update (with tags added), a skip-free create.
    let body = json!({"match_on": "email", "contacts": [
        {"email": "a@example.com", "last_name": "Updated", "tags": ["vip"]},
        {"email": "c@example.com"},
    ]});
    json_of(app.post_json("/v1/contacts/bulk", Some(t), &body).await, 200).await;
    let events = new_events(&app, t, &mut seen).await;
    assert_eq!(types(&events), ["contact.updated", "contact.created"]);
    assert_eq!(events[0]["data"]["id"], a_id);
    assert_eq!(events[0]["data"]["last_name"], "Updated");
    assert_eq!(events[0]["data"]["tags"][0]["name"], "vip");
    let c_id = events[1]["data"]["id"].clone();

    // Bulk tags: only contacts whose tags changed (A already has vip).
    let body = json!({"contact_ids": [a_id, b_id, "con_01jdq4m3y7e8f9g0h1j2k3m4n5"], "add": ["vip"]});
    json_of(app.post_json("/v1/contacts/tags", Some(t), &body).await, 200).await;
    let events = new_events(&app, t, &mut seen).await;
    assert_eq!(types(&events), ["contact.updated"]);
    assert_eq!(events[0]["data"]["id"], b_id);
    assert_eq!(events[0]["data"]["tags"][0]["name"], "vip");

    // Bulk delete: a dry run appends nothing; the real one one event per deleted contact.
    let body = json!({"filter": "tags[any]:vip", "dry_run": true});
    json_of(app.post_json("/v1/contacts/bulk-delete", Some(t), &body).await, 200).await;
    assert!(new_events(&app, t, &mut seen).await.is_empty());
    let out =
        json_of(app.post_json("/v1/contacts/bulk-delete", Some(t), &json!({"filter": "tags[any]:vip"})).await, 200)
            .await;
    assert_eq!(out["deleted"], 2);
    let events = new_events(&app, t, &mut seen).await;
    assert_eq!(types(&events), ["contact.deleted", "contact.deleted"]);
    let mut deleted: Vec<Value> = events.iter().map(|e| e["data"]["id"].clone()).collect();
    deleted.sort_by_key(|v| v.as_str().unwrap().to_owned());
    let mut expected = vec![a_id, b_id];
    expected.sort_by_key(|v| v.as_str().unwrap().to_owned());
    assert_eq!(deleted, expected);
    assert!(events.iter().all(|e| e["data"]["tags"][0]["name"] == "vip"), "the contacts as they were");
    let left = json_of(app.get("/v1/contacts", Some(t)).await, 200).await;
    assert_eq!(left["data"][0]["id"], c_id);
}

#[tokio::test]
async fn bulk_delete_of_many_contacts_appends_every_event() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    // More than one batch of 500.
    for chunk in 0..2 {
        let contacts: Vec<Value> = (0..350).map(|i| json!({"email": format!("c{chunk}-{i}@example.com")})).collect();
        json_of(app.post_json("/v1/contacts/bulk", Some(t), &json!({"contacts": contacts})).await, 200).await;
    }
    let out = json_of(app.post_json("/v1/contacts/bulk-delete", Some(t), &json!({"filter": "*"})).await, 200).await;
    assert_eq!(out["deleted"], 700);
    let deleted = all_events_of_type(&app, t, "contact.deleted").await;
    assert_eq!(deleted.len(), 700);
    let mut ids: Vec<&str> = deleted.iter().map(|e| e["data"]["id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 700, "one event per contact");
    assert_eq!(all_events_of_type(&app, t, "contact.created").await.len(), 700);
}

async fn all_events_of_type(app: &TestApp, token: &str, kind: &str) -> Vec<Value> {
    let mut events = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = json_of(app.get(&format!("/v1/events?type={kind}&limit=100{cursor}"), Some(token)).await, 200).await;
        events.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => return events,
        }
    }
}

#[tokio::test]
async fn company_and_product_writes_append_their_events() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    let mut seen = 0;

    let acme =
        json_of(app.post_json("/v1/companies", Some(t), &json!({"name": "Acme", "domain": "acme.com"})).await, 201)
            .await;
    let path = format!("/v1/companies/{}", acme["id"].as_str().unwrap());
    assert_problem(
        app.post_json("/v1/companies", Some(t), &json!({"name": "Copy", "domain": "ACME.com"})).await,
        409,
        "domain_taken",
    )
    .await;
    let changed = json_of(app.patch_json(&path, Some(t), &json!({"name": "Acme Inc."})).await, 200).await;
    assert_eq!(app.delete(&path, Some(t)).await.status(), 204);
    let events = new_events(&app, t, &mut seen).await;
    assert_eq!(types(&events), ["company.created", "company.updated", "company.deleted"]);
    assert_eq!(events[0]["data"], acme);
    assert_eq!(events[1]["data"], changed);
    assert_eq!(events[2]["data"], changed, "the company as it was");

    let body = json!({"name": "Cup", "sku": "CUP-1", "price": {"amount": 990, "currency": "EUR"}});
    let cup = json_of(app.post_json("/v1/products", Some(t), &body).await, 201).await;
    assert_problem(app.post_json("/v1/products", Some(t), &body).await, 409, "sku_taken").await;
    let path = format!("/v1/products/{}", cup["id"].as_str().unwrap());
    let changed = json_of(app.patch_json(&path, Some(t), &json!({"active": false})).await, 200).await;
    json_of(app.patch_json(&path, Some(t), &json!({"active": false})).await, 200).await;
    assert_eq!(app.delete(&path, Some(t)).await.status(), 204);
    let events = new_events(&app, t, &mut seen).await;
    assert_eq!(types(&events), ["product.created", "product.updated", "product.deleted"]);
    assert_eq!(events[0]["data"], cup);
    assert_eq!(events[1]["data"], changed);
    assert_eq!(events[2]["data"]["id"], cup["id"]);
}

#[tokio::test]
async fn member_and_api_key_changes_append_their_events() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let t = owner.access_token.as_str();
    let mut seen = 0;

    // Invited and joined.
    let joined = join(&app, t, "member").await;
    let events = new_events(&app, t, &mut seen).await;
    assert_eq!(types(&events), ["member.invited", "member.joined"]);
    assert_eq!(events[0]["data"]["email"], joined.email.as_str());
    assert_eq!(events[0]["data"]["role"], "member");
    assert_eq!(events[0]["data"]["status"], "pending");
    assert_eq!(events[1]["data"]["user_id"], joined.user_id.as_str());
    assert_eq!(events[1]["data"]["role"], "member");
    // The invitation's token is in no event.
    let token = {
        let email = crate::helpers::unique_email();
        json_of(invite(&app, t, &email, "viewer").await, 201).await;
        invitation_token(&app, &email).await
    };
    let events = new_events(&app, t, &mut seen).await;
    assert_eq!(types(&events), ["member.invited"]);
    assert!(!events[0].to_string().contains(&token));
    // Inviting a member is refused (409 `already_member`): no event.
    assert_eq!(invite(&app, t, &joined.email, "viewer").await.status(), 409);

    let member_path = format!("/v1/members/{}", joined.user_id);
    json_of(app.patch_json(&member_path, Some(t), &json!({"role": "admin"})).await, 200).await;
    json_of(app.patch_json(&member_path, Some(t), &json!({"role": "admin"})).await, 200).await;
    assert_eq!(app.delete(&member_path, Some(t)).await.status(), 204);
    let events = new_events(&app, t, &mut seen).await;
    assert_eq!(types(&events), ["member.role_changed", "member.removed"]);
    assert_eq!(events[0]["data"]["role"], "admin");
    assert_eq!(events[1]["data"]["user_id"], joined.user_id.as_str());
    assert_eq!(events[1]["data"]["email"], joined.email.as_str());

    // API keys: created, rotated, revoked; never with a secret.
    let created = json_of(app.post_json("/v1/api-keys", Some(t), &json!({"name": "sync"})).await, 201).await;
    let id = created["id"].as_str().unwrap();
    let rotated = json_of(app.post_json(&format!("/v1/api-keys/{id}/rotate"), Some(t), &json!({})).await, 200).await;
    assert_eq!(app.delete(&format!("/v1/api-keys/{id}"), Some(t)).await.status(), 204);
    let events = new_events(&app, t, &mut seen).await;
    assert_eq!(types(&events), ["api_key.created", "api_key.rotated", "api_key.revoked"]);
    for (event, prefix) in events.iter().zip([&created["prefix"], &rotated["prefix"], &rotated["prefix"]]) {
        assert_eq!(event["data"]["id"], id);
        assert_eq!(&event["data"]["prefix"], prefix);
        assert!(event["data"].get("secret").is_none());
        for secret in [&created["secret"], &rotated["secret"]] {
            assert!(!event.to_string().contains(secret.as_str().unwrap()));
        }
    }
    assert_eq!(events[0]["data"]["name"], "sync");
}

#[tokio::test]
async fn events_are_paged_and_filtered() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let t = a.access_token.as_str();
    for i in 0..3 {
        json_of(app.post_json("/v1/contacts", Some(t), &json!({"email": format!("p{i}@example.com")})).await, 201)
            .await;
    }
    let before_companies = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    json_of(app.post_json("/v1/companies", Some(t), &json!({"name": "Acme"})).await, 201).await;
    json_of(app.post_json("/v1/api-keys", Some(t), &json!({"name": "k"})).await, 201).await;
    let all = all_events(&app, t).await;
    assert_eq!(
        types(&all),
        ["contact.created", "contact.created", "contact.created", "company.created", "api_key.created"]
    );

    // Pages of two, in id order, then the same backwards.
    let mut paged = Vec::new();
    let mut path = "/v1/events?limit=2".to_owned();
    loop {
        let page = json_of(app.get(&path, Some(t)).await, 200).await;
        assert!(page["data"].as_array().unwrap().len() <= 2);
        paged.extend(page["data"].as_array().unwrap().iter().cloned());
        match page["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(page["has_more"], true);
                path = format!("/v1/events?limit=2&cursor={c}");
            }
            None => {
                assert_eq!(page["has_more"], false);
                break;
            }
        }
    }
    assert_eq!(paged, all);
    let desc = json_of(app.get("/v1/events?order=desc&limit=100", Some(t)).await, 200).await;
    let mut reversed = all.clone();
    reversed.reverse();
    assert_eq!(desc["data"].as_array().unwrap(), &reversed);

    // Type filters: one, a list (spaces allowed), and an unknown name (422 naming it).
    let page = json_of(app.get("/v1/events?type=company.created", Some(t)).await, 200).await;
    assert_eq!(types(page["data"].as_array().unwrap()), ["company.created"]);
    let page = json_of(app.get("/v1/events?type=api_key.created,%20company.created", Some(t)).await, 200).await;
    assert_eq!(types(page["data"].as_array().unwrap()), ["company.created", "api_key.created"]);
    let page = json_of(app.get("/v1/events?type=contact.deleted", Some(t)).await, 200).await;
    assert_eq!(page["data"], json!([]));
    let body = assert_problem(
        app.get("/v1/events?type=contact.created,contact.exploded", Some(t)).await,
        422,
        "validation_failed",
    )
    .await;
    assert_eq!(body["errors"][0]["field"], "type");
    assert_eq!(body["errors"][0]["code"], "unknown_event_type");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("contact.exploded"));
    assert_problem(app.get("/v1/events?type=", Some(t)).await, 422, "validation_failed").await;

    // The time window: [gte, lt).
    let since = before_companies.to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    let page = json_of(app.get(&format!("/v1/events?created_at%5Bgte%5D={since}"), Some(t)).await, 200).await;
    assert_eq!(types(page["data"].as_array().unwrap()), ["company.created", "api_key.created"]);
    let page = json_of(app.get(&format!("/v1/events?created_at[lt]={since}"), Some(t)).await, 200).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 3);
    let page =
        json_of(app.get(&format!("/v1/events?created_at[gte]={since}&type=api_key.created"), Some(t)).await, 200).await;
    assert_eq!(types(page["data"].as_array().unwrap()), ["api_key.created"]);
    assert_problem(app.get("/v1/events?created_at[gte]=yesterday", Some(t)).await, 400, "invalid_query").await;
    assert_problem(app.get("/v1/events?limit=0", Some(t)).await, 422, "validation_failed").await;
    assert_problem(app.get("/v1/events?cursor=nope", Some(t)).await, 400, "invalid_cursor").await;

    // One event by id.
    let first = &all[0];
    let got = json_of(app.get(&format!("/v1/events/{}", first["id"].as_str().unwrap()), Some(t)).await, 200).await;
    assert_eq!(&got, first);
    assert_problem(app.get("/v1/events/evt_01jdq4m3y7e8f9g0h1j2k3m4n5", Some(t)).await, 404, "not_found").await;
    assert_problem(app.get("/v1/events/con_01jdq4m3y7e8f9g0h1j2k3m4n5", Some(t)).await, 400, "invalid_id").await;
}

#[tokio::test]
async fn organisations_see_only_their_events_and_need_events_read() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let b = app.signup().await;
    json_of(app.post_json("/v1/contacts", Some(&a.access_token), &json!({"email": "a@example.com"})).await, 201).await;
    let a_events = all_events(&app, &a.access_token).await;
    assert_eq!(types(&a_events), ["contact.created"]);
    let a_event = a_events[0]["id"].as_str().unwrap();

    assert!(all_events(&app, &b.access_token).await.is_empty());
    assert_problem(app.get(&format!("/v1/events/{a_event}"), Some(&b.access_token)).await, 404, "not_found").await;
    let page = json_of(app.get("/v1/events?type=contact.created", Some(&b.access_token)).await, 200).await;
    assert_eq!(page["data"], json!([]));

    // Members and viewers do not hold `events:read`; a key needs it.
    let member = join(&app, &a.access_token, "member").await;
    let body = assert_problem(app.get("/v1/events", Some(&member.access_token)).await, 403, "forbidden").await;
    assert_eq!(body["required_scope"], "events:read");
    assert_problem(app.get("/v1/events", None).await, 401, "missing_credentials").await;
    let key = json_of(
        app.post_json("/v1/api-keys", Some(&a.access_token), &json!({"name": "ro", "scopes": ["contacts:read"]})).await,
        201,
    )
    .await;
    let secret = key["secret"].as_str().unwrap();
    let body = assert_problem(app.get("/v1/events", Some(secret)).await, 403, "insufficient_scope").await;
    assert_eq!(body["required_scope"], "events:read");
    let key = json_of(
        app.post_json("/v1/api-keys", Some(&a.access_token), &json!({"name": "events", "scopes": ["events:read"]}))
            .await,
        201,
    )
    .await;
    let page =
        json_of(app.get("/v1/events?type=contact.created", Some(key["secret"].as_str().unwrap())).await, 200).await;
    assert_eq!(page["data"][0]["id"], a_event);
}

#[tokio::test]
async fn the_sweep_deletes_only_expired_events() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let b = app.signup().await;
    json_of(app.post_json("/v1/contacts", Some(&a.access_token), &json!({"email": "old@example.com"})).await, 201)
        .await;
    json_of(app.post_json("/v1/contacts", Some(&b.access_token), &json!({"email": "old@example.com"})).await, 201)
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let cutoff = Utc::now();
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let fresh =
        json_of(app.post_json("/v1/contacts", Some(&a.access_token), &json!({"email": "new@example.com"})).await, 201)
            .await;

    let db = app.db().await;
    let retention = Duration::days(30);
    // At `cutoff + 30 days`, what was created before `cutoff` has expired, in every organisation.
    assert_eq!(sweep_expired(&db, cutoff - Duration::days(1) + retention, retention).await.unwrap(), 0);
    assert_eq!(sweep_expired(&db, cutoff + retention, retention).await.unwrap(), 2);
    assert_eq!(sweep_expired(&db, cutoff + retention, retention).await.unwrap(), 0, "nothing left to sweep");
    let left = all_events(&app, &a.access_token).await;
    assert_eq!(types(&left), ["contact.created"]);
    assert_eq!(left[0]["data"]["id"], fresh["id"]);
    assert!(all_events(&app, &b.access_token).await.is_empty());
    assert_eq!(sweep_expired(&db, Utc::now() + retention, retention).await.unwrap(), 1);
    assert!(all_events(&app, &a.access_token).await.is_empty());
}
