//! The one HTTP client of a provider process, shared by every AWS SDK client (CloudTrail, STS,
//! SSO, instance metadata): hyper 1 and rustls 0.23 on the plugin server's crypto provider, the
//! proxy chosen per request, and a trust store built on the first https:// connection only.
//!
//! Why not the SDK's default client: it cannot skip verification (`insecure`), it loads the
//! system roots when the client is built even if every endpoint is http://, and its aws-lc
//! provider seeds aws-lc's CPU-jitter generator on the first handshake (~30 ms of CPU per process,
//! BENCHMARKS.md). Everything here is hyper-util's and rustls' own parts, wired together.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::{HttpRequest, HttpResponse};
use aws_smithy_runtime_api::client::result::ConnectorError;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::body::SdkBody;
use http::Uri;
use http::header::PROXY_AUTHORIZATION;
use hyper::rt::{Read, ReadBufCursor, Write};
use hyper_rustls::MaybeHttpsStream;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::proxy::Tunnel;
use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector as TcpConnector};
use hyper_util::rt::{TokioExecutor, TokioIo};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tower::Service;

use super::proxy::{NoProxy, ProxyUrl};

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// (connect, read) timeouts of a connector.
type Timeouts = (Option<Duration>, Option<Duration>);

/// Proxy URLs and exclusions, the provider block's values already merged with the environment
/// and checked. `Debug` shows no userinfo (`ProxyUrl`'s own).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProxySettings {
    pub http: Option<ProxyUrl>,
    pub https: Option<ProxyUrl>,
    pub no_proxy: NoProxy,
}

/// A CA bundle read at configure: its certificates.
#[derive(Clone, Debug)]
pub struct CaBundle {
    pub certs: Vec<CertificateDer<'static>>,
}

/// Everything the HTTP client needs from the provider block.
#[derive(Clone, Debug, Default)]
pub struct HttpSettings {
    pub ca_bundle: Option<CaBundle>,
    pub insecure: bool,
    pub proxy: ProxySettings,
}

/// The client. Cloning shares it: one pool, one trust store per process.
#[derive(Clone)]
pub struct ProviderHttpClient {
    shared: Arc<Shared>,
}

struct Shared {
    settings: HttpSettings,
    tls: OnceLock<Result<Arc<ClientConfig>, String>>,
    /// One hyper client per distinct (connect, read) timeout pair the SDK asks for.
    connectors: Mutex<HashMap<Timeouts, SharedHttpConnector>>,
}

impl fmt::Debug for ProviderHttpClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ProviderHttpClient")
            .field("insecure", &self.shared.settings.insecure)
            .field("proxy", &self.shared.settings.proxy)
            .finish_non_exhaustive()
    }
}

impl ProviderHttpClient {
    /// Builds nothing that costs: no file is read, no socket opened, no trust store loaded.
    pub fn new(settings: HttpSettings) -> Self {
        ProviderHttpClient {
            shared: Arc::new(Shared {
                settings,
                tls: OnceLock::new(),
                connectors: Mutex::new(HashMap::new()),
            }),
        }
    }

    /// Whether the trust store has been built (tests check it stays unbuilt for http://).
    pub fn tls_loaded(&self) -> bool {
        self.shared.tls.get().is_some()
    }
}

impl Shared {
    /// The proxy for `uri`, if any. As in Go's net/http (and so hashicorp/aws), `localhost` and
    /// loopback addresses never go through a proxy: an emulator on this machine stays reachable
    /// when a CI runner sets HTTPS_PROXY for everything else. NO_PROXY sees the scheme's default
    /// port when the URL has none, as Go's does.
    fn proxy_for(&self, uri: &Uri) -> Option<&ProxyUrl> {
        let host = uri.host()?.trim_start_matches('[').trim_end_matches(']');
        let loopback = host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        if loopback {
            return None;
        }
        let https = uri.scheme() == Some(&http::uri::Scheme::HTTPS);
        let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
        let proxy = &self.settings.proxy;
        if proxy.no_proxy.matches(host, port) {
            return None;
        }
        if https {
            proxy.https.as_ref()
        } else {
            proxy.http.as_ref()
        }
    }

    fn tls_config(&self) -> Result<Arc<ClientConfig>, String> {
        self.tls.get_or_init(|| self.build_tls()).clone()
    }

    /// TLS over `io` to the host of `uri` (an endpoint or an https:// proxy), verified against
    /// the one trust store.
    async fn tls_connect<IO>(
        &self,
        uri: &Uri,
        io: IO,
    ) -> Result<tokio_rustls::client::TlsStream<IO>, BoxError>
    where
        IO: AsyncRead + AsyncWrite + Unpin,
    {
        let config = self.tls_config().map_err(TlsSetupFailed)?;
        // IPv6 literals come bracketed in URIs, not in server names.
        let host = uri
            .host()
            .unwrap_or_default()
            .trim_start_matches('[')
            .trim_end_matches(']');
        let name = ServerName::try_from(host.to_owned())
            .map_err(|e| format!("invalid TLS server name {host:?}: {e}"))?;
        Ok(tokio_rustls::TlsConnector::from(config)
            .connect(name, io)
            .await?)
    }

    fn build_tls(&self) -> Result<Arc<ClientConfig>, String> {
        let provider = crate::plugin::tls::provider();
        let builder = ClientConfig::builder_with_provider(provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS setup failed: {e}"))?;
        let config = if self.settings.insecure {
            tracing::warn!("insecure = true: TLS certificates of AWS endpoints are not verified");
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AcceptAnyCertificate(provider)))
                .with_no_client_auth()
        } else {
            // A CA bundle is trusted instead of the system's CAs, as Go's RootCAs are (and so
            // hashicorp/aws): a user who pins a private CA trusts no public one.
            let mut roots = RootCertStore::empty();
            match &self.settings.ca_bundle {
                Some(ca) => {
                    let (bundle, _) = roots.add_parsable_certificates(ca.certs.iter().cloned());
                    tracing::debug!(bundle, "TLS trust store: the CA bundle only");
                }
                None => {
                    let native = rustls_native_certs::load_native_certs();
                    let (system, _) = roots.add_parsable_certificates(native.certs);
                    tracing::debug!(system, "TLS trust store: the system's CAs");
                }
            }
            if roots.is_empty() {
                return Err(match self.settings.ca_bundle {
                    Some(_) => "no trusted CA certificate: the CA bundle holds no certificate \
                                that parses"
                        .to_owned(),
                    None => "no trusted CA certificate: the system has none and no \
                             custom_ca_bundle is set"
                        .to_owned(),
                });
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        };
        Ok(Arc::new(config))
    }
}

impl HttpClient for ProviderHttpClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        _components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        let key = (settings.connect_timeout(), settings.read_timeout());
        let mut map = self
            .shared
            .connectors
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        map.entry(key)
            .or_insert_with(|| {
                let mut tcp = TcpConnector::new();
                tcp.enforce_http(false);
                tcp.set_nodelay(true);
                tcp.set_connect_timeout(key.0);
                let connector = Connector {
                    tcp,
                    shared: self.shared.clone(),
                };
                SharedHttpConnector::new(Adapter {
                    client: Client::builder(TokioExecutor::new()).build(connector),
                    read_timeout: key.1,
                    shared: self.shared.clone(),
                })
            })
            .clone()
    }
}

/// The SDK's view of one hyper client: requests in, responses or classified errors out.
struct Adapter {
    client: Client<Connector, SdkBody>,
    read_timeout: Option<Duration>,
    shared: Arc<Shared>,
}

impl fmt::Debug for Adapter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Adapter").finish_non_exhaustive()
    }
}

impl HttpConnector for Adapter {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let mut request = match request.try_into_http1x() {
            Ok(r) => r,
            Err(e) => return HttpConnectorFuture::ready(Err(ConnectorError::user(e.into()))),
        };
        let uri = request.uri().clone();
        // A plain-http request through a proxy carries the proxy's credentials itself; an https one
        // gives them to the CONNECT (the connector's business).
        if uri.scheme() == Some(&http::uri::Scheme::HTTP)
            && let Some(auth) = self
                .shared
                .proxy_for(&uri)
                .and_then(|p| p.basic_auth().cloned())
        {
            request.headers_mut().insert(PROXY_AUTHORIZATION, auth);
        }
        let send = self.client.request(request);
        let read_timeout = self.read_timeout;
        HttpConnectorFuture::new(async move {
            let sent = match read_timeout {
                Some(limit) => match tokio::time::timeout(limit, send).await {
                    Ok(r) => r,
                    Err(_) => {
                        return Err(ConnectorError::timeout(
                            format!("no response from {} within {limit:?}", endpoint(&uri)).into(),
                        ));
                    }
                },
                None => send.await,
            };
            match sent {
                Ok(response) => HttpResponse::try_from(response.map(SdkBody::from_body_1_x))
                    .map_err(|e| ConnectorError::other(e.into(), None)),
                Err(e) => Err(classify(&uri, e)),
            }
        })
    }
}

/// `scheme://host:port` of a request, what a person calls the endpoint.
/// Userinfo, if a URL carries any, is shown as `xxxxx`.
fn endpoint(uri: &Uri) -> String {
    super::proxy::redact(&format!(
        "{}://{}",
        uri.scheme_str().unwrap_or("https"),
        uri.authority().map_or("", |a| a.as_str())
    ))
}

/// A certificate the client would not trust: not retried (it will not fix itself), and worded
/// for the person who has to fix it.
#[derive(Debug)]
pub struct UntrustedCertificate {
    pub endpoint: String,
    pub reason: String,
}

impl fmt::Display for UntrustedCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the TLS certificate of {} is not trusted ({}). If a proxy or a private CA signs it, \
             set custom_ca_bundle in the provider block (or AWS_CA_BUNDLE, or ca_bundle in the \
             profile) to that CA's PEM file",
            self.endpoint, self.reason
        )
    }
}

impl std::error::Error for UntrustedCertificate {}

/// The TLS trust store could not be built (no roots at all).
#[derive(Debug)]
pub struct TlsSetupFailed(pub String);

impl fmt::Display for TlsSetupFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TlsSetupFailed {}

fn classify(uri: &Uri, error: hyper_util::client::legacy::Error) -> ConnectorError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&error);
    let mut io = error.is_connect();
    while let Some(e) = source {
        if let Some(rustls::Error::InvalidCertificate(reason)) = e.downcast_ref::<rustls::Error>() {
            return ConnectorError::other(
                Box::new(UntrustedCertificate {
                    endpoint: endpoint(uri),
                    reason: format!("{reason:?}"),
                }),
                None,
            );
        }
        if let Some(setup) = e.downcast_ref::<TlsSetupFailed>() {
            return ConnectorError::other(Box::new(TlsSetupFailed(setup.0.clone())), None);
        }
        if let Some(ioe) = e.downcast_ref::<std::io::Error>() {
            if ioe.kind() == std::io::ErrorKind::TimedOut {
                return ConnectorError::timeout(error.into());
            }
            io = true;
            // io::Error::source skips its payload, where rustls puts its error.
            source = ioe
                .get_ref()
                .map(|p| p as &(dyn std::error::Error + 'static));
            continue;
        }
        if let Some(h) = e.downcast_ref::<hyper::Error>()
            && (h.is_closed() || h.is_canceled() || h.is_incomplete_message())
        {
            io = true;
        }
        source = e.source();
    }
    // The endpoint goes into the message: "dns error" alone does not say which name failed.
    let error = Box::new(AtEndpoint {
        endpoint: endpoint(uri),
        source: error.into(),
    });
    if io {
        ConnectorError::io(error)
    } else {
        ConnectorError::other(error, None)
    }
}

/// A transport failure with the endpoint it happened at.
#[derive(Debug)]
struct AtEndpoint {
    endpoint: String,
    source: BoxError,
}

impl fmt::Display for AtEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.endpoint)
    }
}

impl std::error::Error for AtEndpoint {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// TCP, through the proxy the matcher picks, then TLS for https:// (the trust store is built on
/// the first such connection).
#[derive(Clone)]
struct Connector {
    tcp: TcpConnector,
    shared: Arc<Shared>,
}

impl Service<Uri> for Connector {
    type Response = MaybeHttpsStream<Tcp>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.tcp.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: Uri) -> Self::Future {
        let mut tcp = self.tcp.clone();
        let shared = self.shared.clone();
        Box::pin(async move {
            let https = uri.scheme() == Some(&http::uri::Scheme::HTTPS);
            let proxy = shared.proxy_for(&uri).cloned();
            let stream = match (proxy, https) {
                (None, _) => Tcp {
                    io: TokioIo::new(Wire::Plain(tcp.call(uri.clone()).await?.into_inner())),
                    proxied: false,
                },
                (Some(proxy), true) => {
                    tracing::debug!(%proxy, target = %endpoint(&uri), "CONNECT");
                    let mut tunnel = Tunnel::new(
                        proxy.dial().clone(),
                        ToProxy {
                            tcp,
                            shared: shared.clone(),
                        },
                    );
                    if let Some(auth) = proxy.basic_auth() {
                        tunnel = tunnel.with_auth(auth.clone());
                    }
                    Tcp {
                        io: tunnel.call(uri.clone()).await?,
                        proxied: false,
                    }
                }
                (Some(proxy), false) => {
                    tracing::debug!(%proxy, target = %endpoint(&uri), "via proxy");
                    Tcp {
                        io: ToProxy {
                            tcp,
                            shared: shared.clone(),
                        }
                        .call(proxy.dial().clone())
                        .await?,
                        proxied: true,
                    }
                }
            };
            if !https {
                return Ok(MaybeHttpsStream::Http(stream));
            }
            let tls = shared.tls_connect(&uri, TokioIo::new(stream)).await?;
            Ok(MaybeHttpsStream::Https(TokioIo::new(tls)))
        })
    }
}

/// The connection to a proxy: TCP, and TLS on top for an `https://` proxy (as Go's Transport
/// does), so a CONNECT and its `Proxy-Authorization` never cross the wire in clear. The proxy's
/// certificate is checked against the same trust store as AWS endpoints.
#[derive(Clone)]
struct ToProxy {
    tcp: TcpConnector,
    shared: Arc<Shared>,
}

impl Service<Uri> for ToProxy {
    type Response = TokioIo<Wire>;
    type Error = BoxError;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, BoxError>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), BoxError>> {
        self.tcp.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, proxy: Uri) -> Self::Future {
        let mut tcp = self.tcp.clone();
        let shared = self.shared.clone();
        Box::pin(async move {
            let plain = tcp.call(proxy.clone()).await?.into_inner();
            if proxy.scheme() != Some(&http::uri::Scheme::HTTPS) {
                return Ok(TokioIo::new(Wire::Plain(plain)));
            }
            let tls = shared.tls_connect(&proxy, plain).await?;
            Ok(TokioIo::new(Wire::Tls(Box::new(tls))))
        })
    }
}

/// A byte stream to an endpoint or a proxy: plain TCP, or TLS to an `https://` proxy.
enum Wire {
    Plain(TcpStream),
    Tls(Box<tokio_rustls::client::TlsStream<TcpStream>>),
}

impl AsyncRead for Wire {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Wire::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Wire::Tls(s) => Pin::new(s.as_mut()).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Wire {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        match self.get_mut() {
            Wire::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Wire::Tls(s) => Pin::new(s.as_mut()).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Wire::Plain(s) => Pin::new(s).poll_flush(cx),
            Wire::Tls(s) => Pin::new(s.as_mut()).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        match self.get_mut() {
            Wire::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Wire::Tls(s) => Pin::new(s.as_mut()).poll_shutdown(cx),
        }
    }
}

/// A connection that knows whether it goes to a forwarding proxy, so hyper writes
/// absolute-form request targets on it.
struct Tcp {
    io: TokioIo<Wire>,
    proxied: bool,
}

impl Connection for Tcp {
    fn connected(&self) -> Connected {
        Connected::new().proxy(self.proxied)
    }
}

impl Read for Tcp {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: ReadBufCursor<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_read(cx, buf)
    }
}

impl Write for Tcp {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// `insecure = true`: any certificate is accepted, but the handshake's signatures are still
/// checked against it (a man in the middle must at least present a key it holds).
#[derive(Debug)]
struct AcceptAnyCertificate(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for AcceptAnyCertificate {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// Reads a PEM file of CA certificates; the error says what is wrong with it.
pub fn read_ca_bundle(path: &str) -> Result<CaBundle, String> {
    use rustls::pki_types::pem::PemObject;
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path:?}: {e}"))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{path:?} is not a PEM file of certificates: {e}"))?;
    if certs.is_empty() {
        return Err(format!(
            "{path:?} holds no PEM certificate (\"-----BEGIN CERTIFICATE-----\")"
        ));
    }
    Ok(CaBundle { certs })
}
