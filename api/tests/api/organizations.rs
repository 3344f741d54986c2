//! Organisations, members, invitations, workspace switching: the role × operation matrix, the
//! last-owner rule, invitation acceptance (new and existing users, reuse, revoked, expired), seats,
//! hashed tokens, and tenant isolation.

use campaign_os::platform::{crypto::sha256_hex, ids::InvitationId};
use chrono::{Duration, Utc};
use entities::{audit_event, invitation, sandbox_email, user};
use reqwest::{Response, StatusCode};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr};
use serde_json::{Value, json};

use crate::helpers::{Account, TestApp, assert_problem, spawn_app, spawn_app_with, unique_email};

/// A member who joined through an invitation.
pub struct Joined {
    pub email: String,
    pub access_token: String,
    pub user_id: String,
}

/// The invitation token emailed to `email` most recently (read from the sandbox mailbox).
pub async fn invitation_token(app: &TestApp, email: &str) -> String {
    let db = app.db().await;
    let mail = sandbox_email::Entity::find()
        .filter(sandbox_email::Column::ToAddress.eq(email))
        // Not just the latest email: a verification email sent in the background after a
        // sign-up can land after the invitation.
        .filter(sandbox_email::Column::BodyText.contains("/accept-invitation?token="))
        .order_by_desc(sandbox_email::Column::Id)
        .one(&db)
        .await
        .unwrap()
        .expect("an invitation email");
    let start = mail.body_text.find("inv_").expect("a token in the email");
    let token: String = mail.body_text[start..].chars().take(44).collect();
    assert!(token[4..].chars().all(|c| c.is_ascii_alphanumeric()), "{token}");
    assert!(mail.body_text.contains(&format!("/accept-invitation?token={token}")));
    token
}

pub async fn invite(app: &TestApp, token: &str, email: &str, role: &str) -> Response {
    app.post_json("/v1/invitations", Some(token), &json!({"email": email, "role": role})).await
}

/// Invites a new address with `role` into the inviter's organisation and accepts as a new user.
pub async fn join(app: &TestApp, inviter_token: &str, role: &str) -> Joined {
    let email = unique_email();
    let res = invite(app, inviter_token, &email, role).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{}", res.text().await.unwrap());
    let token = invitation_token(app, &email).await;
    let res = app
        .post_json("/v1/invitations/accept", None, &json!({"token": token, "password": "correct horse battery staple"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["role"], role);
    Joined {
        email,
        access_token: body["access_token"].as_str().unwrap().to_owned(),
        user_id: body["user"]["id"].as_str().unwrap().to_owned(),
    }
}

async fn json_of(res: Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "body: {body}");
    body
}

async fn actions(app: &TestApp, action: &str) -> Vec<audit_event::Model> {
    audit_event::Entity::find().filter(audit_event::Column::Action.eq(action)).all(&app.db().await).await.unwrap()
}

#[tokio::test]
async fn get_and_update_the_organization() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let org = json_of(app.get("/v1/organization", Some(&owner.access_token)).await, 200).await;
    assert_eq!(org["id"], owner.org_id.as_str());
    assert_eq!(org["kind"], "standard");
    assert_eq!(org["parent_id"], Value::Null);
    assert_eq!(org["seat_limit"], app.settings.default_seat_limit);
    assert_eq!(org["seats_used"], 1);

    let org = json_of(
        app.patch_json("/v1/organization", Some(&owner.access_token), &json!({"name": " Renamed "})).await,
        200,
    )
    .await;
    assert_eq!(org["name"], "Renamed");
    assert_eq!(actions(&app, "organization.updated").await.len(), 1);
    let res = app.patch_json("/v1/organization", Some(&owner.access_token), &json!({"name": "  "})).await;
    assert_problem(res, 422, "validation_failed").await;
    let res = app.patch_json("/v1/organization", Some(&owner.access_token), &json!({"kind": "client"})).await;
    assert_problem(res, 422, "validation_failed").await;

    // Only an owner changes the kind.
    let admin = join(&app, &owner.access_token, "admin").await;
    let res = app.patch_json("/v1/organization", Some(&admin.access_token), &json!({"kind": "agency"})).await;
    assert_problem(res, 403, "owner_required").await;
    let org =
        json_of(app.patch_json("/v1/organization", Some(&owner.access_token), &json!({"kind": "agency"})).await, 200)
            .await;
    assert_eq!(org["kind"], "agency");
    assert_eq!(org["seats_used"], 2);

    // An agency with clients cannot go back; a client cannot become an agency.
    let client =
        json_of(app.post_json("/v1/clients", Some(&owner.access_token), &json!({"name": "Globex"})).await, 201).await;
    let res = app.patch_json("/v1/organization", Some(&owner.access_token), &json!({"kind": "standard"})).await;
    assert_problem(res, 409, "kind_change_not_allowed").await;
    let res = app
        .client
        .patch(app.url("/v1/organization"))
        .bearer_auth(&owner.access_token)
        .header("X-Tenant-Id", client["id"].as_str().unwrap())
        .json(&json!({"kind": "agency"}))
        .send()
        .await
        .unwrap();
    assert_problem(res, 409, "kind_change_not_allowed").await;
}

/// Which operations each role may call: the scope matrix seen through HTTP.
#[tokio::test]
async fn the_role_matrix_through_http() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let res = app.patch_json("/v1/organization", Some(&owner.access_token), &json!({"kind": "agency"})).await;
    assert_eq!(res.status(), 200);
    let mut tokens = vec![("owner", owner.access_token.clone())];
    for role in ["admin", "member", "viewer"] {
        tokens.push((role, join(&app, &owner.access_token, role).await.access_token));
    }

    // (operation, allowed for owner, admin, member, viewer)
    type Op = &'static str;
    let table: &[(Op, [bool; 4])] = &[
        ("get_organization", [true, true, true, true]),
        ("update_organization", [true, true, false, false]),
        ("list_members", [true, true, true, true]),
        ("update_member", [true, true, false, false]),
        ("delete_member", [true, true, false, false]),
        ("create_invitation", [true, true, false, false]),
        ("list_invitations", [true, true, true, false]),
        ("list_api_keys", [true, true, false, false]),
        ("create_api_key", [true, true, false, false]),
        ("list_clients", [true, true, true, true]),
        ("create_client", [true, true, false, false]),
    ];
    for (op, allowed) in table {
        for (i, (role, token)) in tokens.iter().enumerate() {
            // A fresh target per call, so that allowed writes have something to act on.
            let res = match *op {
                "get_organization" => app.get("/v1/organization", Some(token)).await,
                "update_organization" => {
                    app.patch_json("/v1/organization", Some(token), &json!({"name": "Acme"})).await
                }
                "list_members" => app.get("/v1/members", Some(token)).await,
                "update_member" | "delete_member" => {
                    let target = join(&app, &owner.access_token, "member").await;
                    let path = format!("/v1/members/{}", target.user_id);
                    if *op == "update_member" {
                        app.patch_json(&path, Some(token), &json!({"role": "viewer"})).await
                    } else {
                        app.delete(&path, Some(token)).await
                    }
                }
                "create_invitation" => invite(&app, token, &unique_email(), "member").await,
                "list_invitations" => app.get("/v1/invitations", Some(token)).await,
                "list_api_keys" => app.get("/v1/api-keys", Some(token)).await,
                "create_api_key" => app.post_json("/v1/api-keys", Some(token), &json!({"name": "k"})).await,
                "list_clients" => app.get("/v1/clients", Some(token)).await,
                "create_client" => app.post_json("/v1/clients", Some(token), &json!({"name": "C"})).await,
                other => unreachable!("{other}"),
            };
            if allowed[i] {
                assert!(res.status().is_success(), "{role} {op}: {} {}", res.status(), res.text().await.unwrap());
            } else {
                let body = assert_problem(res, 403, "forbidden").await;
                assert!(body["required_scope"].as_str().is_some(), "{role} {op}");
            }
        }
    }
}

#[tokio::test]
async fn owners_and_the_last_owner_rule() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let admin = join(&app, &owner.access_token, "admin").await;
    let member = join(&app, &owner.access_token, "member").await;
    let me = format!("/v1/members/{}", owner.user_id);

    // The last owner can neither be demoted nor leave.
    let res = app.patch_json(&me, Some(&owner.access_token), &json!({"role": "admin"})).await;
    assert_problem(res, 409, "last_owner").await;
    assert_problem(app.delete(&me, Some(&owner.access_token)).await, 409, "last_owner").await;
    // An admin cannot touch an owner nor grant `owner`; API keys act as admin.
    let res = app.patch_json(&me, Some(&admin.access_token), &json!({"role": "viewer"})).await;
    assert_problem(res, 403, "owner_required").await;
    assert_problem(app.delete(&me, Some(&admin.access_token)).await, 403, "owner_required").await;
    let path = format!("/v1/members/{}", member.user_id);
    let res = app.patch_json(&path, Some(&admin.access_token), &json!({"role": "owner"})).await;
    assert_problem(res, 403, "owner_required").await;
    let res = invite(&app, &admin.access_token, &unique_email(), "owner").await;
    assert_problem(res, 403, "owner_required").await;
    // But an admin manages non-owners.
    let body = json_of(app.patch_json(&path, Some(&admin.access_token), &json!({"role": "viewer"})).await, 200).await;
    assert_eq!(body["role"], "viewer");
    assert_eq!(body["email"], member.email.as_str());
    // The change applies to the member's next request.
    let res = app.get("/v1/invitations", Some(&member.access_token)).await;
    assert_problem(res, 403, "forbidden").await;

    // An owner makes a second owner; then the first may step down and leave.
    let body = json_of(app.patch_json(&path, Some(&owner.access_token), &json!({"role": "owner"})).await, 200).await;
    assert_eq!(body["role"], "owner");
    let body = json_of(app.patch_json(&me, Some(&owner.access_token), &json!({"role": "admin"})).await, 200).await;
    assert_eq!(body["role"], "admin");
    assert_eq!(actions(&app, "member.role_changed").await.len(), 3);
    // Leaving needs no members:write: a viewer may leave.
    let viewer = join(&app, &member.access_token, "viewer").await;
    let res = app.delete(&format!("/v1/members/{}", viewer.user_id), Some(&viewer.access_token)).await;
    assert_eq!(res.status(), 204);
    // The removed user's session ends at once.
    assert_problem(app.get("/v1/organization", Some(&viewer.access_token)).await, 401, "session_revoked").await;
    // Now `member` is the only owner.
    let res = app.delete(&path, Some(&member.access_token)).await;
    assert_problem(res, 409, "last_owner").await;
    // Removing the old owner (now admin) ends their session too.
    let res = app.delete(&me, Some(&member.access_token)).await;
    assert_eq!(res.status(), 204);
    assert_problem(app.get("/v1/organization", Some(&owner.access_token)).await, 401, "session_revoked").await;
    let res = app.post_json("/v1/auth/refresh", None, &json!({"refresh_token": owner.refresh_token})).await;
    assert_eq!(res.status(), 401);
    assert_eq!(actions(&app, "member.removed").await.len(), 2);
    let members = json_of(app.get("/v1/members?limit=1", Some(&member.access_token)).await, 200).await;
    assert_eq!(members["data"].as_array().unwrap().len(), 1);
    assert_eq!(members["has_more"], true);
    let cursor = members["next_cursor"].as_str().unwrap();
    let rest = json_of(app.get(&format!("/v1/members?cursor={cursor}"), Some(&member.access_token)).await, 200).await;
    assert_eq!(rest["has_more"], false);
    assert_eq!(rest["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn accepting_as_a_new_user() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let email = unique_email();
    let created = json_of(invite(&app, &owner.access_token, &email.to_uppercase(), "member").await, 201).await;
    assert_eq!(created["email"], email.as_str());
    assert_eq!(created["status"], "pending");
    assert_eq!(created["role"], "member");
    assert_eq!(created["invited_by"], owner.user_id.as_str());
    assert!(created["id"].as_str().unwrap().starts_with("inv_"));
    assert!(created.get("token").is_none());
    let token = invitation_token(&app, &email).await;

    // Tokens are stored hashed only.
    let db = app.db().await;
    let row = invitation::Entity::find_by_id(InvitationId::parse(created["id"].as_str().unwrap()).unwrap().uuid())
        .one(&db)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.token_hash, sha256_hex(&token));
    assert!(!format!("{row:?}").contains(&token[4..]));

    // A password is needed (and must meet the policy).
    let res = app.post_json("/v1/invitations/accept", None, &json!({"token": token})).await;
    let body = assert_problem(res, 422, "validation_failed").await;
    assert_eq!(body["errors"][0]["field"], "password");
    let res = app.post_json("/v1/invitations/accept", None, &json!({"token": token, "password": "short"})).await;
    assert_problem(res, 422, "validation_failed").await;

    let res = app
        .post_json(
            "/v1/invitations/accept",
            None,
            &json!({"token": token, "password": "correct horse battery staple", "name": "Grace"}),
        )
        .await;
    let session = json_of(res, 201).await;
    assert_eq!(session["organization"]["id"], owner.org_id.as_str());
    assert_eq!(session["role"], "member");
    assert_eq!(session["user"]["name"], "Grace");
    let me = json_of(app.get("/v1/me", Some(session["access_token"].as_str().unwrap())).await, 200).await;
    assert_eq!(me["organization"]["id"], owner.org_id.as_str());
    let user = user::Entity::find_by_email(&email).one(&db).await.unwrap().unwrap();
    assert!(user.email_verified_at.is_some(), "the invitation verified the address");
    // The new user can log in.
    let res = app
        .post_json("/v1/auth/login", None, &json!({"email": email, "password": "correct horse battery staple"}))
        .await;
    assert_eq!(res.status(), 200);

    // Single use.
    let res = app
        .post_json("/v1/invitations/accept", None, &json!({"token": token, "password": "another good passphrase"}))
        .await;
    assert_problem(res, 400, "invalid_invitation").await;
    let res = app.post_json("/v1/invitations/accept", None, &json!({"token": "inv_nope"})).await;
    assert_problem(res, 400, "invalid_invitation").await;

    let list = json_of(app.get("/v1/invitations", Some(&owner.access_token)).await, 200).await;
    assert_eq!(list["data"][0]["status"], "accepted");
    let members = json_of(app.get("/v1/members", Some(&owner.access_token)).await, 200).await;
    assert_eq!(members["data"].as_array().unwrap().len(), 2);
    assert_eq!(actions(&app, "invitation.created").await.len(), 1);
    assert_eq!(actions(&app, "invitation.accepted").await.len(), 1);
    assert_eq!(actions(&app, "member.joined").await.len(), 1);
    // Accepting an accepted invitation cannot be revoked either.
    let res =
        app.delete(&format!("/v1/invitations/{}", created["id"].as_str().unwrap()), Some(&owner.access_token)).await;
    assert_problem(res, 409, "invitation_not_pending").await;
}

#[tokio::test]
async fn accepting_as_an_existing_user() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let invitee = app.signup().await;
    let stranger = app.signup().await;
    let res = invite(&app, &owner.access_token, &invitee.email, "viewer").await;
    assert_eq!(res.status(), 201);
    let token = invitation_token(&app, &invitee.email).await;
    let body = json!({"token": token});

    let res = app.post_json("/v1/invitations/accept", None, &body).await;
    assert_problem(res, 409, "account_exists").await;
    let res = app.post_json("/v1/invitations/accept", Some(&stranger.access_token), &body).await;
    assert_problem(res, 403, "invitation_email_mismatch").await;
    let (_, key) = app.create_api_key(&invitee.access_token, "k").await;
    let res = app.post_json("/v1/invitations/accept", Some(&key), &body).await;
    assert_problem(res, 403, "user_principal_required").await;
    let res = app.post_json("/v1/invitations/accept", Some("garbage"), &body).await;
    assert_eq!(res.status(), 401);

    let session = json_of(app.post_json("/v1/invitations/accept", Some(&invitee.access_token), &body).await, 200).await;
    assert_eq!(session["organization"]["id"], owner.org_id.as_str());
    assert_eq!(session["role"], "viewer");
    assert_eq!(session["user"]["id"], invitee.user_id.as_str());
    let org = json_of(app.get("/v1/organization", Some(session["access_token"].as_str().unwrap())).await, 200).await;
    assert_eq!(org["id"], owner.org_id.as_str());
    // The invitee's own organisation session still works.
    let org = json_of(app.get("/v1/organization", Some(&invitee.access_token)).await, 200).await;
    assert_eq!(org["id"], invitee.org_id.as_str());
    let res = app.post_json("/v1/invitations/accept", Some(&invitee.access_token), &body).await;
    assert_problem(res, 400, "invalid_invitation").await;
    // Already a member: no new invitation.
    assert_problem(invite(&app, &owner.access_token, &invitee.email, "member").await, 409, "already_member").await;
}

#[tokio::test]
async fn an_invitation_is_accepted_once_under_concurrency() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let email = unique_email();
    assert_eq!(invite(&app, &owner.access_token, &email, "member").await.status(), 201);
    let token = invitation_token(&app, &email).await;
    let body = json!({"token": token, "password": "correct horse battery staple"});
    let (first, second) = tokio::join!(
        app.post_json("/v1/invitations/accept", None, &body),
        app.post_json("/v1/invitations/accept", None, &body)
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort_unstable();
    assert_eq!(statuses[0], 201, "{statuses:?}");
    assert!([400, 409].contains(&statuses[1]), "{statuses:?}");
    let members = json_of(app.get("/v1/members", Some(&owner.access_token)).await, 200).await;
    assert_eq!(members["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn revoked_and_expired_invitations_are_refused() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let (revoked_email, expired_email) = (unique_email(), unique_email());
    let revoked = json_of(invite(&app, &owner.access_token, &revoked_email, "member").await, 201).await;
    let expired = json_of(invite(&app, &owner.access_token, &expired_email, "member").await, 201).await;
    let (revoked_token, expired_token) =
        (invitation_token(&app, &revoked_email).await, invitation_token(&app, &expired_email).await);

    let path = format!("/v1/invitations/{}", revoked["id"].as_str().unwrap());
    assert_eq!(app.delete(&path, Some(&owner.access_token)).await.status(), 204);
    assert_problem(app.delete(&path, Some(&owner.access_token)).await, 409, "invitation_not_pending").await;
    assert_eq!(actions(&app, "invitation.revoked").await.len(), 1);

    let id = InvitationId::parse(expired["id"].as_str().unwrap()).unwrap().uuid();
    invitation::Entity::update_many()
        .col_expr(invitation::Column::ExpiresAt, Expr::value(Utc::now() - Duration::minutes(1)))
        .filter(invitation::Column::Id.eq(id))
        .exec(&app.db().await)
        .await
        .unwrap();

    for token in [revoked_token, expired_token] {
        let res = app
            .post_json(
                "/v1/invitations/accept",
                None,
                &json!({"token": token, "password": "correct horse battery staple"}),
            )
            .await;
        assert_problem(res, 400, "invalid_invitation").await;
    }
    let list = json_of(app.get("/v1/invitations", Some(&owner.access_token)).await, 200).await;
    let statuses: Vec<_> = list["data"].as_array().unwrap().iter().map(|i| i["status"].clone()).collect();
    assert_eq!(statuses, vec![json!("revoked"), json!("expired")]);
    // Neither takes a seat nor blocks a new invitation.
    let org = json_of(app.get("/v1/organization", Some(&owner.access_token)).await, 200).await;
    assert_eq!(org["seats_used"], 1);
    assert_eq!(invite(&app, &owner.access_token, &expired_email, "member").await.status(), 201);
}

#[tokio::test]
async fn invitation_conflicts_and_the_seat_limit() {
    let app = spawn_app_with(|s| s.default_seat_limit = 3).await;
    let owner = app.signup().await;
    let pending = unique_email();
    assert_eq!(invite(&app, &owner.access_token, &pending, "member").await.status(), 201);
    assert_problem(invite(&app, &owner.access_token, &pending, "admin").await, 409, "invitation_pending").await;
    assert_problem(invite(&app, &owner.access_token, &owner.email, "member").await, 409, "already_member").await;
    join(&app, &owner.access_token, "member").await; // seat 3 of 3
    let org = json_of(app.get("/v1/organization", Some(&owner.access_token)).await, 200).await;
    assert_eq!((org["seats_used"].clone(), org["seat_limit"].clone()), (json!(3), json!(3)));
    assert_problem(invite(&app, &owner.access_token, &unique_email(), "member").await, 409, "seat_limit_reached").await;
    let res =
        app.post_json("/v1/invitations", Some(&owner.access_token), &json!({"email": "nope", "role": "member"})).await;
    assert_problem(res, 422, "validation_failed").await;
    let res =
        app.post_json("/v1/invitations", Some(&owner.access_token), &json!({"email": "a@b.co", "role": "god"})).await;
    assert_problem(res, 422, "validation_failed").await;
}

#[tokio::test]
async fn members_and_invitations_of_other_tenants_are_not_found() {
    let app = spawn_app().await;
    let a = app.signup().await;
    let b = app.signup().await;
    let invitation = json_of(invite(&app, &b.access_token, &unique_email(), "member").await, 201).await;
    let b_member = format!("/v1/members/{}", b.user_id);
    assert_problem(
        app.patch_json(&b_member, Some(&a.access_token), &json!({"role": "viewer"})).await,
        404,
        "not_found",
    )
    .await;
    assert_problem(app.delete(&b_member, Some(&a.access_token)).await, 404, "not_found").await;
    let path = format!("/v1/invitations/{}", invitation["id"].as_str().unwrap());
    assert_problem(app.delete(&path, Some(&a.access_token)).await, 404, "not_found").await;
    let list = json_of(app.get("/v1/invitations", Some(&a.access_token)).await, 200).await;
    assert_eq!(list["data"], json!([]));
    let members = json_of(app.get("/v1/members", Some(&a.access_token)).await, 200).await;
    assert_eq!(members["data"].as_array().unwrap().len(), 1);
    assert_eq!(members["data"][0]["user_id"], a.user_id.as_str());
    assert_problem(app.delete("/v1/members/org_nope", Some(&a.access_token)).await, 400, "invalid_id").await;
}

#[tokio::test]
async fn switching_organizations() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let other: Account = app.signup().await;
    assert_eq!(invite(&app, &owner.access_token, &other.email, "admin").await.status(), 201);
    let token = invitation_token(&app, &other.email).await;
    let res = app.post_json("/v1/invitations/accept", Some(&other.access_token), &json!({"token": token})).await;
    assert_eq!(res.status(), 200);

    let mine = json_of(app.get("/v1/me/organizations", Some(&other.access_token)).await, 200).await;
    let mine = mine.as_array().unwrap();
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0]["organization"]["id"], other.org_id.as_str());
    assert_eq!(mine[0]["role"], "owner");
    assert_eq!(mine[1]["organization"]["id"], owner.org_id.as_str());
    assert_eq!(mine[1]["organization"]["kind"], "standard");
    assert_eq!(mine[1]["role"], "admin");

    let session = json_of(
        app.post_json("/v1/auth/switch", Some(&other.access_token), &json!({"organization_id": owner.org_id})).await,
        200,
    )
    .await;
    assert_eq!(session["organization"]["id"], owner.org_id.as_str());
    assert_eq!(session["role"], "admin");
    let switched = session["access_token"].as_str().unwrap();
    let org = json_of(app.get("/v1/organization", Some(switched)).await, 200).await;
    assert_eq!(org["id"], owner.org_id.as_str());
    let refreshed = app
        .post_json("/v1/auth/refresh", None, &json!({"refresh_token": session["refresh_token"].as_str().unwrap()}))
        .await;
    assert_eq!(json_of(refreshed, 200).await["organization"]["id"], owner.org_id.as_str());
    assert_eq!(actions(&app, "auth.organization.switched").await.len(), 1);

    // Not a member → 404; an API key → 403.
    let stranger = app.signup().await;
    let res =
        app.post_json("/v1/auth/switch", Some(&stranger.access_token), &json!({"organization_id": owner.org_id})).await;
    assert_problem(res, 404, "not_found").await;
    let (_, key) = app.create_api_key(&owner.access_token, "k").await;
    assert_problem(app.get("/v1/me/organizations", Some(&key)).await, 403, "user_principal_required").await;
    let res = app.post_json("/v1/auth/switch", Some(&key), &json!({"organization_id": owner.org_id})).await;
    assert_problem(res, 403, "user_principal_required").await;
    let res = app.post_json("/v1/auth/switch", Some(&owner.access_token), &json!({"organization_id": "usr_x"})).await;
    assert_problem(res, 422, "validation_failed").await;
}
