//! The `campaign-os` binary: configuration errors, migrate, openapi, start-up log, SIGTERM.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::{Duration, Instant},
};

const BIN: &str = env!("CARGO_BIN_EXE_campaign-os");

fn command(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(BIN);
    cmd.current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("COS_DATABASE_URL", format!("sqlite://{}", dir.join("cli.db").display()))
        .env("COS_DATA_DIR", dir);
    cmd
}

#[test]
fn bad_configuration_stops_start_up_naming_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path()).env("COS_BIND", "not-an-address").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("`bind`") && stderr.contains("COS_BIND"), "{stderr}");

    let out = command(dir.path()).env("COS_DATABASE_MAX_CONNECTIONS", "many").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("database_max_connections"), "{stderr}");

    let out = command(dir.path()).env("COS_CORS_ALLOWED_ORIGINS", "app.example.com").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("cors_allowed_origins"));

    let out = command(dir.path()).env("COS_CONFIG", dir.path().join("missing.toml")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("COS_CONFIG"));

    for (toml, key) in [("log_format = \"xml\"\n", "log_format"), ("bnid = \"127.0.0.1:1\"\n", "bnid")] {
        std::fs::write(dir.path().join("campaign-os.toml"), toml).unwrap();
        let out = command(dir.path()).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains(key), "{}", String::from_utf8_lossy(&out.stderr));
    }
}

#[test]
fn cos_variables_win_over_database_url() {
    let dir = tempfile::tempdir().unwrap();
    let out = command(dir.path())
        .env("DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .args(["migrate", "status"])
        .output()
        .unwrap();
    assert!(out.status.success(), "COS_DATABASE_URL (SQLite) must win: {}", String::from_utf8_lossy(&out.stderr));
}

#[test]
fn migrate_up_status_down() {
    let dir = tempfile::tempdir().unwrap();
    let status = |dir: &std::path::Path| {
        let out = command(dir).args(["migrate", "status"]).output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(status(dir.path()).contains("pending"));
    assert!(command(dir.path()).args(["migrate", "up"]).status().unwrap().success());
    let applied = status(dir.path());
    assert!(applied.contains("applied") && applied.contains("m20261122_000001_platform_core"), "{applied}");
    assert!(command(dir.path()).args(["migrate", "down"]).status().unwrap().success());
    assert!(status(dir.path()).contains("pending"));
}

#[test]
fn openapi_prints_and_writes_the_committed_document() {
    let dir = tempfile::tempdir().unwrap();
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi/openapi.json")).unwrap();
    let out = command(dir.path()).arg("openapi").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed);
    let file = dir.path().join("spec.json");
    assert!(command(dir.path()).args(["openapi", "--out"]).arg(&file).status().unwrap().success());
    assert_eq!(std::fs::read_to_string(file).unwrap(), committed);
}

#[test]
fn help_is_available_everywhere() {
    for args in [
        &["--help"][..],
        &["serve", "--help"],
        &["migrate", "--help"],
        &["migrate", "down", "--help"],
        &["openapi", "--help"],
    ] {
        let out = Command::new(BIN).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage:"), "{args:?}");
    }
}

#[test]
fn serve_logs_the_docs_url_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = command(dir.path())
        .args(["serve", "--bind", &format!("127.0.0.1:{port}")])
        .env("COS_LOG_FORMAT", "json")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let started = Instant::now();
    let mut seen = Vec::new();
    let listening = loop {
        let Some(line) = lines.next() else { panic!("server exited before listening: {seen:?}") };
        let line = line.unwrap();
        if line.contains("Campaign OS listening") {
            break line;
        }
        seen.push(line);
        assert!(started.elapsed() < Duration::from_secs(30), "no start-up line");
    };
    let log: serde_json::Value = serde_json::from_str(&listening).expect("JSON logs");
    assert!(log["fields"]["message"].as_str().unwrap().contains(&format!("http://127.0.0.1:{port}/api-docs/")));
    assert!(dir.path().join("cli.db").exists(), "the SQLite file is created");
    // Like an orchestrator: signal only once the server answers.
    let ready = Instant::now();
    while !healthz(port) {
        assert!(ready.elapsed() < Duration::from_secs(10), "/healthz never answered");
        std::thread::sleep(Duration::from_millis(20));
    }
    // Every line written while serving a request carries its request id.
    let line = loop {
        let line = lines.next().expect("log ended").unwrap();
        if line.contains("request finished") {
            break line;
        }
    };
    let log: serde_json::Value = serde_json::from_str(&line).unwrap();
    assert_eq!(log["span"]["request_id"], "cli-probe-1", "{line}");
    assert_eq!(log["fields"]["status"], 200);
    #[cfg(unix)]
    {
        let pid = child.id().to_string();
        assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = child.try_wait().unwrap() {
                assert!(status.success(), "exit status after SIGTERM: {status}");
                break;
            }
            assert!(Instant::now() < deadline, "did not stop within 10 s of SIGTERM");
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn healthz(port: u16) -> bool {
    use std::io::{Read, Write};
    let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) else { return false };
    let _ = stream.write_all(
        b"GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: cli-probe-1\r\nConnection: close\r\n\r\n",
    );
    let mut response = String::new();
    let _ = stream.read_to_string(&mut response);
    response.starts_with("HTTP/1.1 200")
}

#[test]
fn admin_create_operator_reads_the_password_from_stdin() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(BIN).args(["admin", "create-operator", "--help"]).output().unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("--password-stdin"));
    let run = |password: &str| {
        let mut child = command(dir.path())
            .args(["admin", "create-operator", "--email", "Ops@Example.com", "--password-stdin"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(password.as_bytes()).unwrap();
        child.wait_with_output().unwrap()
    };
    let weak = run("password123\n");
    assert!(!weak.status.success());
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));
    // A fresh database is migrated first (migrate_on_start), as `serve` does.
    let out = run("a long operator passphrase\n");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("operator created: usr_") && stdout.contains("ops@example.com"), "{stdout}");
    assert!(!stdout.contains("passphrase"), "the password is never echoed");
    let again = run("a long operator passphrase\r\n");
    assert!(again.status.success());
    assert!(String::from_utf8_lossy(&again.stdout).contains("existing user is now an operator"));
}
