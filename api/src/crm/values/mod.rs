//! Parsed contact values (parse, don't validate): email, E.164 phone, consent, custom fields.
