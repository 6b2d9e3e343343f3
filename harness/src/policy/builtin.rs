//! The built-in policies: realistic configurations the `matrix` job runs with zero
//! configuration (and the examples of the policy-file format). The files live in
//! `harness/tests/policies/`, where the policy tests also read them.

use super::Policy;

/// (name, TOML source) of every built-in policy, in matrix column order.
pub const SOURCES: [(&str, &str); 5] = [
    ("single-origin", include_str!("../../tests/policies/single-origin.toml")),
    ("two-frontends-credentials", include_str!("../../tests/policies/two-frontends-credentials.toml")),
    ("subdomains", include_str!("../../tests/policies/subdomains.toml")),
    ("public-api", include_str!("../../tests/policies/public-api.toml")),
    ("custom-headers-expose", include_str!("../../tests/policies/custom-headers-expose.toml")),
];

/// The built-in policies, parsed.
pub fn builtin() -> Vec<(&'static str, Policy)> {
    SOURCES
        .iter()
        .map(|(name, source)| {
            let loaded = Policy::from_toml_str(source, &format!("{name}.toml"))
                .unwrap_or_else(|e| panic!("built-in policy {name} is invalid: {e}"));
            (*name, loaded.policy)
        })
        .collect()
}

/// One built-in policy by name.
pub fn by_name(name: &str) -> Option<Policy> {
    builtin().into_iter().find(|(n, _)| *n == name).map(|(_, p)| p)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_builtin_policy_parses_without_warnings() {
        for (name, source) in super::SOURCES {
            let loaded = super::Policy::from_toml_str(source, name).unwrap();
            assert!(loaded.warnings.is_empty(), "{name}: {:?}", loaded.warnings);
        }
        assert_eq!(super::builtin().len(), 5);
    }

    #[test]
    fn every_example_policy_file_is_built_in() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/policies");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let mut names: Vec<&str> = super::SOURCES.iter().map(|(n, _)| *n).collect();
        names.sort();
        assert_eq!(files, names);
    }
}
