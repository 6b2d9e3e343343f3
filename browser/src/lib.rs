//! cors-browser: differential validation of the cors-harness oracle against real browsers.
//!
//! A [`session::Session`] starts the raw scripted [`server`] on loopback and a headless
//! browser ([`launcher`]: Debian's `chromium`, its shared memory on huge pages where it can
//! be ([`shm`]), or `firefox-esr`) on a runner page ([`page`])
//! that runs each case's `fetch()` steps and posts the results back. [`diff`] compares every
//! field with the oracle (`cors_harness::evaluate` under a profile); [`check`] runs batches
//! and shrinks disagreements; [`known`] lists the disagreements already explained. Cases come
//! from the WPT-derived [`vectors`] and the seeded [`generate`]or.

pub mod case;
pub mod check;
pub mod diff;
pub mod firefox;
pub mod generate;
pub mod known;
pub mod launcher;
pub mod page;
pub mod rng;
pub mod server;
pub mod session;
pub mod shm;
pub mod targeted;
pub mod tls;
pub mod vectors;

pub use case::BrowserCase;
pub use check::{Checked, check, minimize};
pub use launcher::Engine;
pub use session::Session;
