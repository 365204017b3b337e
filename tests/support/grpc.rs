//! The real provider binary started the way go-plugin starts it (cookie, protocol versions,
//! AutoMTLS client certificate), and a tonic client that speaks to it over the socket or TCP port
//! its handshake line names, with the same certificate, as Terraform does. Use as `support::grpc`
//! (`mod support;`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use base64::Engine;
use hyper_util::rt::TokioIo;
use rustls::client::ResolvesClientCert;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::sign::CertifiedKey;
use rustls::{DigitallySignedStruct, SignatureScheme};
use tfplugin_proto::tfplugin6::provider_client::ProviderClient;
use tonic::transport::{Channel, Endpoint};

pub const COOKIE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";

/// A client identity like Terraform's: ECDSA P-521, self-signed, CA:TRUE.
pub struct Identity {
    pub pem: String,
    pub cert: CertificateDer<'static>,
    pub key: PrivatePkcs8KeyDer<'static>,
}

impl Identity {
    pub fn new() -> Identity {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::OrganizationName, "HashiCorp");
        let cert = params.self_signed(&key).unwrap();
        Identity {
            pem: cert.pem(),
            cert: cert.der().clone(),
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        }
    }
}

impl Default for Identity {
    fn default() -> Self {
        Self::new()
    }
}

/// What the client shows during the TLS handshake.
pub enum Show<'a> {
    Nothing,
    /// A certificate and its own key.
    Identity(&'a Identity),
    /// `cert`'s certificate signed for with `key`'s private key: a stolen certificate without
    /// its key.
    Mismatched {
        cert: &'a Identity,
        key: &'a Identity,
    },
    /// No TLS at all: plaintext HTTP/2 on the socket.
    NoTls,
}

/// A running provider process; killed and reaped on drop.
pub struct Plugin {
    pub child: Child,
    /// The handshake line's network: `unix` or `tcp`.
    pub network: String,
    /// The unix socket (its address as a path), or `host:port` for TCP.
    pub socket: PathBuf,
    pub server_cert: Option<CertificateDer<'static>>,
    pub line: String,
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Plugin {
    /// Starts the provider with AutoMTLS for `identity` (or plaintext with `None`) and reads its
    /// handshake line. Extra environment variables are added as given.
    pub fn spawn(identity: Option<&Identity>, env: &[(&str, &str)]) -> Plugin {
        Self::spawn_program(
            Path::new(env!("CARGO_BIN_EXE_terraform-provider-cloudtrail")),
            identity,
            env,
        )
    }

    /// As `spawn`, for another program that serves as the provider (a cross-built binary's
    /// wrapper under qemu or wine).
    pub fn spawn_program(
        program: &Path,
        identity: Option<&Identity>,
        env: &[(&str, &str)],
    ) -> Plugin {
        let mut cmd = Command::new(program);
        cmd.env_clear()
            .env("TF_PLUGIN_MAGIC_COOKIE", COOKIE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_MIN_PORT", "10000")
            .env("PLUGIN_MAX_PORT", "25000")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if let Some(id) = identity {
            cmd.env("PLUGIN_CLIENT_CERT", &id.pem);
        }
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let fields: Vec<&str> = line.trim_end().split('|').collect();
        assert_eq!(fields.len(), 6, "handshake line: {line:?}");
        let server_cert = (!fields[5].is_empty()).then(|| {
            CertificateDer::from(
                base64::engine::general_purpose::STANDARD_NO_PAD
                    .decode(fields[5])
                    .unwrap(),
            )
        });
        Plugin {
            network: fields[2].to_owned(),
            socket: PathBuf::from(fields[3]),
            server_cert,
            line,
            child,
        }
    }

    /// Whether the process is still running.
    pub fn alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    pub async fn connect(&self, show: Show<'_>) -> Result<Channel, tonic::transport::Error> {
        let socket = self.socket.clone();
        let tcp = self.network == "tcp";
        let server_cert = match show {
            Show::NoTls => None,
            _ => self.server_cert.clone(),
        };
        let tls = server_cert.map(|server_cert| {
            let builder = rustls::ClientConfig::builder_with_provider(provider())
                .with_safe_default_protocol_versions()
                .unwrap()
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(TrustExactly(server_cert)));
            let mut config = match show {
                Show::Nothing | Show::NoTls => builder.with_no_client_auth(),
                Show::Identity(id) => builder
                    .with_client_auth_cert(
                        vec![id.cert.clone()],
                        PrivateKeyDer::Pkcs8(id.key.clone_key()),
                    )
                    .unwrap(),
                Show::Mismatched { cert, key } => {
                    let signer = provider()
                        .key_provider
                        .load_private_key(PrivateKeyDer::Pkcs8(key.key.clone_key()))
                        .unwrap();
                    builder.with_client_cert_resolver(Arc::new(Fixed(Arc::new(CertifiedKey::new(
                        vec![cert.cert.clone()],
                        signer,
                    )))))
                }
            };
            config.alpn_protocols = vec![b"h2".to_vec()];
            tokio_rustls::TlsConnector::from(Arc::new(config))
        });
        Endpoint::try_from("http://localhost")
            .unwrap()
            .connect_with_connector(tower::service_fn(move |_| {
                let socket = socket.clone();
                let tls = tls.clone();
                async move {
                    let stream: Box<dyn Io> = if tcp {
                        let addr = socket.to_string_lossy().into_owned();
                        Box::new(tokio::net::TcpStream::connect(addr).await?)
                    } else {
                        Box::new(tokio::net::UnixStream::connect(socket).await?)
                    };
                    let io: Box<dyn Io> = match tls {
                        Some(tls) => Box::new(
                            tls.connect(ServerName::try_from("localhost").unwrap(), stream)
                                .await?,
                        ),
                        None => stream,
                    };
                    Ok::<_, std::io::Error>(TokioIo::new(io))
                }
            }))
            .await
    }

    /// A provider client with the right certificate and no message size limits.
    pub async fn client(&self, identity: &Identity) -> ProviderClient<Channel> {
        let channel = self.connect(Show::Identity(identity)).await.unwrap();
        ProviderClient::new(channel)
            .max_decoding_message_size(usize::MAX)
            .max_encoding_message_size(usize::MAX)
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

#[derive(Debug)]
struct Fixed(Arc<CertifiedKey>);

impl ResolvesClientCert for Fixed {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        _sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        Some(self.0.clone())
    }
    fn has_certs(&self) -> bool {
        true
    }
}

trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> Io for T {}

/// Trusts exactly the certificate from the handshake line, as go-plugin does.
#[derive(Debug)]
struct TrustExactly(CertificateDer<'static>);

impl ServerCertVerifier for TrustExactly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.0.as_ref() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General(
                "unexpected server certificate".into(),
            ))
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            m,
            c,
            d,
            &provider().signature_verification_algorithms,
        )
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            m,
            c,
            d,
            &provider().signature_verification_algorithms,
        )
    }
    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        provider()
            .signature_verification_algorithms
            .supported_schemes()
    }
}
