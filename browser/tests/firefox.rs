//! The oracle against a real headless Firefox (issue 6): Debian's `firefox-esr` and the oracle's
//! `firefox` profile must agree on the WPT vectors, the targeted cases and 300 generated cases
//! (see `support` for what counts as agreement).

mod support;

#[test]
fn firefox_agrees_with_the_firefox_profile() {
    support::agrees(cors_browser::Engine::Firefox, &cors_harness::profile::FIREFOX, 300, 300, 32);
}
