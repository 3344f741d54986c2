//! Outgoing email. With `smtp_url` configured, messages go through SMTP (`lettre`, rustls);
//! otherwise the sandbox sender stores them in `sandbox_emails`, where operators
//! (`GET /v1/admin/sandbox/emails`) and tests read them. Sending never blocks a response on a
//! slow SMTP server for long: the SMTP transport has a 10-second timeout, and a failure is logged
//! (the flows that send mail never reveal whether an address is registered, so they do not
//! surface delivery errors either).

use std::time::Duration;

use anyhow::Context;
use chrono::Utc;
use entities::sandbox_email;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor, message::Mailbox};
use sea_orm::{DatabaseConnection, EntityTrait};
use secrecy::ExposeSecret;

use crate::config::Settings;

/// One plain-text message.
#[derive(Debug, Clone)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
}

pub enum Mailer {
    Smtp { transport: Box<AsyncSmtpTransport<Tokio1Executor>>, from: Mailbox },
    Sandbox,
}

impl Mailer {
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let Some(url) = &settings.smtp_url else { return Ok(Self::Sandbox) };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose_secret())
            .context("key `smtp_url`: not a valid SMTP URL")?
            .timeout(Some(Duration::from_secs(10)))
            .build();
        let from = settings.mail_from.parse().context("key `mail_from`: not a valid mailbox")?;
        Ok(Self::Smtp { transport: Box::new(transport), from })
    }

    pub fn is_sandbox(&self) -> bool {
        matches!(self, Self::Sandbox)
    }

    /// Sends (or stores) a message. Errors are returned for the caller to log.
    pub async fn send(&self, db: &DatabaseConnection, email: Email) -> anyhow::Result<()> {
        match self {
            Self::Sandbox => {
                let row = sandbox_email::Model {
                    id: uuid::Uuid::now_v7(),
                    to_address: email.to,
                    subject: email.subject,
                    body_text: email.text,
                    created_at: Utc::now(),
                };
                sandbox_email::Entity::insert(sandbox_email::ActiveModel::from(row)).exec_without_returning(db).await?;
                Ok(())
            }
            Self::Smtp { transport, from } => {
                let message = Message::builder()
                    .from(from.clone())
                    .to(email.to.parse().context("recipient is not a valid address")?)
                    .subject(email.subject)
                    .body(email.text)?;
                transport.send(message).await?;
                Ok(())
            }
        }
    }

    /// Sends and logs a failure instead of returning it (for flows that must not reveal it).
    pub async fn send_logged(&self, db: &DatabaseConnection, email: Email) {
        if let Err(e) = self.send(db, email).await {
            tracing::warn!(error = %e, "sending email failed");
        }
    }
}
