//! Agencies and client workspaces: creating clients, acting on them with `X-Tenant-Id` (members
//! and API keys), and the isolation between agencies, clients and everyone else.

use reqwest::{Method, Response};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde_json::{Value, json};

use crate::{
    helpers::{Account, TestApp, assert_problem, spawn_app, unique_email},
    organizations::{invitation_token, join},
};

/// A request acting on `tenant` through `X-Tenant-Id`.
async fn on(app: &TestApp, method: Method, path: &str, token: &str, tenant: &str, body: Option<Value>) -> Response {
    let mut req = app.client.request(method, app.url(path)).bearer_auth(token).header("X-Tenant-Id", tenant);
    if let Some(body) = body {
        req = req.json(&body);
    }
    req.send().await.unwrap()
}

async fn ok(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "body: {body}");
    body
}

/// Signs up an organisation and makes it an agency.
async fn agency(app: &TestApp) -> Account {
    let owner = app.signup().await;
    let res = app.patch_json("/v1/organization", Some(&owner.access_token), &json!({"kind": "agency"})).await;
    assert_eq!(res.status(), 200);
    owner
}

async fn client(app: &TestApp, token: &str, name: &str) -> String {
    let body = ok(app.post_json("/v1/clients", Some(token), &json!({ "name": name })).await, 201).await;
    body["id"].as_str().unwrap().to_owned()
}

fn ids(list: &Value) -> Vec<String> {
    list["data"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn an_agency_creates_and_lists_its_clients() {
    let app = spawn_app().await;
    let standard = app.signup().await;
    let res = app.post_json("/v1/clients", Some(&standard.access_token), &json!({"name": "X"})).await;
    assert_problem(res, 409, "not_an_agency").await;

    let owner = agency(&app).await;
    let body =
        ok(app.post_json("/v1/clients", Some(&owner.access_token), &json!({"name": " Globex "})).await, 201).await;
    assert_eq!(body["name"], "Globex");
    assert_eq!(body["parent_id"], owner.org_id.as_str());
    let a = body["id"].as_str().unwrap().to_owned();
    let b = client(&app, &owner.access_token, "Initech").await;
    let list = ok(app.get("/v1/clients", Some(&owner.access_token)).await, 200).await;
    assert_eq!(ids(&list), vec![a.clone(), b.clone()]);
    let one = ok(app.get(&format!("/v1/clients/{a}"), Some(&owner.access_token)).await, 200).await;
    assert_eq!(one["name"], "Globex");

    // The client's own view of itself.
    let org = ok(on(&app, Method::GET, "/v1/organization", &owner.access_token, &a, None).await, 200).await;
    assert_eq!((org["id"].as_str(), org["kind"].as_str()), (Some(a.as_str()), Some("client")));
    assert_eq!(org["parent_id"], owner.org_id.as_str());
    assert_eq!(org["seats_used"], 0);
    // Clients are not created from inside a client.
    let res = on(&app, Method::POST, "/v1/clients", &owner.access_token, &a, Some(json!({"name": "Nested"}))).await;
    assert_problem(res, 409, "not_an_agency").await;
    let list = ok(on(&app, Method::GET, "/v1/clients", &owner.access_token, &a, None).await, 200).await;
    assert_eq!(list["data"], json!([]));

    // Another agency's clients and other organisations are invisible.
    let other = agency(&app).await;
    let c = client(&app, &other.access_token, "Umbrella").await;
    assert_problem(app.get(&format!("/v1/clients/{c}"), Some(&owner.access_token)).await, 404, "not_found").await;
    let res = app.get(&format!("/v1/clients/{}", standard.org_id), Some(&owner.access_token)).await;
    assert_problem(res, 404, "not_found").await;
    assert_eq!(ids(&ok(app.get("/v1/clients", Some(&other.access_token)).await, 200).await), vec![c]);
    let audit = entities::audit_event::Entity::find()
        .filter(entities::audit_event::Column::Action.eq("client.created"))
        .all(&app.db().await)
        .await
        .unwrap();
    assert_eq!(audit.len(), 3);
}

#[tokio::test]
async fn agency_members_and_keys_act_on_clients_with_x_tenant_id() {
    let app = spawn_app().await;
    let owner = agency(&app).await;
    let (a, b) = (client(&app, &owner.access_token, "A").await, client(&app, &owner.access_token, "B").await);

    // An agency member creates an API key inside client A.
    let res = on(&app, Method::POST, "/v1/api-keys", &owner.access_token, &a, Some(json!({"name": "in-a"}))).await;
    let key_in_a = ok(res, 201).await;
    let keys_a = ok(on(&app, Method::GET, "/v1/api-keys", &owner.access_token, &a, None).await, 200).await;
    assert_eq!(ids(&keys_a), vec![key_in_a["id"].as_str().unwrap().to_owned()]);
    let keys_b = ok(on(&app, Method::GET, "/v1/api-keys", &owner.access_token, &b, None).await, 200).await;
    assert_eq!(keys_b["data"], json!([]));
    let keys_agency = ok(app.get("/v1/api-keys", Some(&owner.access_token)).await, 200).await;
    assert_eq!(keys_agency["data"], json!([]));
    // That key belongs to client A: it acts on A and cannot reach the agency or B.
    let secret_a = key_in_a["secret"].as_str().unwrap();
    let org = ok(app.get("/v1/organization", Some(secret_a)).await, 200).await;
    assert_eq!(org["id"], a.as_str());
    assert_problem(on(&app, Method::GET, "/v1/organization", secret_a, &b, None).await, 404, "not_found").await;
    let res = on(&app, Method::GET, "/v1/organization", secret_a, &owner.org_id, None).await;
    assert_problem(res, 404, "not_found").await;

    // An agency API key acts on a client too, and creates an invitation there.
    let (_, agency_key) = app.create_api_key(&owner.access_token, "agency").await;
    let org = ok(on(&app, Method::GET, "/v1/organization", &agency_key, &b, None).await, 200).await;
    assert_eq!(org["id"], b.as_str());
    let email = unique_email();
    let body = json!({"email": email, "role": "member"});
    ok(on(&app, Method::POST, "/v1/invitations", &agency_key, &b, Some(body)).await, 201).await;
    let inv_b = ok(on(&app, Method::GET, "/v1/invitations", &owner.access_token, &b, None).await, 200).await;
    assert_eq!(inv_b["data"][0]["email"], email.as_str());
    assert_eq!(inv_b["data"][0]["invited_by"], Value::Null);
    for (token, tenant) in [(&owner.access_token, Some(&a)), (&owner.access_token, None)] {
        let res = match tenant {
            Some(t) => on(&app, Method::GET, "/v1/invitations", token, t, None).await,
            None => app.get("/v1/invitations", Some(token)).await,
        };
        assert_eq!(ok(res, 200).await["data"], json!([]), "data of client B leaks");
    }
    // The agency role applies: an agency viewer cannot write in a client.
    let viewer = join(&app, &owner.access_token, "viewer").await;
    let org = ok(on(&app, Method::GET, "/v1/organization", &viewer.access_token, &a, None).await, 200).await;
    assert_eq!(org["id"], a.as_str());
    let body = json!({"email": unique_email(), "role": "member"});
    let res = on(&app, Method::POST, "/v1/invitations", &viewer.access_token, &a, Some(body)).await;
    assert_problem(res, 403, "forbidden").await;

    // Another agency's client, or X-Tenant-Id from a non-agency: 404.
    let other = agency(&app).await;
    let c = client(&app, &other.access_token, "C").await;
    assert_problem(on(&app, Method::GET, "/v1/organization", &owner.access_token, &c, None).await, 404, "not_found")
        .await;
    assert_problem(on(&app, Method::GET, "/v1/members", &agency_key, &c, None).await, 404, "not_found").await;
    let standard = app.signup().await;
    assert_problem(on(&app, Method::GET, "/v1/organization", &standard.access_token, &a, None).await, 404, "not_found")
        .await;
    let res = on(&app, Method::GET, "/v1/organization", &standard.access_token, &other.org_id, None).await;
    assert_problem(res, 404, "not_found").await;
}

#[tokio::test]
async fn a_client_workspace_member_sees_only_that_client() {
    let app = spawn_app().await;
    let owner = agency(&app).await;
    let (a, b) = (client(&app, &owner.access_token, "A").await, client(&app, &owner.access_token, "B").await);
    // Invite someone into client A from inside it.
    let email = unique_email();
    let body = json!({"email": email, "role": "admin"});
    ok(on(&app, Method::POST, "/v1/invitations", &owner.access_token, &a, Some(body)).await, 201).await;
    let token = invitation_token(&app, &email).await;
    let res = app
        .post_json("/v1/invitations/accept", None, &json!({"token": token, "password": "correct horse battery staple"}))
        .await;
    let session = ok(res, 201).await;
    assert_eq!(session["organization"]["id"], a.as_str());
    let member = session["access_token"].as_str().unwrap();

    let org = ok(app.get("/v1/organization", Some(member)).await, 200).await;
    assert_eq!(org["id"], a.as_str());
    let members = ok(on(&app, Method::GET, "/v1/members", &owner.access_token, &a, None).await, 200).await;
    assert_eq!(members["data"].as_array().unwrap().len(), 1, "agency members are not client members");
    assert_eq!(members["data"][0]["email"], email.as_str());
    // Neither the agency nor a sibling client is reachable from the client.
    assert_problem(on(&app, Method::GET, "/v1/organization", member, &owner.org_id, None).await, 404, "not_found")
        .await;
    assert_problem(on(&app, Method::GET, "/v1/organization", member, &b, None).await, 404, "not_found").await;
    assert_eq!(ok(app.get("/v1/clients", Some(member)).await, 200).await["data"], json!([]));
    assert_problem(app.get(&format!("/v1/clients/{b}"), Some(member)).await, 404, "not_found").await;
    // A client cannot turn itself into an agency.
    let res = app.patch_json("/v1/organization", Some(member), &json!({"kind": "agency"})).await;
    assert_problem(res, 403, "owner_required").await;
    // Data created in A stays in A.
    let (_, _) = app.create_api_key(member, "client-a").await;
    let keys_b = ok(on(&app, Method::GET, "/v1/api-keys", &owner.access_token, &b, None).await, 200).await;
    assert_eq!(keys_b["data"], json!([]));
    let keys_agency = ok(app.get("/v1/api-keys", Some(&owner.access_token)).await, 200).await;
    assert_eq!(keys_agency["data"], json!([]));
    let keys_a = ok(on(&app, Method::GET, "/v1/api-keys", &owner.access_token, &a, None).await, 200).await;
    assert_eq!(keys_a["data"].as_array().unwrap().len(), 1);
}
