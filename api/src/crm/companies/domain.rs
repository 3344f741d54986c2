//! Company domains: a DNS host name, lower-cased (`Acme.COM.` → `acme.com`).

use crate::error::FieldError;

/// The longest host name.
const MAX_LEN: usize = 253;

/// Parses `raw` into a lower-cased host name of at least two labels, each 1–63 letters,
/// digits or hyphens (not at either end), the last one starting with a letter (so not an IP
/// address). A URL, path, port or e-mail address is refused (code `invalid_domain`).
pub fn parse_domain(raw: &str) -> Result<String, FieldError> {
    let refuse = |message: &str| FieldError::new("domain", "invalid_domain", message);
    let host = raw.trim().to_ascii_lowercase();
    let host = host.strip_suffix('.').unwrap_or(&host);
    if host.contains("://") || host.contains('/') || host.contains('@') || host.contains(':') {
        return Err(refuse("must be a bare domain such as `acme.com`, without scheme, path, port or user"));
    }
    if host.is_empty() || host.len() > MAX_LEN {
        return Err(refuse("must be between 1 and 253 characters"));
    }
    let labels: Vec<&str> = host.split('.').collect();
    let label_ok = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    };
    if labels.len() < 2 || !labels.iter().all(label_ok) {
        return Err(refuse(
            "must be a domain such as `acme.com`: dot-separated labels of letters, digits and hyphens \
             (internationalised names in their `xn--` form)",
        ));
    }
    if !labels.last().is_some_and(|tld| tld.starts_with(|c: char| c.is_ascii_lowercase())) {
        return Err(refuse(
            "must end in a label that starts with a letter, such as `.com` (an IP address is not a domain)",
        ));
    }
    Ok(host.to_owned())
}

#[cfg(test)]
mod tests {
    use super::parse_domain;

    #[test]
    fn normalises_and_refuses() {
        assert_eq!(parse_domain(" Acme.COM. ").unwrap(), "acme.com");
        assert_eq!(parse_domain("mail.xn--bcher-kva.example").unwrap(), "mail.xn--bcher-kva.example");
        for bad in [
            "https://acme.com",
            "acme.com/about",
            "acme",
            "acme..com",
            "-acme.com",
            "acme.com:80",
            "1.2.3.4",
            "a@b.com",
            "ac me.com",
            "bücher.de",
        ] {
            assert!(parse_domain(bad).is_err(), "{bad}");
        }
    }
}
