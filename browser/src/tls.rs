//! https on the scripted server: the same port speaks TLS when a connection starts with a TLS
//! handshake record (Chromium's `--host-resolver-rules` send every `*.test` host and port, http
//! and https alike, to that one port). The certificate is self-signed, made at start for
//! `*.test`, and never stored; Chromium runs with `--ignore-certificate-errors` (what a
//! certificate error would change is not CORS). Only HTTP/1.1 is offered (ALPN), so the
//! scripted header lines reach the browser as written.

use std::sync::Arc;

use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::rustls::crypto::ring;
use tokio_rustls::rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};

/// The first byte of a TLS handshake record (a ClientHello); no HTTP method starts with it.
pub const HANDSHAKE: u8 = 0x16;

/// A TLS acceptor with a fresh self-signed certificate for `*.test`.
pub fn acceptor() -> Result<TlsAcceptor, String> {
    let names = vec!["*.test".to_owned(), "localhost".to_owned()];
    let certified = rcgen::generate_simple_self_signed(names).map_err(|e| format!("certificate: {e}"))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(certified.signing_key.serialize_der()));
    let mut config = ServerConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS versions: {e}"))?
        .with_no_client_auth()
        .with_single_cert(vec![certified.cert.der().clone()], key)
        .map_err(|e| format!("TLS certificate: {e}"))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}
