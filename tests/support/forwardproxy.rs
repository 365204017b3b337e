//! A forwarding HTTP proxy on 127.0.0.1, as a corporate proxy would be: `CONNECT host:port` opens
//! a tunnel (https://), an absolute-form request (`POST http://host:port/ ...`) is forwarded
//! (http://). It counts what went through it, by target. Host names ending in `.test` resolve to
//! 127.0.0.1 here and nowhere else, so a request that reaches such a name went through the proxy.
//! `start_tls` serves the same over TLS (an `https://` proxy), and every `Proxy-Authorization`
//! it was sent is kept.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

use super::faultproxy::TestCa;

pub struct ForwardProxy {
    /// `http://127.0.0.1:PORT` (`https://` from `start_tls`), the value for `https_proxy` /
    /// `HTTPS_PROXY`.
    pub url: String,
    targets: Arc<Mutex<Vec<String>>>,
    auths: Arc<Mutex<Vec<String>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl ForwardProxy {
    pub fn start() -> ForwardProxy {
        Self::start_with(None)
    }

    /// The proxy behind TLS, with `ca`'s server certificate (which must name 127.0.0.1).
    pub fn start_tls(ca: &TestCa) -> ForwardProxy {
        Self::start_with(Some(ca.acceptor()))
    }

    fn start_with(tls: Option<tokio_rustls::TlsAcceptor>) -> ForwardProxy {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime.block_on(TcpListener::bind("127.0.0.1:0")).unwrap();
        let port = listener.local_addr().unwrap().port();
        let targets = Arc::new(Mutex::new(Vec::new()));
        let auths = Arc::new(Mutex::new(Vec::new()));
        let seen = (targets.clone(), auths.clone());
        let scheme = if tls.is_some() { "https" } else { "http" };
        runtime.spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let seen = seen.clone();
                let tls = tls.clone();
                tokio::spawn(async move {
                    let _ = match tls {
                        Some(tls) => match tls.accept(stream).await {
                            Ok(stream) => serve(stream, seen).await,
                            Err(_) => Ok(()),
                        },
                        None => serve(stream, seen).await,
                    };
                });
            }
        });
        ForwardProxy {
            url: format!("{scheme}://127.0.0.1:{port}"),
            targets,
            auths,
            runtime: Some(runtime),
        }
    }

    /// Every `Proxy-Authorization` value it was sent, in order.
    pub fn auths(&self) -> Vec<String> {
        self.auths.lock().unwrap().clone()
    }

    /// What went through, one entry per tunnel or forwarded request: `CONNECT host:port` or
    /// `POST http://host:port/`.
    pub fn targets(&self) -> Vec<String> {
        self.targets.lock().unwrap().clone()
    }
}

impl Drop for ForwardProxy {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_timeout(Duration::from_secs(1));
        }
    }
}

/// `host:port` with `*.test` names mapped to loopback.
async fn dial(authority: &str) -> std::io::Result<TcpStream> {
    let (host, port) = authority.rsplit_once(':').unwrap_or((authority, "80"));
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let host = if host.ends_with(".test") {
        "127.0.0.1"
    } else {
        host
    };
    TcpStream::connect((host, port.parse::<u16>().unwrap_or(80))).await
}

type Seen = (Arc<Mutex<Vec<String>>>, Arc<Mutex<Vec<String>>>);

async fn serve<S: AsyncRead + AsyncWrite + Unpin>(stream: S, seen: Seen) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    reader.read_line(&mut line).await?;
    let mut head = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h).await? == 0 {
            return Ok(());
        }
        if h.trim_end().is_empty() {
            break;
        }
        head.push(h.trim_end().to_owned());
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    seen.0.lock().unwrap().push(format!("{method} {target}"));
    for h in &head {
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("proxy-authorization")
        {
            seen.1.lock().unwrap().push(v.trim().to_owned());
        }
    }
    if method == "CONNECT" {
        let mut upstream = match dial(target).await {
            Ok(u) => u,
            Err(_) => {
                reader
                    .get_mut()
                    .write_all(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                    .await?;
                return Ok(());
            }
        };
        reader
            .get_mut()
            .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
            .await?;
        let mut client = reader.into_inner();
        tokio::io::copy_bidirectional(&mut client, &mut upstream).await?;
        return Ok(());
    }
    // Absolute form: forward this one request on a fresh connection, then close.
    let rest = target.strip_prefix("http://").unwrap_or(target);
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let len: usize = head
        .iter()
        .find_map(|h| {
            let (k, v) = h.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; len];
    reader.read_exact(&mut body).await?;
    let mut upstream = dial(authority).await?;
    let mut out = format!("{method} {path} HTTP/1.1\r\n");
    for h in &head {
        let name = h.split(':').next().unwrap_or("").to_ascii_lowercase();
        if name != "connection" && name != "proxy-connection" && name != "proxy-authorization" {
            out += h;
            out += "\r\n";
        }
    }
    out += "Connection: close\r\n\r\n";
    upstream.write_all(out.as_bytes()).await?;
    upstream.write_all(&body).await?;
    // One answer, framed by its Content-Length: the upstream may keep its side open.
    let mut up = BufReader::new(upstream);
    let mut answer = String::new();
    let mut len = 0usize;
    loop {
        let mut h = String::new();
        if up.read_line(&mut h).await? == 0 {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse().unwrap_or(0);
        }
        let end = h.trim_end().is_empty();
        answer += &h;
        if end {
            break;
        }
    }
    let mut body = vec![0; len];
    up.read_exact(&mut body).await?;
    let client = reader.get_mut();
    client.write_all(answer.as_bytes()).await?;
    client.write_all(&body).await?;
    client.shutdown().await?;
    Ok(())
}
