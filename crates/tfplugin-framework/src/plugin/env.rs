//! Parses what Terraform/OpenTofu put in the environment for go-plugin: the magic cookie, the
//! offered protocol versions, the port range and the AutoMTLS client certificate.

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str =
    "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// The only plugin protocol major version this provider speaks.
pub const PROTOCOL_VERSION: u32 = 6;

#[derive(Debug, Clone, PartialEq)]
pub struct HandshakeEnv {
    pub min_port: u16,
    pub max_port: u16,
    /// DER of the certificate Terraform will present; `None` means plaintext h2c.
    pub client_cert: Option<CertificateDer<'static>>,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum HandshakeError {
    #[error(
        "This binary is a plugin for Terraform and OpenTofu (a provider). It is not \
         meant to be run directly: reference it from a configuration's required_providers block \
         (see the README), or run it with --debug to attach Terraform through \
         TF_REATTACH_PROVIDERS, or --version to print its version."
    )]
    MissingCookie,
    #[error(
        "{MAGIC_COOKIE_KEY} has an unexpected value; this provider only runs under Terraform or \
         OpenTofu"
    )]
    WrongCookie,
    #[error(
        "the client offers plugin protocol versions {offered:?} but this provider speaks only \
         version {PROTOCOL_VERSION}; use Terraform >= 1.0 or OpenTofu >= 1.6"
    )]
    VersionNotOffered { offered: String },
    #[error("{name}={value:?} is not a port number (1-65535)")]
    BadPort { name: &'static str, value: String },
    #[error("PLUGIN_MIN_PORT ({min}) is greater than PLUGIN_MAX_PORT ({max})")]
    EmptyPortRange { min: u16, max: u16 },
    #[error("PLUGIN_CLIENT_CERT does not hold a PEM certificate: {0}")]
    BadClientCert(String),
}

/// Reads the handshake environment through `get`, so tests and fuzzers need no process env.
pub fn parse_env(get: impl Fn(&str) -> Option<String>) -> Result<HandshakeEnv, HandshakeError> {
    match get(MAGIC_COOKIE_KEY) {
        None => return Err(HandshakeError::MissingCookie),
        Some(v) if v != MAGIC_COOKIE_VALUE => return Err(HandshakeError::WrongCookie),
        Some(_) => {}
    }
    // Clients list versions in random order ("5,6" or "6,5"); absent means the client does not
    // negotiate and takes whatever the server speaks.
    if let Some(offered) = get("PLUGIN_PROTOCOL_VERSIONS") {
        let speaks_ours = offered
            .split(',')
            .any(|v| v.trim().parse::<u32>() == Ok(PROTOCOL_VERSION));
        if !speaks_ours {
            return Err(HandshakeError::VersionNotOffered { offered });
        }
    }
    let min_port = port(&get, "PLUGIN_MIN_PORT", 10000)?;
    let max_port = port(&get, "PLUGIN_MAX_PORT", 25000)?;
    if min_port > max_port {
        return Err(HandshakeError::EmptyPortRange {
            min: min_port,
            max: max_port,
        });
    }
    let client_cert = match get("PLUGIN_CLIENT_CERT") {
        None => None,
        Some(pem) if pem.trim().is_empty() => None,
        Some(pem) => Some(
            CertificateDer::from_pem_slice(pem.as_bytes())
                .map_err(|e| HandshakeError::BadClientCert(e.to_string()))?,
        ),
    };
    Ok(HandshakeEnv {
        min_port,
        max_port,
        client_cert,
    })
}

fn port(
    get: &impl Fn(&str) -> Option<String>,
    name: &'static str,
    default: u16,
) -> Result<u16, HandshakeError> {
    match get(name) {
        None => Ok(default),
        Some(value) => match value.trim().parse::<u16>() {
            Ok(p) if p > 0 => Ok(p),
            _ => Err(HandshakeError::BadPort { name, value }),
        },
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn missing_cookie_is_the_human_message() {
        let err = parse_env(env(&[])).unwrap_err();
        assert_eq!(err, HandshakeError::MissingCookie);
        assert!(
            err.to_string()
                .contains("plugin for Terraform and OpenTofu")
        );
    }

    #[test]
    fn wrong_cookie_is_refused() {
        let err = parse_env(env(&[(MAGIC_COOKIE_KEY, "nope")])).unwrap_err();
        assert_eq!(err, HandshakeError::WrongCookie);
    }

    #[test]
    fn versions_in_any_order() {
        for offered in ["5,6", "6,5", "6", " 5 , 6 "] {
            let got = parse_env(env(&[
                (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
                ("PLUGIN_PROTOCOL_VERSIONS", offered),
            ]));
            assert!(got.is_ok(), "{offered}: {got:?}");
        }
    }

    #[test]
    fn version_6_missing_is_a_clear_error() {
        let err = parse_env(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_PROTOCOL_VERSIONS", "4,5"),
        ]))
        .unwrap_err();
        assert!(err.to_string().contains("speaks only version 6"), "{err}");
    }

    #[test]
    fn ports_are_checked() {
        let err = parse_env(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_MIN_PORT", "x"),
        ]))
        .unwrap_err();
        assert!(matches!(err, HandshakeError::BadPort { .. }));
        let err = parse_env(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_MIN_PORT", "2000"),
            ("PLUGIN_MAX_PORT", "1000"),
        ]))
        .unwrap_err();
        assert!(matches!(err, HandshakeError::EmptyPortRange { .. }));
    }

    #[test]
    fn garbage_cert_is_an_error_not_a_panic() {
        let err = parse_env(env(&[
            (MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE),
            ("PLUGIN_CLIENT_CERT", "-----BEGIN CERTIFICATE-----\n@@@\n"),
        ]))
        .unwrap_err();
        assert!(matches!(err, HandshakeError::BadClientCert(_)));
    }
}
