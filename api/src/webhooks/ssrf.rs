//! Where webhook requests may go (server-side request forgery protection).
//!
//! An endpoint URL is checked when it is saved (`validate_url`: https only unless
//! `webhook_allow_http`, no credentials, and every address its host resolves to must be public)
//! and again at every connection of a delivery (`delivery_client`'s resolver drops blocked
//! addresses, so a DNS answer that changed since, "DNS rebinding", cannot reach a private
//! address; `check_before_send` covers hosts written as IP literals, which skip resolvers).
//! Redirects are never followed, proxies from the environment are ignored, and time and the
//! response size read are bounded.
//!
//! Networks listed in `webhook_allowed_networks` are allowed although private (tests and
//! development use `127.0.0.0/8`).

use std::{
    fmt,
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    str::FromStr,
    sync::Arc,
    time::Duration,
};

use reqwest::{
    Url,
    dns::{Addrs, Name, Resolve, Resolving},
};

use crate::{config::Settings, error::FieldError};

/// The longest accepted URL, in characters.
pub const MAX_URL_LEN: usize = 2048;
/// How long resolving a host may take when a URL is saved.
const LOOKUP_TIMEOUT: Duration = Duration::from_secs(5);
/// How long establishing a connection may take during a delivery.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The most bytes of a response body a delivery reads (the rest is dropped with the connection).
pub const MAX_BODY_READ: usize = 64 * 1024;

/// An IP network in CIDR notation (`10.0.0.0/8`, `::1/128`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    addr: IpAddr,
    prefix: u8,
}

impl Cidr {
    const fn v4(a: u8, b: u8, c: u8, d: u8, prefix: u8) -> Self {
        Self { addr: IpAddr::V4(Ipv4Addr::new(a, b, c, d)), prefix }
    }

    const fn v6(segments: [u16; 8], prefix: u8) -> Self {
        let [a, b, c, d, e, f, g, h] = segments;
        Self { addr: IpAddr::V6(Ipv6Addr::new(a, b, c, d, e, f, g, h)), prefix }
    }

    /// Whether `ip` is in this network (an IPv4 network never holds an IPv6 address).
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(self.prefix)).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(self.prefix)).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| format!("`{s}` is not an IP network such as 10.0.0.0/8"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            None => max,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("`{s}`: the prefix length must be 0 to {max}"))?,
        };
        Ok(Self { addr, prefix })
    }
}

impl fmt::Display for Cidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// Parses a comma-separated list of CIDRs (blank entries are ignored).
pub fn parse_networks(list: &str) -> Result<Vec<Cidr>, String> {
    list.split(',').map(str::trim).filter(|s| !s.is_empty()).map(Cidr::from_str).collect()
}

/// Addresses a webhook may never reach (unless allow-listed): "this" network, private,
/// shared (CGNAT), loopback, link-local (with the 169.254.169.254 metadata address), IETF
/// protocol assignments, documentation, benchmarking, multicast and reserved ranges.
const BLOCKED_V4: [Cidr; 14] = [
    Cidr::v4(0, 0, 0, 0, 8),
    Cidr::v4(10, 0, 0, 0, 8),
    Cidr::v4(100, 64, 0, 0, 10),
    Cidr::v4(127, 0, 0, 0, 8),
    Cidr::v4(169, 254, 0, 0, 16),
    Cidr::v4(172, 16, 0, 0, 12),
    Cidr::v4(192, 0, 0, 0, 24),
    Cidr::v4(192, 0, 2, 0, 24),
    Cidr::v4(192, 168, 0, 0, 16),
    Cidr::v4(198, 18, 0, 0, 15),
    Cidr::v4(198, 51, 100, 0, 24),
    Cidr::v4(203, 0, 113, 0, 24),
    Cidr::v4(224, 0, 0, 0, 4),
    Cidr::v4(240, 0, 0, 0, 4),
];

/// IPv6 ranges refused: IPv4-compatible (`::/96`, which holds `::` and `::1`), discard-only,
/// unique-local, link-local, deprecated site-local, multicast, documentation and the local-use
/// NAT64 prefix. (IPv4-mapped `::ffff:0:0/96` and NAT64 `64:ff9b::/96` addresses are judged by
/// the IPv4 address they carry.)
const BLOCKED_V6: [Cidr; 8] = [
    Cidr::v6([0, 0, 0, 0, 0, 0, 0, 0], 96),
    Cidr::v6([0x100, 0, 0, 0, 0, 0, 0, 0], 64),
    Cidr::v6([0xfc00, 0, 0, 0, 0, 0, 0, 0], 7),
    Cidr::v6([0xfe80, 0, 0, 0, 0, 0, 0, 0], 10),
    Cidr::v6([0xfec0, 0, 0, 0, 0, 0, 0, 0], 10),
    Cidr::v6([0xff00, 0, 0, 0, 0, 0, 0, 0], 8),
    Cidr::v6([0x2001, 0xdb8, 0, 0, 0, 0, 0, 0], 32),
    Cidr::v6([0x64, 0xff9b, 1, 0, 0, 0, 0, 0], 48),
];

const NAT64: Cidr = Cidr::v6([0x64, 0xff9b, 0, 0, 0, 0, 0, 0], 96);

/// The address a connection really reaches: the IPv4 address inside an IPv4-mapped or NAT64
/// IPv6 address, else the address itself.
fn effective(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return IpAddr::V4(v4);
            }
            if NAT64.contains(ip) {
                let [.., a, b, c, d] = v6.octets();
                return IpAddr::V4(Ipv4Addr::new(a, b, c, d));
            }
            ip
        }
        v4 => v4,
    }
}

/// Where webhook requests may go, from configuration.
#[derive(Debug, Clone, Default)]
pub struct SsrfPolicy {
    /// Accept `http://` URLs (development only).
    pub allow_http: bool,
    /// Networks allowed although they are in a blocked range.
    pub allowed_networks: Vec<Cidr>,
}

impl SsrfPolicy {
    /// The policy of `webhook_allow_http` and `webhook_allowed_networks` (validated at start-up;
    /// an unparsable list allows nothing extra).
    pub fn from_settings(settings: &Settings) -> Self {
        Self {
            allow_http: settings.webhook_allow_http,
            allowed_networks: parse_networks(&settings.webhook_allowed_networks).unwrap_or_default(),
        }
    }

    /// Whether a request may not go to `ip`.
    pub fn is_blocked(&self, ip: IpAddr) -> bool {
        let ip = effective(ip);
        if self.allowed_networks.iter().any(|net| net.contains(ip)) {
            return false;
        }
        match ip {
            IpAddr::V4(_) => BLOCKED_V4.iter().any(|net| net.contains(ip)),
            IpAddr::V6(_) => BLOCKED_V6.iter().any(|net| net.contains(ip)),
        }
    }
}

/// Why a URL was refused. Each has a stable code, returned as a 422 field error on `url`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    #[error("must be an absolute URL such as https://example.com/webhooks")]
    Invalid,
    #[error("must be at most 2048 characters")]
    TooLong,
    #[error("must use https")]
    NotHttps,
    #[error("must use https or http")]
    NotHttp,
    #[error("must name a host")]
    MissingHost,
    #[error("must not contain a user name or password")]
    Credentials,
    #[error("`{0}` resolves to a private, loopback, link-local or reserved address")]
    PrivateAddress(String),
    #[error("`{0}` does not resolve to any address")]
    Unresolvable(String),
}

impl UrlError {
    pub fn code(&self) -> &'static str {
        match self {
            Self::Invalid => "url_invalid",
            Self::TooLong => "url_too_long",
            Self::NotHttps | Self::NotHttp => "url_not_https",
            Self::MissingHost => "url_missing_host",
            Self::Credentials => "url_credentials",
            Self::PrivateAddress(_) => "url_private_address",
            Self::Unresolvable(_) => "url_unresolvable",
        }
    }

    /// The field error for `field` (`url` in requests).
    pub fn field_error(&self, field: &str) -> FieldError {
        FieldError::new(field, self.code(), self.to_string())
    }
}

/// The checks that need no DNS: scheme, host, credentials, and a host written as an IP literal.
/// A delivery calls it before sending, because a literal-IP URL never reaches the resolver.
pub fn check_before_send(url: &Url, policy: &SsrfPolicy) -> Result<(), UrlError> {
    match url.scheme() {
        "https" => {}
        "http" if policy.allow_http => {}
        _ if policy.allow_http => return Err(UrlError::NotHttp),
        _ => return Err(UrlError::NotHttps),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlError::Credentials);
    }
    let host = match url.host_str() {
        Some(host) if !host.is_empty() => host,
        _ => return Err(UrlError::MissingHost),
    };
    if let Some(ip) = literal_ip(host)
        && policy.is_blocked(ip)
    {
        return Err(UrlError::PrivateAddress(host.to_owned()));
    }
    Ok(())
}

/// The address of a host written as an IP literal (`127.0.0.1`, `[::1]`), as the URL parser
/// normalised it (so `0x7f.1` is already `127.0.0.1`).
fn literal_ip(host: &str) -> Option<IpAddr> {
    match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<Ipv6Addr>().ok().map(IpAddr::V6),
        None => host.parse::<Ipv4Addr>().ok().map(IpAddr::V4),
    }
}

/// The URL parser's error type (the `url` crate, reached through reqwest).
type ParseError = <Url as FromStr>::Err;

/// Checks a webhook URL when it is saved: ≤ 2,048 characters, https (or http when allowed), a
/// host, no user name or password, and every address the host resolves to is allowed.
/// Returns the parsed (normalised) URL.
pub async fn validate_url(raw: &str, policy: &SsrfPolicy) -> Result<Url, UrlError> {
    if raw.chars().count() > MAX_URL_LEN {
        return Err(UrlError::TooLong);
    }
    let url = Url::parse(raw.trim()).map_err(|e| match e {
        ParseError::EmptyHost => UrlError::MissingHost,
        _ => UrlError::Invalid,
    })?;
    if url.as_str().len() > MAX_URL_LEN {
        return Err(UrlError::TooLong);
    }
    check_before_send(&url, policy)?;
    let Some(host) = url.host_str().map(|h| h.trim_start_matches('[').trim_end_matches(']').to_owned()) else {
        return Err(UrlError::MissingHost);
    };
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs: Vec<SocketAddr> =
        match tokio::time::timeout(LOOKUP_TIMEOUT, tokio::net::lookup_host((host.as_str(), port))).await {
            Ok(Ok(addrs)) => addrs.collect(),
            _ => Vec::new(),
        };
    if addrs.is_empty() {
        return Err(UrlError::Unresolvable(host));
    }
    if addrs.iter().any(|a| policy.is_blocked(a.ip())) {
        return Err(UrlError::PrivateAddress(host));
    }
    Ok(url)
}

/// The end of the resolver's error when every address of a host is blocked (the delivery job
/// looks for it to record `blocked address`).
pub const BLOCKED_RESOLUTION: &str = "resolves to no address a webhook may reach";

/// A resolver that drops blocked addresses, so that every connection is checked again.
struct GuardedResolver {
    policy: Arc<SsrfPolicy>,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = resolved.into_iter().filter(|a| !policy.is_blocked(a.ip())).collect();
            if allowed.is_empty() {
                return Err(format!("`{host}` {BLOCKED_RESOLUTION}").into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// The HTTP client of deliveries: resolves through the policy at every connection, follows no
/// redirect, ignores proxy environment variables, connects within 5 s (or `timeout` if shorter)
/// and gives up on a whole request after `timeout`. Call `check_before_send` on each URL first
/// (IP-literal hosts do not go through the resolver).
pub fn delivery_client(policy: &SsrfPolicy, timeout: Duration) -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(GuardedResolver { policy: Arc::new(policy.clone()) }))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .https_only(!policy.allow_http)
        .connect_timeout(CONNECT_TIMEOUT.min(timeout))
        .timeout(timeout)
        .user_agent(concat!("CampaignOS-Webhooks/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// Reads at most `MAX_BODY_READ` bytes of a response body and keeps the first `max_bytes` as
/// text (lossy UTF-8, never cut inside a character). A body that fails half-way gives what was
/// read.
pub async fn read_excerpt(mut resp: reqwest::Response, max_bytes: usize) -> String {
    let mut kept: Vec<u8> = Vec::with_capacity(max_bytes.min(MAX_BODY_READ));
    let mut read = 0usize;
    while read < MAX_BODY_READ {
        match resp.chunk().await {
            Ok(Some(chunk)) => {
                read += chunk.len();
                let room = max_bytes.saturating_sub(kept.len());
                kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
            }
            Ok(None) | Err(_) => break,
        }
    }
    // Drop an incomplete trailing character rather than showing a replacement mark.
    let valid = match std::str::from_utf8(&kept) {
        Ok(_) => kept.len(),
        Err(e) if e.error_len().is_none() => e.valid_up_to(),
        Err(_) => kept.len(),
    };
    String::from_utf8_lossy(&kept[..valid]).into_owned()
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::{
        io::{AsyncReadExt, AsyncWriteExt},
        net::TcpListener,
    };

    use super::*;

    fn policy() -> SsrfPolicy {
        SsrfPolicy::default()
    }

    /// What development uses: http, and loopback allowed (`localhost` may also resolve to ::1).
    fn dev_policy() -> SsrfPolicy {
        SsrfPolicy { allow_http: true, allowed_networks: parse_networks("127.0.0.0/8,::1/128").unwrap() }
    }

    #[test]
    fn the_range_table() {
        let p = policy();
        let blocked = [
            "0.0.0.0",
            "0.255.255.255",
            "10.0.0.1",
            "10.255.255.255",
            "100.64.0.1",
            "100.127.255.254",
            "127.0.0.1",
            "127.255.255.254",
            "169.254.169.254",
            "169.254.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.0.0.8",
            "192.0.2.1",
            "192.168.1.1",
            "198.18.0.1",
            "198.19.255.255",
            "198.51.100.7",
            "203.0.113.9",
            "224.0.0.1",
            "239.255.255.250",
            "240.0.0.1",
            "255.255.255.255",
            "::",
            "::1",
            "::127.0.0.1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "ff02::1",
            "2001:db8::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "64:ff9b::a00:1",
            "64:ff9b::7f00:1",
            "64:ff9b:1::1",
        ];
        for ip in blocked {
            assert!(p.is_blocked(ip.parse().unwrap()), "{ip} must be blocked");
        }
        let public = [
            "1.1.1.1",
            "8.8.8.8",
            "9.255.255.255",
            "11.0.0.1",
            "100.63.255.255",
            "100.128.0.1",
            "126.255.255.255",
            "128.0.0.1",
            "169.253.255.255",
            "172.15.255.255",
            "172.32.0.1",
            "192.0.1.1",
            "192.167.255.255",
            "192.169.0.1",
            "198.17.255.255",
            "198.20.0.1",
            "203.0.114.1",
            "223.255.255.255",
            "2606:4700:4700::1111",
            "2001:4860:4860::8888",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
        ];
        for ip in public {
            assert!(!p.is_blocked(ip.parse().unwrap()), "{ip} must be allowed");
        }
    }

    #[test]
    fn allow_listed_networks_open_blocked_ranges_and_mapped_forms() {
        let p = SsrfPolicy { allow_http: true, allowed_networks: parse_networks("127.0.0.0/8").unwrap() };
        assert!(!p.is_blocked("127.0.0.1".parse().unwrap()));
        assert!(!p.is_blocked("::ffff:127.0.0.1".parse().unwrap()), "judged by the embedded IPv4");
        assert!(p.is_blocked("::1".parse().unwrap()), "an IPv4 network does not hold IPv6 loopback");
        assert!(p.is_blocked("10.0.0.1".parse().unwrap()));
        let p = SsrfPolicy { allow_http: false, allowed_networks: parse_networks(" ::1/128 , 10.1.0.0/16").unwrap() };
        assert!(!p.is_blocked("::1".parse().unwrap()));
        assert!(!p.is_blocked("10.1.2.3".parse().unwrap()));
        assert!(p.is_blocked("10.2.0.1".parse().unwrap()));
    }

    #[test]
    fn networks_parse_or_name_the_bad_entry() {
        assert_eq!(parse_networks("").unwrap(), vec![]);
        let nets = parse_networks("127.0.0.0/8, 192.168.1.10,::1/128,0.0.0.0/0").unwrap();
        assert_eq!(
            nets.iter().map(ToString::to_string).collect::<Vec<_>>(),
            ["127.0.0.0/8", "192.168.1.10/32", "::1/128", "0.0.0.0/0"]
        );
        assert!(nets[3].contains("10.0.0.1".parse().unwrap()), "/0 holds everything of its family");
        assert!(!nets[3].contains("::1".parse().unwrap()));
        for bad in ["localhost", "10.0.0.0/33", "::/129", "10.0.0.0/x", "10.0.0/8"] {
            let err = parse_networks(bad).unwrap_err();
            assert!(err.contains(bad.split('/').next().unwrap()), "{err}");
        }
    }

    #[test]
    fn settings_name_a_bad_network_list_and_build_the_policy() {
        let bad = Settings { webhook_allowed_networks: "127.0.0.0/8, nope".into(), ..Settings::default() };
        let err = bad.validate().unwrap_err().to_string();
        assert!(err.contains("webhook_allowed_networks") && err.contains("nope"), "{err}");
        let bad = Settings { webhook_timeout_secs: 0, ..Settings::default() };
        assert!(bad.validate().unwrap_err().to_string().contains("webhook_timeout_secs"));
        let dev = Settings {
            webhook_allow_http: true,
            webhook_allowed_networks: "127.0.0.0/8".into(),
            ..Settings::default()
        };
        dev.validate().unwrap();
        let p = SsrfPolicy::from_settings(&dev);
        assert!(p.allow_http);
        assert!(!p.is_blocked("127.0.0.1".parse().unwrap()));
        let default = SsrfPolicy::from_settings(&Settings::default());
        assert!(!default.allow_http && default.is_blocked("127.0.0.1".parse().unwrap()));
    }

    #[tokio::test]
    async fn urls_are_refused_with_a_reason() {
        let p = policy();
        let cases = [
            ("not a url", "url_invalid"),
            ("/relative/path", "url_invalid"),
            ("https://", "url_missing_host"),
            ("http://example.com/hook", "url_not_https"),
            ("ftp://example.com/hook", "url_not_https"),
            ("https://user:pass@example.com/hook", "url_credentials"),
            ("https://user@example.com/hook", "url_credentials"),
            ("https://localhost/hook", "url_private_address"),
            ("https://LOCALHOST:8443/hook", "url_private_address"),
            ("https://127.0.0.1/hook", "url_private_address"),
            ("https://2130706433/hook", "url_private_address"),
            ("https://0x7f.1/hook", "url_private_address"),
            ("https://10.0.0.5/hook", "url_private_address"),
            ("https://169.254.169.254/latest/meta-data/", "url_private_address"),
            ("https://[::1]/hook", "url_private_address"),
            ("https://[::ffff:127.0.0.1]/hook", "url_private_address"),
            ("https://[fd00::1]/hook", "url_private_address"),
            ("https://name.invalid/hook", "url_unresolvable"),
        ];
        for (url, code) in cases {
            let err = validate_url(url, &p).await.unwrap_err();
            assert_eq!(err.code(), code, "{url}: {err}");
        }
        let long = format!("https://example.com/{}", "a".repeat(MAX_URL_LEN));
        assert_eq!(validate_url(&long, &p).await.unwrap_err().code(), "url_too_long");
        // A public literal address needs no DNS.
        let ok = validate_url("https://93.184.215.14:8443/hooks?x=1", &p).await.unwrap();
        assert_eq!(ok.as_str(), "https://93.184.215.14:8443/hooks?x=1");
        let ok = validate_url("https://[2606:4700:4700::1111]/hook", &p).await.unwrap();
        assert_eq!(ok.host_str(), Some("[2606:4700:4700::1111]"));
    }

    #[tokio::test]
    async fn development_settings_allow_http_and_the_allow_listed_loopback() {
        let p = dev_policy();
        let url = validate_url("http://localhost:9/hook", &p).await.unwrap();
        assert_eq!(url.scheme(), "http");
        validate_url("http://127.0.0.1:9/hook", &p).await.unwrap();
        assert_eq!(validate_url("ftp://localhost/x", &p).await.unwrap_err().code(), "url_not_https");
        assert_eq!(validate_url("http://10.0.0.1/x", &p).await.unwrap_err().code(), "url_private_address");
        assert_eq!(validate_url("http://[fe80::1]:9/x", &p).await.unwrap_err().code(), "url_private_address");
    }

    /// A tiny HTTP/1.1 server on 127.0.0.1 that answers every request with `response` and counts
    /// the connections it accepted.
    async fn local_server(response: Vec<u8>) -> (u16, Arc<AtomicUsize>) {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                counter.fetch_add(1, Ordering::SeqCst);
                let response = response.clone();
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 8192];
                    let mut seen = Vec::new();
                    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                        match socket.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => seen.extend_from_slice(&buf[..n]),
                        }
                    }
                    let _ = socket.write_all(&response).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        (port, hits)
    }

    fn http_response(status: &str, extra_headers: &str, body: &[u8]) -> Vec<u8> {
        let mut out =
            format!("HTTP/1.1 {status}\r\ncontent-length: {}\r\nconnection: close\r\n{extra_headers}\r\n", body.len())
                .into_bytes();
        out.extend_from_slice(body);
        out
    }

    #[tokio::test]
    async fn a_local_listener_is_unreachable_unless_allow_listed() {
        let (port, hits) = local_server(http_response("200 OK", "", b"hello")).await;
        let by_name: Url = format!("http://localhost:{port}/hook").parse().unwrap();
        let by_ip: Url = format!("http://127.0.0.1:{port}/hook").parse().unwrap();

        // http allowed, but no network allow-listed.
        let closed = SsrfPolicy { allow_http: true, allowed_networks: vec![] };
        let client = delivery_client(&closed, Duration::from_secs(5)).unwrap();
        let err = client.post(by_name.clone()).body("{}").send().await.unwrap_err();
        assert!(err.is_connect() || err.is_request(), "{err:?}");
        assert_eq!(check_before_send(&by_ip, &closed).unwrap_err().code(), "url_private_address");
        assert_eq!(hits.load(Ordering::SeqCst), 0, "no connection was made");

        // 127.0.0.0/8 allow-listed: the same request arrives.
        let open = dev_policy();
        let client = delivery_client(&open, Duration::from_secs(5)).unwrap();
        check_before_send(&by_ip, &open).unwrap();
        let resp = client.post(by_name).body("{}").send().await.unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(read_excerpt(resp, 1024).await, "hello");
        assert_eq!(hits.load(Ordering::SeqCst), 1);

        // Without allow_http the client itself refuses plain http.
        let https_only = SsrfPolicy { allow_http: false, allowed_networks: open.allowed_networks.clone() };
        let client = delivery_client(&https_only, Duration::from_secs(5)).unwrap();
        assert!(client.post(format!("http://localhost:{port}/")).send().await.is_err());
        assert_eq!(hits.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn redirects_are_not_followed() {
        let (target_port, target_hits) = local_server(http_response("200 OK", "", b"moved here")).await;
        let location = format!("location: http://localhost:{target_port}/elsewhere\r\n");
        let (port, hits) = local_server(http_response("302 Found", &location, b"")).await;
        let client = delivery_client(&dev_policy(), Duration::from_secs(5)).unwrap();
        let resp = client.post(format!("http://localhost:{port}/hook")).body("{}").send().await.unwrap();
        assert_eq!(resp.status(), 302);
        assert_eq!(hits.load(Ordering::SeqCst), 1);
        assert_eq!(target_hits.load(Ordering::SeqCst), 0, "the redirect target was never contacted");
    }

    #[tokio::test]
    async fn excerpts_are_bounded() {
        let body = "é".repeat(50_000); // 100,000 bytes
        let (port, _) = local_server(http_response("500 Internal Server Error", "", body.as_bytes())).await;
        let client = delivery_client(&dev_policy(), Duration::from_secs(5)).unwrap();
        let resp = client.post(format!("http://localhost:{port}/hook")).send().await.unwrap();
        let excerpt = read_excerpt(resp, 1023).await;
        assert_eq!(excerpt.len(), 1022, "cut before the split character");
        assert!(excerpt.chars().all(|c| c == 'é'));
    }

    #[tokio::test]
    async fn a_slow_receiver_hits_the_timeout() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            // Accept and never answer.
            let mut open = Vec::new();
            while let Ok((socket, _)) = listener.accept().await {
                open.push(socket);
            }
        });
        let client = delivery_client(&dev_policy(), Duration::from_millis(300)).unwrap();
        let err = client.post(format!("http://localhost:{port}/hook")).send().await.unwrap_err();
        assert!(err.is_timeout(), "{err:?}");
    }
}
