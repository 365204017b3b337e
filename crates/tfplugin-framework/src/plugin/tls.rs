//! AutoMTLS: a fresh server certificate per start and a client verifier that admits exactly the
//! certificate Terraform passed in `PLUGIN_CLIENT_CERT` (and proof of its private key), nothing else.
//!
//! Start-up cost: nothing here may draw from aws-lc's random generator. Its first use seeds a tree
//! DRBG from CPU-jitter entropy, which takes 20-120 ms of CPU (measured; BENCHMARKS.md) — longer
//! than everything else the provider does before its handshake line. So the server key is Ed25519
//! (deterministic signatures, a seed from the OS), and the TLS provider takes its randomness and
//! its X25519 key shares from the OS as well. aws-lc still does all the cryptography.

use std::sync::Arc;

use ::aws_lc_rs::agreement;
use base64::Engine;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::{
    ActiveKeyExchange, CryptoProvider, GetRandomFailed, SecureRandom, SharedSecret,
    SupportedKxGroup, WebPkiSupportedAlgorithms, aws_lc_rs,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{
    CertificateError, DigitallySignedStruct, DistinguishedName, NamedGroup, PeerMisbehaved,
    ServerConfig, SignatureScheme,
};

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("could not generate the server certificate: {0}")]
    Certificate(#[from] rcgen::Error),
    #[error("could not build the TLS configuration: {0}")]
    Rustls(#[from] rustls::Error),
    #[error("could not read random bytes from the operating system: {0}")]
    Random(#[from] getrandom::Error),
}

/// This process's server certificate and its key. Made before the handshake line, which carries
/// the certificate; the TLS configuration is built from it after the line, so that work (and the
/// code it runs) does not delay Terraform.
pub struct ServerCert {
    cert_der: CertificateDer<'static>,
    key_der: PrivatePkcs8KeyDer<'static>,
    /// The certificate's DER in base64, standard alphabet, no padding (go-plugin's format).
    pub handshake_cert: String,
}

/// aws-lc-rs (not ring: ring cannot verify the P-521 signatures Terraform's client cert makes),
/// with the operating system's randomness and an X25519 key exchange fed by it placed first.
pub fn provider() -> Arc<CryptoProvider> {
    let mut provider = aws_lc_rs::default_provider();
    // Every Go TLS client (go-plugin's) offers an X25519 key share, so the classic NIST curves stay
    // only as fallbacks that are never reached in practice. The post-quantum hybrids
    // (X25519MLKEM768, which Terraform >= 1.12 offers and rustls would pick) are left out: their
    // encapsulation draws from aws-lc's generator, and this connection never leaves the machine
    // and pins a certificate made for this process alone.
    let mut kx_groups: Vec<&'static dyn SupportedKxGroup> = vec![&OS_SEEDED_X25519];
    kx_groups.extend(
        provider
            .kx_groups
            .iter()
            .copied()
            .filter(|g| matches!(g.name(), NamedGroup::secp256r1 | NamedGroup::secp384r1)),
    );
    provider.kx_groups = kx_groups;
    provider.secure_random = &OsRandom;
    Arc::new(provider)
}

/// PKCS#8 v1 wrapping of a raw Ed25519 seed (RFC 8410): this prefix, then the 32 seed bytes.
const ED25519_PKCS8_PREFIX: [u8; 16] = [
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
];

impl ServerCert {
    /// A fresh Ed25519 key and a self-signed certificate for `localhost`.
    pub fn generate() -> Result<ServerCert, TlsError> {
        let mut pkcs8 = ED25519_PKCS8_PREFIX.to_vec();
        let mut seed = [0u8; 32];
        os_random(&mut seed)?;
        pkcs8.extend_from_slice(&seed);
        let key_der = PrivatePkcs8KeyDer::from(pkcs8);
        let key = rcgen::KeyPair::from_pkcs8_der_and_sign_algo(&key_der, &rcgen::PKCS_ED25519)?;
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])?;
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "localhost");
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "HashiCorp");
        // go-plugin puts the server certificate itself into the client's root pool, so it must
        // be a CA.
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
        let cert_der = params.self_signed(&key)?.der().clone();
        let handshake_cert =
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(cert_der.as_ref());
        Ok(ServerCert {
            cert_der,
            key_der,
            handshake_cert,
        })
    }

    /// The server configuration: this certificate, and a client verifier that requires exactly
    /// `client_cert` (and proof of its key).
    pub fn server_config(
        self,
        client_cert: CertificateDer<'static>,
    ) -> Result<Arc<ServerConfig>, TlsError> {
        let provider = provider();
        let verifier = ExactClientCert {
            expected: client_cert,
            algorithms: provider.signature_verification_algorithms,
        };
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(&[&rustls::version::TLS13, &rustls::version::TLS12])?
            .with_client_cert_verifier(Arc::new(verifier))
            .with_single_cert(vec![self.cert_der], PrivateKeyDer::Pkcs8(self.key_der))?;
        // grpc-go >= 1.67 (Terraform >= 1.12, OpenTofu >= 1.11) refuses a server without ALPN h2.
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(Arc::new(config))
    }
}

/// Fills `buf` from the operating system's CSPRNG through its own interface, as Go's crypto/rand
/// does: getrandom(2) on Linux, ProcessPrng on Windows, getentropy on macOS. Never a path: a root
/// without `/dev` (scratch images, sandboxes) has none, and on Windows `/dev/urandom` would be a
/// file on the current drive that any local user could create.
fn os_random(buf: &mut [u8]) -> Result<(), getrandom::Error> {
    getrandom::fill(buf)
}

/// rustls' randomness (hello randoms, session IDs) from the OS instead of aws-lc's DRBG.
#[derive(Debug)]
struct OsRandom;

impl SecureRandom for OsRandom {
    fn fill(&self, buf: &mut [u8]) -> Result<(), GetRandomFailed> {
        os_random(buf).map_err(|_| GetRandomFailed)
    }
}

/// X25519 with the private scalar drawn from the OS; aws-lc computes the public key and the
/// shared secret (neither needs its random generator).
#[derive(Debug)]
struct OsSeededX25519;

static OS_SEEDED_X25519: OsSeededX25519 = OsSeededX25519;

impl SupportedKxGroup for OsSeededX25519 {
    fn start(&self) -> Result<Box<dyn ActiveKeyExchange>, rustls::Error> {
        let mut scalar = [0u8; 32];
        os_random(&mut scalar).map_err(|_| rustls::Error::FailedToGetRandomBytes)?;
        let private = agreement::PrivateKey::from_private_key(&agreement::X25519, &scalar)
            .map_err(|_| rustls::Error::General("X25519 key rejected".into()))?;
        let public = private
            .compute_public_key()
            .map_err(|_| rustls::Error::General("X25519 public key".into()))?
            .as_ref()
            .to_vec();
        Ok(Box::new(X25519Exchange { private, public }))
    }

    fn name(&self) -> NamedGroup {
        NamedGroup::X25519
    }
}

struct X25519Exchange {
    private: agreement::PrivateKey,
    public: Vec<u8>,
}

impl ActiveKeyExchange for X25519Exchange {
    fn complete(self: Box<Self>, peer: &[u8]) -> Result<SharedSecret, rustls::Error> {
        agreement::agree(
            &self.private,
            agreement::UnparsedPublicKey::new(&agreement::X25519, peer),
            rustls::Error::from(PeerMisbehaved::InvalidKeyShare),
            |secret| Ok(SharedSecret::from(secret)),
        )
    }

    fn pub_key(&self) -> &[u8] {
        &self.public
    }

    fn group(&self) -> NamedGroup {
        NamedGroup::X25519
    }
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
