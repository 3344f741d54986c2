//! Email through SMTP (`smtp_url` set): a minimal SMTP server in the test receives what `lettre`
//! sends, and the sandbox mailbox stays empty.

use std::time::Duration;

use entities::sandbox_email;
use sea_orm::EntityTrait;
use secrecy::SecretString;
use serde_json::json;
use tokio::{
    io::{AsyncBufReadExt, AsyncWriteExt, BufReader},
    net::TcpListener,
    sync::mpsc,
};

use crate::helpers::spawn_app_with;

/// Accepts SMTP sessions and forwards each message's DATA to the channel.
async fn fake_smtp_server() -> (u16, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 localhost ESMTP test\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(buf) = data.as_mut() {
                        if line == "." {
                            tx.send(data.take().unwrap_or_default()).ok();
                            write.write_all(b"250 2.0.0 queued\r\n").await.unwrap();
                        } else {
                            buf.push_str(&line);
                            buf.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split_whitespace().next().unwrap_or_default().to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250-localhost\r\n250 8BITMIME\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 end with <CRLF>.<CRLF>\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.ok();
                            break;
                        }
                        _ => b"250 OK\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, rx)
}

#[tokio::test]
async fn with_smtp_configured_mail_goes_out_over_smtp_not_to_the_sandbox() {
    let (port, mut inbox) = fake_smtp_server().await;
    let app = spawn_app_with(|s| {
        s.smtp_url = Some(SecretString::from(format!("smtp://127.0.0.1:{port}")));
        s.mail_from = "Campaign OS <no-reply@example.com>".into();
    })
    .await;
    let account = app.signup().await;
    let res = app.post_json("/v1/auth/password-reset", None, &json!({"email": account.email})).await;
    assert_eq!(res.status(), 202);

    let mut reset = None;
    while reset.is_none() {
        let message = tokio::time::timeout(Duration::from_secs(10), inbox.recv())
            .await
            .expect("an email arrives over SMTP")
            .expect("the SMTP server is running");
        assert!(message.contains(&format!("To: {}", account.email)), "{message}");
        assert!(
            message.contains("From: \"Campaign OS\" <no-reply@example.com>")
                || message.contains("From: Campaign OS <no-reply@example.com>"),
            "{message}"
        );
        if message.to_lowercase().contains("reset") {
            reset = Some(message);
        }
    }
    let rows = sandbox_email::Entity::find().all(&app.db().await).await.unwrap();
    assert!(rows.is_empty(), "nothing goes to the sandbox mailbox when SMTP is configured");
}
