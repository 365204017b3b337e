//! A fault-injecting, recording HTTP/1.1 proxy on 127.0.0.1 in front of LocalEmu or moto, for the
//! fault and STS tests. It speaks just enough HTTP for the AWS SDK's requests: it reads each
//! request, picks the operation from `X-Amz-Target` (awsJson) or the form's `Action=` (STS's query
//! protocol), records who signed it, and either answers with an injected fault or forwards the
//! request upstream and relays (optionally rewrites) the answer. [`FaultProxy::start_tls`] makes it
//! terminate TLS with a certificate of a test CA ([`TestCa`]). It runs on its own runtime thread
//! so synchronous tests can drive real clients meanwhile.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::watch;

/// What the proxy does with a matching request.
#[derive(Clone, Debug)]
pub enum Fault {
    /// Answers with an awsJson1_1 error: this HTTP status, `__type` and message, and the
    /// `x-amzn-ErrorType` header.
    Error {
        status: u16,
        code: &'static str,
        message: &'static str,
    },
    /// Answers with a query-protocol (STS) XML error: this HTTP status, code and message.
    QueryError {
        status: u16,
        code: &'static str,
        message: &'static str,
    },
    /// Waits, then forwards.
    Delay(Duration),
    /// Never answers (the connection stays open until the client gives up or the proxy stops).
    Hang,
    /// Waits `delay`, forwards, then replaces the store's `"Status"` in the answer when it is
    /// `from` (e.g. makes ENABLED read as STARTING_INGESTION, a store that never settles).
    Rewrite {
        delay: Duration,
        from: &'static str,
        to: &'static str,
    },
    /// Forwards unchanged (a rule that only counts, or lets some requests through first).
    Pass,
    /// Closes the connection without answering.
    Reset,
    /// Answers with this status and body (`text/xml`), e.g. a truncated answer that does not
    /// parse.
    Raw { status: u16, body: &'static str },
}

impl Fault {
    pub fn throttling() -> Fault {
        Fault::Error {
            status: 400,
            code: "ThrottlingException",
            message: "Rate exceeded",
        }
    }
    pub fn internal_error() -> Fault {
        Fault::Error {
            status: 500,
            code: "InternalFailure",
            message: "injected internal failure",
        }
    }
    pub fn unrecognized_client() -> Fault {
        Fault::Error {
            status: 400,
            code: "UnrecognizedClientException",
            message: "The security token included in the request is invalid.",
        }
    }
    pub fn expired_token() -> Fault {
        Fault::Error {
            status: 400,
            code: "ExpiredTokenException",
            message: "The security token included in the request is expired",
        }
    }
}

struct Rule {
    /// Operation name (`GetEventDataStore`), or `*` for every operation.
    op: String,
    fault: Fault,
    /// How many more requests it applies to; `None` is forever.
    remaining: Option<u32>,
}

#[derive(Default)]
struct State {
    rules: Vec<Rule>,
    /// Requests seen per operation (each SDK attempt counts).
    seen: HashMap<String, u32>,
    /// Requests forwarded upstream per operation.
    forwarded: HashMap<String, u32>,
    /// Faults injected per operation.
    injected: HashMap<String, u32>,
    log: Vec<(Instant, String, String)>,
    requests: Vec<Seen>,
    handshakes: u32,
}

/// One request as the proxy saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    pub op: String,
    /// The access key ID from the SigV4 `Authorization` header (`None`: unsigned).
    pub access_key: Option<String>,
    /// The request body (STS's form parameters, CloudTrail's JSON).
    pub body: String,
}

/// A certificate authority made for one test, and a server certificate it signed.
pub struct TestCa {
    pub ca_pem: String,
    cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

impl TestCa {
    /// A CA, and a certificate from it for `names` (DNS names or IP addresses).
    pub fn new(names: &[&str]) -> TestCa {
        use rcgen::{BasicConstraints, CertificateParams, IsCa, KeyPair, KeyUsagePurpose};
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        ca_params.distinguished_name.push(
            rcgen::DnType::CommonName,
            "terraform-provider-cloudtrail test CA",
        );
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let key = KeyPair::generate().unwrap();
        let params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        let issuer = rcgen::Issuer::new(ca_params, ca_key);
        let cert = params.signed_by(&key, &issuer).unwrap();
        TestCa {
            ca_pem: ca.pem(),
            cert_der: cert.der().to_vec(),
            key_der: key.serialize_der(),
        }
    }

    /// A TLS acceptor serving the certificate.
    pub fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(self.cert_der.clone())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone())),
            )
            .unwrap();
        tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config))
    }
}

pub struct FaultProxy {
    pub endpoint: String,
    pub port: u16,
    upstream: SocketAddr,
    state: Arc<Mutex<State>>,
    /// `true` while the proxy is down: its port refuses connections and open ones are dropped.
    down: watch::Sender<bool>,
    runtime: Option<tokio::runtime::Runtime>,
    tls: Option<tokio_rustls::TlsAcceptor>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (e.g. `http://127.0.0.1:4566`).
    pub fn start(upstream: &str) -> FaultProxy {
        Self::start_with(upstream, None)
    }

    /// The same, serving https:// with a certificate from `ca` (its endpoint names 127.0.0.1).
    pub fn start_tls(upstream: &str, ca: &TestCa) -> FaultProxy {
        Self::start_with(upstream, Some(ca.acceptor()))
    }

    fn start_with(upstream: &str, tls: Option<tokio_rustls::TlsAcceptor>) -> FaultProxy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("upstream must be http://IP:PORT");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime.block_on(bind(0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let (down, _) = watch::channel(false);
        let scheme = if tls.is_some() { "https" } else { "http" };
        let proxy = FaultProxy {
            endpoint: format!("{scheme}://127.0.0.1:{port}"),
            port,
            upstream,
            state: Arc::new(Mutex::new(State::default())),
            down,
            runtime: Some(runtime),
            tls,
        };
        proxy.serve(listener);
        proxy
    }

    fn serve(&self, listener: TcpListener) {
        let state = self.state.clone();
        let upstream = self.upstream;
        let mut down = self.down.subscribe();
        let tls = self.tls.clone();
        self.rt().spawn(async move {
            loop {
                let (stream, _) = tokio::select! {
                    _ = down.wait_for(|d| *d) => return,
                    accepted = listener.accept() => match accepted {
                        Ok(a) => a,
                        Err(_) => continue,
                    },
                };
                let state = state.clone();
                let mut conn_down = down.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let served = async {
                        match tls {
                            None => connection(stream, upstream, state).await,
                            Some(acceptor) => {
                                state.lock().unwrap().handshakes += 1;
                                // A client that does not trust the certificate hangs up here.
                                if let Ok(s) = acceptor.accept(stream).await {
                                    connection(s, upstream, state).await;
                                }
                            }
                        }
                    };
                    tokio::select! {
                        _ = conn_down.wait_for(|d| *d) => {}
                        _ = served => {}
                    }
                });
            }
        });
    }

    fn rt(&self) -> &tokio::runtime::Runtime {
        self.runtime.as_ref().unwrap()
    }

    /// Adds a rule for `op` (`*` for all), applied `times` times (`None`: forever). Rules are
    /// tried in the order added; the first that still applies wins.
    pub fn inject(&self, op: &str, fault: Fault, times: Option<u32>) {
        self.state.lock().unwrap().rules.push(Rule {
            op: op.to_owned(),
            fault,
            remaining: times,
        });
    }

    /// Removes every rule: from now on everything passes through.
    pub fn clear(&self) {
        self.state.lock().unwrap().rules.clear();
    }

    /// Every request, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.state.lock().unwrap().requests.clone()
    }

    /// TLS handshakes started (https:// proxies only), trusted or not.
    pub fn handshakes(&self) -> u32 {
        self.state.lock().unwrap().handshakes
    }

    /// Requests in all.
    pub fn total(&self) -> usize {
        self.state.lock().unwrap().requests.len()
    }

    pub fn seen(&self, op: &str) -> u32 {
        *self.state.lock().unwrap().seen.get(op).unwrap_or(&0)
    }

    pub fn forwarded(&self, op: &str) -> u32 {
        *self.state.lock().unwrap().forwarded.get(op).unwrap_or(&0)
    }

    pub fn injected(&self, op: &str) -> u32 {
        *self.state.lock().unwrap().injected.get(op).unwrap_or(&0)
    }

    /// One line per request: milliseconds since the first, operation, what was done.
    pub fn log(&self) -> String {
        let state = self.state.lock().unwrap();
        let Some(first) = state.log.first().map(|l| l.0) else {
            return "(no requests)".into();
        };
        state
            .log
            .iter()
            .map(|(t, op, what)| format!("{:>7} ms {op} {what}\n", (*t - first).as_millis()))
            .collect()
    }

    /// Takes the endpoint down like a killed server: the port refuses connections and every open
    /// connection is dropped without an answer.
    pub fn kill(&self) {
        self.down.send_replace(true);
        // Let the accept loop and connections see it before the caller goes on.
        std::thread::sleep(Duration::from_millis(50));
    }

    /// Brings the endpoint back on the same port.
    pub fn revive(&self) {
        let listener = self.rt().block_on(bind(self.port)).unwrap();
        self.down.send_replace(false);
        self.serve(listener);
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        self.down.send_replace(true);
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(1));
        }
    }
}

async fn bind(port: u16) -> std::io::Result<TcpListener> {
    let socket = TcpSocket::new_v4()?;
    socket.set_reuseaddr(true)?;
    socket.bind(SocketAddr::from(([127, 0, 0, 1], port)))?;
    socket.listen(128)
}

struct Request {
    head: Vec<(String, String)>,
    line: String,
    body: Vec<u8>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.head
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

async fn read_request<S: AsyncRead + Unpin>(reader: &mut BufReader<S>) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut head = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).await.ok()? == 0 {
            return None;
        }
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        head.push((k.trim().to_owned(), v.trim().to_owned()));
    }
    let len: usize = head
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).await.ok()?;
    Some(Request {
        head,
        line: line.trim_end().to_owned(),
        body,
    })
}

/// What to do with one request: the first rule that applies, counted.
fn decide(state: &Mutex<State>, op: &str) -> Option<Fault> {
    let mut state = state.lock().unwrap();
    *state.seen.entry(op.to_owned()).or_default() += 1;
    let fault = state
        .rules
        .iter_mut()
        .find(|r| (r.op == op || r.op == "*") && r.remaining != Some(0))
        .map(|r| {
            if let Some(n) = r.remaining.as_mut() {
                *n -= 1;
            }
            r.fault.clone()
        });
    let what = match &fault {
        None => "forwarded".to_owned(),
        Some(f) => format!("{f:?}"),
    };
    match &fault {
        None | Some(Fault::Delay(_) | Fault::Rewrite { .. } | Fault::Pass) => {
            *state.forwarded.entry(op.to_owned()).or_default() += 1
        }
        _ => {}
    }
    if fault.is_some() {
        *state.injected.entry(op.to_owned()).or_default() += 1;
    }
    state.log.push((Instant::now(), op.to_owned(), what));
    fault
}

async fn connection<S: AsyncRead + AsyncWrite + Unpin>(
    stream: S,
    upstream: SocketAddr,
    state: Arc<Mutex<State>>,
) {
    let mut reader = BufReader::new(stream);
    while let Some(req) = read_request(&mut reader).await {
        let body = String::from_utf8_lossy(&req.body).into_owned();
        let op = req
            .header("x-amz-target")
            .and_then(|t| t.rsplit('.').next())
            .map(str::to_owned)
            .or_else(|| {
                body.split('&')
                    .find_map(|kv| kv.strip_prefix("Action="))
                    .map(str::to_owned)
            })
            .unwrap_or_else(|| "(none)".to_owned());
        let access_key = req
            .header("authorization")
            .and_then(|a| a.split("Credential=").nth(1))
            .and_then(|c| c.split('/').next())
            .map(str::to_owned);
        state.lock().unwrap().requests.push(Seen {
            op: op.clone(),
            access_key,
            body,
        });
        let fault = decide(&state, &op);
        let response = match fault {
            Some(Fault::Error {
                status,
                code,
                message,
            }) => error_response(status, code, message),
            Some(Fault::QueryError {
                status,
                code,
                message,
            }) => query_error_response(status, code, message),
            Some(Fault::Raw { status, body }) => format!(
                "HTTP/1.1 {status} OK\r\nx-amzn-RequestId: injected-raw\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: keep-alive\r\n\r\n{body}",
                body.len()
            )
            .into_bytes(),
            Some(Fault::Hang) => std::future::pending().await,
            Some(Fault::Reset) => return,
            Some(Fault::Delay(d)) => {
                tokio::time::sleep(d).await;
                match forward(&req, upstream).await {
                    Some(r) => r,
                    None => return,
                }
            }
            Some(Fault::Rewrite { delay, from, to }) => {
                tokio::time::sleep(delay).await;
                match forward(&req, upstream).await {
                    Some(r) => rewrite_status(r, from, to),
                    None => return,
                }
            }
            Some(Fault::Pass) | None => match forward(&req, upstream).await {
                Some(r) => r,
                None => return,
            },
        };
        if reader.get_mut().write_all(&response).await.is_err() {
            return;
        }
    }
}

fn query_error_response(status: u16, code: &str, message: &str) -> Vec<u8> {
    let body = format!(
        "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>injected-{code}</RequestId></ErrorResponse>"
    );
    format!(
        "HTTP/1.1 {status} Error\r\nx-amzn-RequestId: injected-{code}\r\nContent-Type: text/xml\r\nContent-Length: {}\r\nConnection: keep-alive\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn error_response(status: u16, code: &str, message: &str) -> Vec<u8> {
    let body = format!(r#"{{"__type":"{code}","message":"{message}"}}"#);
    let reason = if status >= 500 {
        "Internal Server Error"
    } else {
        "Bad Request"
    };
    format!(
        "HTTP/1.1 {status} {reason}\r\nx-amzn-RequestId: injected-{code}\r\nx-amzn-ErrorType: {code}\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: {}\r\nConnection: keep-alive\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// Sends the request upstream on a fresh connection and returns the whole answer re-framed with
/// a Content-Length (chunked bodies are de-chunked).
async fn forward(req: &Request, upstream: SocketAddr) -> Option<Vec<u8>> {
    let mut up = TcpStream::connect(upstream).await.ok()?;
    let mut out = format!("{}\r\n", req.line);
    for (k, v) in &req.head {
        if !k.eq_ignore_ascii_case("connection") {
            out += &format!("{k}: {v}\r\n");
        }
    }
    out += "Connection: close\r\n\r\n";
    up.write_all(out.as_bytes()).await.ok()?;
    up.write_all(&req.body).await.ok()?;
    let mut raw = Vec::new();
    up.read_to_end(&mut raw).await.ok()?;
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = String::from_utf8_lossy(&raw[..split]).into_owned();
    let mut body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    let chunked = headers.iter().any(|(k, v)| {
        k.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
    });
    if chunked {
        body = dechunk(&body)?;
    } else if let Some(len) = headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.parse::<usize>().ok())
    {
        body.truncate(len);
    }
    Some(frame(&status_line, &headers, &body))
}

fn frame(status_line: &str, headers: &[(String, String)], body: &[u8]) -> Vec<u8> {
    let mut out = format!("{status_line}\r\n");
    for (k, v) in headers {
        if !["content-length", "transfer-encoding", "connection"]
            .iter()
            .any(|h| k.eq_ignore_ascii_case(h))
        {
            out += &format!("{k}: {v}\r\n");
        }
    }
    out += &format!(
        "Content-Length: {}\r\nConnection: keep-alive\r\n\r\n",
        body.len()
    );
    let mut bytes = out.into_bytes();
    bytes.extend_from_slice(body);
    bytes
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let end = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[end + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

/// Replaces the value of `"Status"` in a forwarded JSON answer when it is `from`.
fn rewrite_status(response: Vec<u8>, from: &str, to: &str) -> Vec<u8> {
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(response.len());
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let body = response.get(split + 4..).unwrap_or_default();
    let Ok(mut json) = serde_json::from_slice::<serde_json::Value>(body) else {
        return response;
    };
    match json.get_mut("Status") {
        Some(status) if status == from => *status = serde_json::Value::from(to),
        _ => return response,
    }
    let body = json.to_string().into_bytes();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap_or("HTTP/1.1 200 OK").to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect();
    frame(&status_line, &headers, &body)
}
