//! Which event type names an endpoint may subscribe to: the domain event catalogue's
//! (`api/src/events/catalogue.rs`).

/// The longest event type name accepted.
pub const MAX_LEN: usize = 100;

/// Whether `name` is an event type an endpoint may filter on.
pub fn is_known(name: &str) -> bool {
    name.len() <= MAX_LEN && crate::events::catalogue::is_known(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_names_only() {
        for ok in ["contact.created", "api_key.created", "endpoint.disabled", "import.completed"] {
            assert!(is_known(ok), "{ok}");
        }
        for bad in ["", "contact", "contact.", ".created", "Contact.created", "contact.exploded", "a.b.c"] {
            assert!(!is_known(bad), "{bad}");
        }
    }
}
