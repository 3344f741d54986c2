//! Sending one delivery: the process-wide HTTP client (built once from the settings, through the
//! SSRF guard: `ssrf::delivery_client`), the Standard Webhooks headers, and what came back,
//! described without internals (`timed out`, `connection refused`, `blocked address`, …).

use std::{error::Error as _, time::Instant};

use chrono::Utc;
use reqwest::{Url, header};

use super::limiter::EndpointLimiter;
use crate::{
    config::Settings,
    webhooks::{
        signature::{self, EndpointSecret},
        ssrf::{self, SsrfPolicy, UrlError},
    },
};

/// The most of a response body kept in the attempts log, bytes.
pub const EXCERPT_BYTES: usize = 1024;

/// What one send gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sent {
    /// The receiver's status code; `None` when no response came.
    pub status_code: Option<u16>,
    /// The first KiB of the response body (empty bodies give `None`).
    pub excerpt: Option<String>,
    /// Why no response came, in words safe to show to the endpoint's owner.
    pub error: Option<&'static str>,
    pub latency_ms: i32,
}

impl Sent {
    /// A 2xx answer.
    pub fn delivered(&self) -> bool {
        self.status_code.is_some_and(|c| (200..300).contains(&c))
    }

    /// `410 Gone`: the receiver asks us to stop.
    pub fn gone(&self) -> bool {
        self.status_code == Some(410)
    }

    fn failed(error: &'static str, started: Instant) -> Self {
        Self { status_code: None, excerpt: None, error: Some(error), latency_ms: elapsed_ms(started) }
    }
}

fn elapsed_ms(started: Instant) -> i32 {
    i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX)
}

/// The delivery side of webhooks in this process: one HTTP client (connection pools are reused
/// by every delivery) and the per-endpoint rate limiter. Part of `AppState`.
pub struct Deliverer {
    client: reqwest::Client,
    policy: SsrfPolicy,
    /// Per-endpoint `rate_limit_per_second`.
    pub limiter: EndpointLimiter,
}

impl Deliverer {
    /// Builds the client from `webhook_allow_http`, `webhook_allowed_networks` and
    /// `webhook_timeout_secs`.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let policy = SsrfPolicy::from_settings(settings);
        let timeout = std::time::Duration::from_secs(settings.webhook_timeout_secs);
        let client = ssrf::delivery_client(&policy, timeout)?;
        Ok(Self { client, policy, limiter: EndpointLimiter::default() })
    }

    /// POSTs `body` to `url` as message `msg_id`, signed with every secret in `secrets`.
    pub async fn send(&self, url: &str, msg_id: &str, body: String, secrets: &[EndpointSecret]) -> Sent {
        let started = Instant::now();
        let url = match Url::parse(url) {
            Ok(url) => url,
            Err(_) => return Sent::failed("invalid URL", started),
        };
        if let Err(e) = ssrf::check_before_send(&url, &self.policy) {
            let error = match e {
                UrlError::PrivateAddress(_) => "blocked address",
                UrlError::NotHttps | UrlError::NotHttp => "URL scheme not allowed",
                _ => "invalid URL",
            };
            return Sent::failed(error, started);
        }
        let timestamp = Utc::now().timestamp();
        let secrets: Vec<&EndpointSecret> = secrets.iter().collect();
        let signatures = signature::signature_header(&secrets, msg_id, timestamp, body.as_bytes());
        let sent = self
            .client
            .post(url)
            .header("webhook-id", msg_id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signatures)
            .header(header::CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await;
        match sent {
            Ok(resp) => {
                let status_code = resp.status().as_u16();
                let excerpt = ssrf::read_excerpt(resp, EXCERPT_BYTES).await;
                Sent {
                    status_code: Some(status_code),
                    excerpt: (!excerpt.is_empty()).then_some(excerpt),
                    error: None,
                    latency_ms: elapsed_ms(started),
                }
            }
            Err(e) => Sent::failed(describe(&e), started),
        }
    }
}

/// Why a request got no response, in safe words.
fn describe(err: &reqwest::Error) -> &'static str {
    if err.is_timeout() {
        return "timed out";
    }
    let mut chain: Vec<&(dyn std::error::Error + 'static)> = Vec::new();
    let mut source = err.source();
    while let Some(cause) = source {
        chain.push(cause);
        source = cause.source();
    }
    if chain.iter().any(|c| c.to_string().contains(ssrf::BLOCKED_RESOLUTION)) {
        return "blocked address";
    }
    for cause in &chain {
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            match io.kind() {
                std::io::ErrorKind::ConnectionRefused => return "connection refused",
                std::io::ErrorKind::ConnectionReset | std::io::ErrorKind::ConnectionAborted => {
                    return "connection reset";
                }
                std::io::ErrorKind::TimedOut => return "timed out",
                _ => {}
            }
        }
    }
    if chain.iter().any(|c| c.to_string().contains("dns error")) {
        return "host not found";
    }
    if err.is_connect() {
        "connection failed"
    } else if err.is_body() || err.is_decode() {
        "response could not be read"
    } else {
        "request failed"
    }
}
