//! Policies: what the owner of a resource means to allow (the TOML policy file), and the
//! [`intent`] it implies for a request. Being written; see issue 3.
