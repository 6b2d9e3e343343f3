//! The oracle against a real headless Chromium (issue 6): Debian's `chromium` and the oracle's
//! `chromium` profile must agree on the WPT vectors, the targeted cases and 600 generated
//! cases (see `support` for what counts as agreement).

mod support;

#[test]
fn chromium_agrees_with_the_chromium_profile() {
    support::agrees(cors_browser::Engine::Chromium, &cors_harness::profile::CHROMIUM, 600, 500, 64);
}
