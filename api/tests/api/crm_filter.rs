//! Issue 5: the contact list (`GET /v1/contacts`) through HTTP, on SQLite and Postgres: the
//! filter language (a table of cases over a seeded organisation: every operator, tags
//! any/all/none, consent, custom fields of each type, time ranges, and/or/not nesting),
//! injection attempts, bad filters (400 naming the position), `q` prefix search, sorting in
//! both directions across pages, pagination under concurrent inserts, cursors and isolation.

use std::collections::{BTreeSet, HashMap};

use serde_json::{Value, json};

use crate::helpers::{TestApp, assert_problem, spawn_app};

pub async fn json_of(res: reqwest::Response, status: u16) -> Value {
    let got = res.status().as_u16();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    assert_eq!(got, status, "body: {body}");
    body
}

/// A seeded organisation: contact labels by id, and ids by label.
pub struct Seed {
    pub labels: HashMap<String, &'static str>,
    pub ids: HashMap<&'static str, String>,
    pub tags: HashMap<&'static str, String>,
    /// Between the creation of the first seven contacts and `barbara`.
    pub between: String,
}

/// Seeds fields, tags and eight contacts through the API.
pub async fn seed(app: &TestApp, token: &str) -> Seed {
    for body in [
        json!({"object": "contact", "key": "plan", "label": "Plan", "type": "select", "options": ["free", "pro", "enterprise"]}),
        json!({"object": "contact", "key": "score", "label": "Score", "type": "number"}),
        json!({"object": "contact", "key": "vip", "label": "VIP", "type": "boolean"}),
        json!({"object": "contact", "key": "born", "label": "Born", "type": "date"}),
        json!({"object": "contact", "key": "note", "label": "Note", "type": "text"}),
    ] {
        json_of(app.post_json("/v1/custom-fields", Some(token), &body).await, 201).await;
    }
    let mut tags = HashMap::new();
    for name in ["vip", "lead", "churned"] {
        let body = json_of(app.post_json("/v1/tags", Some(token), &json!({"name": name})).await, 201).await;
        tags.insert(name, body["id"].as_str().unwrap().to_owned());
    }
    let people: Vec<(&'static str, Value)> = vec![
        (
            "ada",
            json!({"first_name": "Ada", "last_name": "Lovelace", "email": "ada@example.com", "phone": "+1 415 555 2671",
            "tags": ["vip", "lead"], "consent": {"sms": {"status": "opted_in"}},
            "custom_fields": {"plan": "pro", "score": 90, "vip": true, "born": "1815-12-10", "note": "first programmer"}}),
        ),
        (
            "alan",
            json!({"first_name": "Alan", "last_name": "Turing", "email": "alan@example.com", "phone": "+44 20 7946 0958",
            "tags": ["lead"], "consent": {"email": {"status": "opted_in"}},
            "custom_fields": {"plan": "free", "score": 70, "vip": false}}),
        ),
        (
            "grace",
            json!({"first_name": "Grace", "last_name": "Hopper", "email": "grace@example.com", "tags": ["vip"],
            "consent": {"sms": {"status": "opted_out"}}, "custom_fields": {"plan": "enterprise", "score": 85.5, "born": "1906-12-09"}}),
        ),
        (
            "linus",
            json!({"first_name": "Linus", "last_name": "Torvalds", "email": "linus@example.org",
            "timezone": "Europe/Helsinki", "locale": "fi"}),
        ),
        (
            "margaret",
            json!({"first_name": "Margaret", "last_name": "Hamilton", "email": "MARGARET@Example.com",
            "tags": ["churned"], "custom_fields": {"score": 60}}),
        ),
        ("nameless", json!({"phone": "+33 1 42 68 53 00"})),
        ("byron", json!({"first_name": "Ada", "email": "ada.byron@example.net", "tags": ["vip", "lead", "churned"]})),
    ];
    let body = json!({"contacts": people.iter().map(|(_, c)| c.clone()).collect::<Vec<_>>()});
    let out = json_of(app.post_json("/v1/contacts/bulk", Some(token), &body).await, 200).await;
    let mut labels = HashMap::new();
    let mut ids = HashMap::new();
    for (i, result) in out["results"].as_array().unwrap().iter().enumerate() {
        assert_eq!(result["status"], "created", "{result}");
        let id = result["id"].as_str().unwrap().to_owned();
        labels.insert(id.clone(), people[i].0);
        ids.insert(people[i].0, id);
    }
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let between = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    let barbara = json!({"first_name": "Barbara", "last_name": "Liskov", "email": "barbara@example.com",
        "consent": {"email": {"status": "opted_out"}}, "custom_fields": {"note": "O'Brien % _ test"}});
    let body = json_of(app.post_json("/v1/contacts", Some(token), &barbara).await, 201).await;
    let id = body["id"].as_str().unwrap().to_owned();
    labels.insert(id.clone(), "barbara");
    ids.insert("barbara", id);
    Seed { labels, ids, tags, between }
}

/// Percent-encodes a query parameter value.
pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Every contact matching `query` (following cursors), as labels in order.
async fn all_pages(app: &TestApp, token: &str, seed: &Seed, query: &str) -> Vec<&'static str> {
    let mut out = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..50 {
        let mut path = format!("/v1/contacts?limit=3&{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={}", enc(c)));
        }
        let page = json_of(app.get(&path, Some(token)).await, 200).await;
        for c in page["data"].as_array().unwrap() {
            out.push(*seed.labels.get(c["id"].as_str().unwrap()).unwrap_or(&"other"));
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => {
                assert_eq!(page["has_more"], false);
                return out;
            }
        }
    }
    panic!("too many pages");
}

async fn matching(app: &TestApp, token: &str, seed: &Seed, filter: &str) -> BTreeSet<&'static str> {
    let page =
        json_of(app.get(&format!("/v1/contacts?limit=100&filter={}", enc(filter)), Some(token)).await, 200).await;
    page["data"].as_array().unwrap().iter().map(|c| *seed.labels.get(c["id"].as_str().unwrap()).unwrap()).collect()
}

const EVERYONE: [&str; 8] = ["ada", "alan", "grace", "linus", "margaret", "nameless", "byron", "barbara"];

fn all_but(excluded: &[&str]) -> Vec<&'static str> {
    EVERYONE.iter().copied().filter(|l| !excluded.contains(l)).collect()
}

#[tokio::test]
async fn filter_cases_match_the_expected_contacts() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = account.access_token.as_str();
    let seed = seed(&app, token).await;
    let linus = seed.ids["linus"].clone();
    let alan = seed.ids["alan"].clone();
    let vip_tag = seed.tags["vip"].clone();
    let cases: Vec<(String, Vec<&str>)> = vec![
        ("email[eq]:ADA@example.com".into(), vec!["ada"]),
        ("email[eq]:margaret@example.com".into(), vec!["margaret"]),
        ("email[neq]:ada@example.com".into(), all_but(&["ada"])),
        ("email[gt]:b".into(), vec!["grace", "linus", "margaret", "barbara"]),
        ("email[startswith]:ada".into(), vec!["ada", "byron"]),
        ("email[eq]:null".into(), vec!["nameless"]),
        ("first_name[eq]:ada".into(), vec!["ada", "byron"]),
        ("first_name[startswith]:A".into(), vec!["ada", "alan", "byron"]),
        ("last_name[exists]:false".into(), vec!["nameless", "byron"]),
        ("last_name[in]:[turing,HOPPER]".into(), vec!["alan", "grace"]),
        ("last_name[nin]:[turing,hopper]".into(), all_but(&["alan", "grace"])),
        ("last_name[gte]:t".into(), vec!["linus", "alan"]),
        ("last_name[lt]:i".into(), vec!["grace", "margaret"]),
        ("phone[eq]:\"+1 (415) 555-2671\"".into(), vec!["ada"]),
        ("phone[startswith]:+44".into(), vec!["alan"]),
        ("phone[startswith]:\"(44) 20\"".into(), vec!["alan"]),
        ("phone[exists]:true".into(), vec!["ada", "alan", "nameless"]),
        ("timezone[eq]:Europe/Helsinki".into(), vec!["linus"]),
        ("locale[in]:[fi,sv]".into(), vec!["linus"]),
        (format!("id[eq]:{linus}"), vec!["linus"]),
        (format!("id[in]:[{linus},{alan}]"), vec!["linus", "alan"]),
        (format!("id[nin]:[{linus}]"), all_but(&["linus"])),
        ("company_id[exists]:false".into(), EVERYONE.to_vec()),
        ("tags[any]:[vip,churned]".into(), vec!["ada", "grace", "margaret", "byron"]),
        (format!("tags[any]:{vip_tag}"), vec!["ada", "grace", "byron"]),
        ("tags[all]:[VIP,lead]".into(), vec!["ada", "byron"]),
        ("tags[none]:vip".into(), vec!["alan", "linus", "margaret", "nameless", "barbara"]),
        ("tags[exists]:false".into(), vec!["linus", "nameless", "barbara"]),
        ("tags[any]:nosuchtag".into(), vec![]),
        ("tags[all]:[vip,nosuchtag]".into(), vec![]),
        ("tags[none]:nosuchtag".into(), EVERYONE.to_vec()),
        ("consent.sms[eq]:opted_in".into(), vec!["ada"]),
        ("consent.sms[neq]:unknown".into(), vec!["ada", "grace"]),
        ("consent.email[in]:[opted_in,opted_out]".into(), vec!["alan", "barbara"]),
        ("custom.plan[eq]:pro".into(), vec!["ada"]),
        ("custom.plan[in]:[free,enterprise]".into(), vec!["alan", "grace"]),
        ("custom.plan[neq]:pro".into(), all_but(&["ada"])),
        ("custom.plan[exists]:true".into(), vec!["ada", "alan", "grace"]),
        ("custom.score[gt]:80".into(), vec!["ada", "grace"]),
        ("custom.score[lte]:70".into(), vec!["alan", "margaret"]),
        ("custom.score[eq]:85.5".into(), vec!["grace"]),
        ("custom.score[eq]:90".into(), vec!["ada"]),
        ("custom.score[in]:[60,70]".into(), vec!["alan", "margaret"]),
        ("custom.vip[eq]:true".into(), vec!["ada"]),
        ("custom.vip[eq]:false".into(), vec!["alan"]),
        ("custom.vip[exists]:false".into(), all_but(&["ada", "alan"])),
        ("custom.born[lt]:1900-01-01".into(), vec!["ada"]),
        ("custom.born[gte]:1900-01-01".into(), vec!["grace"]),
        ("custom.born[eq]:1906-12-09".into(), vec!["grace"]),
        ("custom.note[startswith]:\"O'Brien %\"".into(), vec!["barbara"]),
        ("custom.note[startswith]:\"O'Brien _ \"".into(), vec![]),
        ("custom.note[eq]:\"first programmer\"".into(), vec!["ada"]),
        (
            "or(first_name[eq]:grace,and(tags[any]:lead,not(custom.vip[eq]:true)))".into(),
            vec!["grace", "alan", "byron"],
        ),
        ("not(email[exists]:true)".into(), vec!["nameless"]),
        ("tags[any]:vip,custom.score[gt]:86".into(), vec!["ada"]),
        ("and(or(tags[any]:vip,tags[any]:churned),not(first_name[eq]:ada))".into(), vec!["grace", "margaret"]),
        ("created_at[gte]:2000-01-01".into(), EVERYONE.to_vec()),
        ("created_at[lt]:2000-01-01T00:00:00Z".into(), vec![]),
        (format!("created_at[gte]:{}", seed.between), vec!["barbara"]),
        (format!("created_at[lt]:{}", seed.between), all_but(&["barbara"])),
        (format!("created_at[eq]:{}", &seed.between[..10]), EVERYONE.to_vec()),
        (format!("created_at[gt]:{}", &seed.between[..10]), vec![]),
        (format!("updated_at[lte]:{}", &seed.between[..10]), EVERYONE.to_vec()),
        ("*".into(), EVERYONE.to_vec()),
    ];
    assert!(cases.len() >= 25);
    for (filter, expected) in cases {
        let got = matching(&app, token, &seed, &filter).await;
        let expected: BTreeSet<&str> = expected.into_iter().collect();
        assert_eq!(got, expected, "filter {filter}");
    }
}

#[tokio::test]
async fn injection_attempts_match_nothing_or_are_refused() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = account.access_token.as_str();
    let seed = seed(&app, token).await;
    for filter in [
        "email[eq]:\"x' OR 1=1 --\"",
        "email[eq]:\"x\\\" OR \\\"1\\\"=\\\"1\"",
        "first_name[eq]:\"'; DROP TABLE contacts; --\"",
        "custom.note[eq]:\"'); DELETE FROM contacts; --\"",
        "custom.plan[in]:[\"pro' OR '1'='1\"]",
        "tags[any]:[\"vip' OR '1'='1\"]",
        "last_name[startswith]:\"%\"",
        "phone[eq]:\"+1' OR 1=1\"",
    ] {
        assert!(matching(&app, token, &seed, filter).await.is_empty(), "{filter}");
    }
    for (filter, mentions) in [
        ("custom.a'b[eq]:1", "unknown field 'custom.a'b'"),
        ("custom.x[eq]:1);DROP TABLE contacts;--", "position 15"),
        ("email[eq]:x' OR 1=1 --", "position 14"),
        ("email[eq]:\"a\" OR \"1\"=\"1\"", "position 15"),
        ("custom.plan\"[eq]:1", "unknown field"),
        ("custom.score[gt]:\"1 OR 1=1\"", "expected a number"),
    ] {
        let res = app.get(&format!("/v1/contacts?filter={}", enc(filter)), Some(token)).await;
        let body = assert_problem(res, 400, "invalid_filter").await;
        assert!(body["detail"].as_str().unwrap().contains(mentions), "{filter}: {body}");
    }
    // Nothing was dropped or deleted.
    assert_eq!(all_pages(&app, token, &seed, "").await.len(), 8);
}

#[tokio::test]
async fn bad_filters_are_400_naming_the_position() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = account.access_token.as_str();
    seed(&app, token).await;
    let cases = [
        ("email[eq:x", "position 9: expected ']' after the operator"),
        ("email[eq]x", "position 10: expected ':'"),
        ("email[bogus]:x", "position 7: unknown operator 'bogus'"),
        ("nope[eq]:1", "position 1: unknown field 'nope'"),
        ("email[eq]:a,custom.undefined[eq]:1", "position 13: unknown field 'custom.undefined'"),
        ("custom.score[gt]:abc", "position 18: expected a number"),
        ("custom.vip[eq]:yes", "position 16: expected true or false"),
        ("custom.born[gt]:31/12/2020", "position 17: expected a date"),
        ("created_at[gte]:yesterday", "position 17: expected a date"),
        ("tags[gt]:vip", "position 6: operator 'gt' does not apply to 'tags'"),
        ("custom.vip[startswith]:t", "position 12: operator 'startswith' does not apply"),
        ("consent.sms[eq]:maybe", "position 17: expected unknown, opted_in or opted_out"),
        ("id[eq]:con_123", "position 8: expected a contact id"),
        ("phone[exists]:maybe", "position 15: exists takes true or false"),
        ("or(email[eq]:x", "position 15: expected ',' or ')'"),
        ("email[gt]:[a,b]", "position 11: gt takes a single value"),
        ("email[in]:[a,null]", "position 14: null is not allowed in a list"),
        ("segment[eq]:seg_x", "position 13: expected a segment id"),
    ];
    for (filter, expected) in cases {
        let res = app.get(&format!("/v1/contacts?filter={}", enc(filter)), Some(token)).await;
        let body = assert_problem(res, 400, "invalid_filter").await;
        assert!(body["detail"].as_str().unwrap().contains(expected), "{filter}: {body}");
    }
    let deep = format!("{}email[eq]:x{}", "not(".repeat(17), ")".repeat(17));
    let body = assert_problem(
        app.get(&format!("/v1/contacts?filter={}", enc(&deep)), Some(token)).await,
        400,
        "invalid_filter",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("deeper than 16"), "{body}");
    let long = format!("email[eq]:\"{}\"", "a".repeat(4000));
    let body = assert_problem(
        app.get(&format!("/v1/contacts?filter={}", enc(&long)), Some(token)).await,
        400,
        "invalid_filter",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("position 4001"), "{body}");
    let many = vec!["email[eq]:x"; 51].join(",");
    let body = assert_problem(
        app.get(&format!("/v1/contacts?filter={}", enc(&many)), Some(token)).await,
        400,
        "invalid_filter",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().contains("more than 50 conditions"), "{body}");
}

#[tokio::test]
async fn q_searches_name_email_and_phone_prefixes() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = account.access_token.as_str();
    let seed = seed(&app, token).await;
    for (q, expected) in [
        ("ada", vec!["ada", "byron"]),
        ("ADA", vec!["ada", "byron"]),
        ("lov", vec!["ada"]),
        ("ada lov", vec!["ada"]),
        ("grace@", vec!["grace"]),
        ("1415", vec!["ada"]),
        ("+33142", vec!["nameless"]),
        ("ing", vec![]),
        ("100%", vec![]),
        ("_", vec![]),
    ] {
        let got: BTreeSet<&str> = all_pages(&app, token, &seed, &format!("q={}", enc(q))).await.into_iter().collect();
        let expected: BTreeSet<&str> = expected.into_iter().collect();
        assert_eq!(got, expected, "q={q}");
    }
    // q and filter combine.
    let got = all_pages(&app, token, &seed, &format!("q=ada&filter={}", enc("tags[any]:churned"))).await;
    assert_eq!(got, vec!["byron"]);
}

#[tokio::test]
async fn sorting_is_stable_across_pages_in_both_directions() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = account.access_token.as_str();
    let seed = seed(&app, token).await;
    let by_last = all_pages(&app, token, &seed, "sort=last_name").await;
    assert_eq!(&by_last[..6], &["margaret", "grace", "barbara", "ada", "linus", "alan"]);
    // Contacts without a last name come last, in creation order.
    assert_eq!(&by_last[6..], &["nameless", "byron"]);
    let by_last_desc = all_pages(&app, token, &seed, "sort=-last_name").await;
    assert_eq!(by_last_desc, by_last.iter().rev().copied().collect::<Vec<_>>());

    let by_first = all_pages(&app, token, &seed, "sort=first_name").await;
    assert_eq!(by_first, vec!["ada", "byron", "alan", "barbara", "grace", "linus", "margaret", "nameless"]);
    let by_email = all_pages(&app, token, &seed, "sort=email").await;
    assert_eq!(by_email, vec!["byron", "ada", "alan", "barbara", "grace", "linus", "margaret", "nameless"]);

    let by_created = all_pages(&app, token, &seed, "sort=created_at").await;
    assert_eq!(by_created.len(), 8);
    assert_eq!(by_created.last(), Some(&"barbara"));
    let by_created_desc = all_pages(&app, token, &seed, "sort=-created_at").await;
    assert_eq!(by_created_desc, by_created.iter().rev().copied().collect::<Vec<_>>());
    let by_updated = all_pages(&app, token, &seed, "sort=updated_at").await;
    let by_updated_desc = all_pages(&app, token, &seed, "sort=-updated_at").await;
    assert_eq!(by_updated_desc, by_updated.iter().rev().copied().collect::<Vec<_>>());
    let by_id = all_pages(&app, token, &seed, "").await;
    assert_eq!(by_id, EVERYONE.to_vec());
    // Sort and filter combine.
    let vips = all_pages(&app, token, &seed, &format!("sort=-last_name&filter={}", enc("tags[any]:vip"))).await;
    assert_eq!(vips, vec!["byron", "ada", "grace"]);
}

#[tokio::test]
async fn pagination_survives_concurrent_inserts() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = account.access_token.as_str();
    let seed = seed(&app, token).await;
    for (round, sort) in
        ["", "sort=last_name", "sort=-created_at", "sort=email", "sort=-updated_at"].into_iter().enumerate()
    {
        let mut seen: Vec<String> = Vec::new();
        let mut cursor: Option<String> = None;
        let mut finished = false;
        for page_no in 0..60 {
            let mut path = format!("/v1/contacts?limit=3&{sort}");
            if let Some(c) = &cursor {
                path.push_str(&format!("&cursor={}", enc(c)));
            }
            let page = json_of(app.get(&path, Some(token)).await, 200).await;
            seen.extend(page["data"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()));
            // Insert new contacts between the first page fetches, with names sorting anywhere.
            for name in ["Aaron", "Mia", "Zed"].into_iter().filter(|_| page_no < 3) {
                let body = json!({"first_name": name, "last_name": format!("{name}{round}{page_no}"),
                    "email": format!("{}{round}{page_no}@new.example", name.to_lowercase())});
                json_of(app.post_json("/v1/contacts", Some(token), &body).await, 201).await;
            }
            match page["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => {
                    finished = true;
                    break;
                }
            }
        }
        assert!(finished, "{sort}: the listing ends");
        let unique: BTreeSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), seen.len(), "{sort}: no contact is listed twice");
        for id in seed.ids.values() {
            assert!(seen.contains(id), "{sort}: pre-existing contact {id} was skipped");
        }
    }
}

#[tokio::test]
async fn bad_list_parameters_are_refused() {
    let app = spawn_app().await;
    let account = app.signup().await;
    let token = account.access_token.as_str();
    let seed = seed(&app, token).await;
    assert_problem(app.get("/v1/contacts?limit=0", Some(token)).await, 422, "validation_failed").await;
    assert_problem(app.get("/v1/contacts?limit=101", Some(token)).await, 422, "validation_failed").await;
    assert_problem(app.get("/v1/contacts?sort=phone", Some(token)).await, 400, "invalid_query").await;
    assert_problem(app.get("/v1/contacts?cursor=garbage!", Some(token)).await, 400, "invalid_cursor").await;
    let page = json_of(app.get("/v1/contacts?limit=2&sort=last_name", Some(token)).await, 200).await;
    let cursor = page["next_cursor"].as_str().unwrap();
    let res = app.get(&format!("/v1/contacts?limit=2&sort=email&cursor={}", enc(cursor)), Some(token)).await;
    assert_problem(res, 400, "invalid_cursor").await;
    let res = app.get(&format!("/v1/contacts?limit=2&cursor={}", enc(cursor)), Some(token)).await;
    assert_problem(res, 400, "invalid_cursor").await;
    let q = "a".repeat(201);
    assert_problem(app.get(&format!("/v1/contacts?q={q}"), Some(token)).await, 422, "validation_failed").await;
    assert_problem(app.get("/v1/contacts", None).await, 401, "missing_credentials").await;
    // Default page and shape.
    let page = json_of(app.get("/v1/contacts", Some(token)).await, 200).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 8);
    assert_eq!(page["has_more"], false);
    assert!(page["next_cursor"].is_null());
    let ada = &page["data"][0];
    assert_eq!(ada["id"], seed.ids["ada"].as_str());
    assert_eq!(ada["tags"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn another_organisation_never_sees_or_matches_these_contacts() {
    let app = spawn_app().await;
    let owner = app.signup().await;
    let seed = seed(&app, &owner.access_token).await;
    let other = app.signup().await;
    let token = other.access_token.as_str();
    let page = json_of(app.get("/v1/contacts", Some(token)).await, 200).await;
    assert!(page["data"].as_array().unwrap().is_empty());
    // The other organisation's ids and tag ids match nothing here; its custom fields are unknown.
    for filter in [
        format!("id[eq]:{}", seed.ids["ada"]),
        format!("tags[any]:{}", seed.tags["vip"]),
        "email[eq]:ada@example.com".into(),
    ] {
        let page = json_of(app.get(&format!("/v1/contacts?filter={}", enc(&filter)), Some(token)).await, 200).await;
        assert!(page["data"].as_array().unwrap().is_empty(), "{filter}");
    }
    let res = app.get(&format!("/v1/contacts?filter={}", enc("custom.plan[eq]:pro")), Some(token)).await;
    assert_problem(res, 400, "invalid_filter").await;
}
