//! AutoMTLS: a fresh server certificate per start and a client verifier that admits exactly the
//! certificate Terraform passed in `PLUGIN_CLIENT_CERT` (and proof of its private key), nothing else.

use std::sync::Arc;

use base64::Engine;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms, aws_lc_rs};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, ServerConfig, SignatureScheme,
};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("could not generate the server certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("could not build the TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
}

/// The server side of AutoMTLS, plus the certificate field of the handshake line.
pub struct ServerTls {
    pub config: Arc<ServerConfig>,
    /// The server certificate's DER in base64, standard alphabet, no padding (go-plugin's format).
    pub handshake_cert: String,
}

fn provider() -> Arc<CryptoProvider> {
    // aws-lc-rs, not ring: ring cannot verify the P-521 signatures Terraform's client cert makes.
    Arc::new(aws_lc_rs::default_provider())
}

/// Generates a fresh P-256 key and self-signed certificate for `localhost` and a server config
/// that requires the client to present exactly `client_cert`.
pub fn server_tls(client_cert: CertificateDer<'static>) -> Result<ServerTls, TlsError> {
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)?;
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
    params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    params
        .distinguished_name
        .push(rcgen::DnType::OrganizationName, "HashiCorp");
    // go-plugin puts the server certificate itself into the client's root pool, so it must be a CA.
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.key_usages = vec![
        rcgen::KeyUsagePurpose::DigitalSignature,
        rcgen::KeyUsagePurpose::KeyEncipherment,
        rcgen::KeyUsagePurpose::KeyCertSign,
    ];
    params.extended_key_usages = vec![
        rcgen::ExtendedKeyUsagePurpose::ServerAuth,
        rcgen::ExtendedKeyUsagePurpose::ClientAuth,
    ];
    let now = time::OffsetDateTime::now_utc();
    params.not_before = now - time::Duration::minutes(5);
    params.not_after = now + time::Duration::days(365 * 10);
    let cert = params.self_signed(&key)?;
    let cert_der = cert.der().clone();
    let key_der = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));

    let provider = provider();
    let verifier = ExactClientCert {
        expected: client_cert,
        algorithms: provider.signature_verification_algorithms,
    };
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
        .with_client_cert_verifier(Arc::new(verifier))
        .with_single_cert(vec![cert_der.clone()], key_der)?;
    // grpc-go >= 1.67 (Terraform >= 1.12, OpenTofu >= 1.11) refuses a server without ALPN h2.
    config.alpn_protocols = vec![b"h2".to_vec()];
    let handshake_cert = base64::engine::general_purpose::STANDARD_NO_PAD.encode(cert_der.as_ref());
    Ok(ServerTls {
        config: Arc::new(config),
        handshake_cert,
    })
}

/// Admits one certificate, byte for byte. Chain building is meaningless here: Terraform's client
/// certificate is a self-signed CA:TRUE cert that webpki would refuse as an end entity, and any
/// CA-based check would let in every other certificate that CA could sign.
#[derive(Debug)]
struct ExactClientCert {
    expected: CertificateDer<'static>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for ExactClientCert {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::ApplicationVerificationFailure,
            ))
        }
    }

    // The signature checks prove the peer holds the private key of the certificate it showed.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }

    fn client_auth_mandatory(&self) -> bool {
        true
    }
}
