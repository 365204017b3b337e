//! Listens, prints the handshake line, and serves every gRPC service until Shutdown.

use std::io::Write;
use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use tokio::net::TcpListener;
#[cfg(unix)]
use tokio::net::UnixListener;
use tokio_util::sync::CancellationToken;

use super::conn::Conn;
use super::side_services::{Broker, Controller, Stdio};
use super::tls::ServerCert;
use super::{HandshakeEnv, env::PROTOCOL_VERSION};
use tfplugin_proto::plugin::{
    grpc_broker_server::GrpcBrokerServer, grpc_controller_server::GrpcControllerServer,
    grpc_stdio_server::GrpcStdioServer,
};
use tfplugin_proto::tfplugin6::provider_server::ProviderServer;

use crate::provider::Provider;
use crate::tfplugin::ProviderService;

pub enum ServeMode {
    /// Launched by Terraform/OpenTofu: cookie checked, AutoMTLS when a client cert was given.
    Plugin(HandshakeEnv),
    /// Launched by a person (`--debug`): plaintext, prints TF_REATTACH_PROVIDERS, ends on Ctrl-C.
    Debug,
}

pub struct ServeOptions {
    pub mode: ServeMode,
    /// The provider's source addresses (`registry.terraform.io/ns/name`, and OpenTofu's), which
    /// the debug mode's TF_REATTACH_PROVIDERS line names.
    pub addresses: &'static [&'static str],
}

enum Listener {
    #[cfg(unix)]
    Unix(UnixListener),
    Tcp(TcpListener),
}

/// Where the server listens, and what the handshake line says about it.
struct Listening {
    listener: Listener,
    network: &'static str,
    address: String,
    /// The unix socket's private directory, removed (socket included) when this drops.
    _socket_dir: Option<tempfile::TempDir>,
}

/// go-plugin's transport on unix: a socket in a 0700 directory, so no other user can reach it;
/// TCP on 127.0.0.1 within the port range only if the socket cannot be made.
#[cfg(unix)]
async fn listen(min_port: u16, max_port: u16) -> std::io::Result<Listening> {
    use std::os::unix::fs::PermissionsExt;
    let socket_dir = tempfile::Builder::new()
        .prefix("plugin")
        .permissions(std::fs::Permissions::from_mode(0o700))
        .tempdir()?;
    let socket_path = socket_dir.path().join("provider.sock");
    match UnixListener::bind(&socket_path) {
        Ok(listener) => Ok(Listening {
            listener: Listener::Unix(listener),
            network: "unix",
            address: socket_path.to_string_lossy().into_owned(),
            _socket_dir: Some(socket_dir),
        }),
        Err(unix_err) => {
            tracing::warn!(error = %unix_err, "unix socket unavailable, falling back to TCP");
            listen_tcp(min_port, max_port).await
        }
    }
}

/// go-plugin's transport on Windows: TCP on 127.0.0.1, the first free port of
/// PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT (Terraform and OpenTofu connect to what the line says).
#[cfg(windows)]
async fn listen(min_port: u16, max_port: u16) -> std::io::Result<Listening> {
    listen_tcp(min_port, max_port).await
}

async fn listen_tcp(min_port: u16, max_port: u16) -> std::io::Result<Listening> {
    let listener = bind_tcp(min_port, max_port).await?;
    let address = listener.local_addr()?.to_string();
    Ok(Listening {
        listener: Listener::Tcp(listener),
        network: "tcp",
        address,
        _socket_dir: None,
    })
}

/// Serves until GRPCController.Shutdown (or Ctrl-C in debug mode). A unix socket's private
/// directory is removed when this returns.
pub async fn serve<P: Provider>(
    options: ServeOptions,
    provider: P,
) -> Result<(), Box<dyn std::error::Error>> {
    let (min_port, max_port, client_cert) = match &options.mode {
        ServeMode::Plugin(env) => (env.min_port, env.max_port, env.client_cert.clone()),
        ServeMode::Debug => (10000, 25000, None),
    };
    let debug = matches!(options.mode, ServeMode::Debug);

    let Listening {
        listener,
        network,
        address,
        _socket_dir: socket_dir,
    } = listen(min_port, max_port).await?;

    let cert = client_cert
        .as_ref()
        .map(|_| ServerCert::generate())
        .transpose()?;
    print_handshake(
        network,
        &address,
        cert.as_ref().map(|c| c.handshake_cert.as_str()),
        debug.then_some(options.addresses),
    )?;
    // Everything below runs after the line; Terraform's first connection waits in the
    // listener's backlog meanwhile (for well under a millisecond).
    let acceptor = match (cert, client_cert) {
        (Some(cert), Some(client_cert)) => match cert.server_config(client_cert) {
            Ok(config) => Some(tokio_rustls::TlsAcceptor::from(config)),
            Err(err) => {
                // Terraform has the line already and will only see the connection fail: say why
                // in its log as well.
                tracing::error!(error = %err, "cannot build the TLS configuration");
                return Err(err.into());
            }
        },
        _ => None,
    };
    let shutdown = CancellationToken::new();
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Conn>>(16);
    let accept_shutdown = shutdown.clone();
    tokio::spawn(async move {
        loop {
            let accepted = tokio::select! {
                _ = accept_shutdown.cancelled() => break,
                accepted = accept_one(&listener) => accepted,
            };
            let conn = match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    continue;
                }
            };
            let tx = tx.clone();
            let acceptor = acceptor.clone();
            // The TLS handshake runs on its own task so a slow or hostile peer cannot stall others.
            tokio::spawn(async move {
                let conn = match (acceptor, conn) {
                    (None, c) => c.into_conn(),
                    (Some(acceptor), c) => {
                        match tokio::time::timeout(TLS_HANDSHAKE_TIMEOUT, c.tls(&acceptor)).await {
                            Ok(Ok(conn)) => conn,
                            Ok(Err(e)) => {
                                tracing::warn!(error = %e, "refused a connection: TLS handshake failed");
                                return;
                            }
                            Err(_) => {
                                tracing::warn!(
                                    "refused a connection: no TLS handshake within {TLS_HANDSHAKE_TIMEOUT:?}"
                                );
                                return;
                            }
                        }
                    }
                };
                let _ = tx.send(Ok(conn)).await;
            });
        }
    });
    let router = build_router(provider, &shutdown, debug).await;

    if debug {
        let ctrl_c_shutdown = shutdown.clone();
        tokio::spawn(async move {
            let _ = tokio::signal::ctrl_c().await;
            ctrl_c_shutdown.cancel();
        });
    }

    let incoming = tokio_stream::wrappers::ReceiverStream::new(rx);
    let stopping = shutdown.clone();
    let server = router.serve_with_incoming_shutdown(incoming, stopping.cancelled_owned());
    tokio::pin!(server);
    tokio::select! {
        result = &mut server => result?,
        _ = async {
            shutdown.cancelled().await;
            // Graceful shutdown waits for clients to hang up; go-plugin kills us after 2 s anyway,
            // so stop waiting well before that.
            tokio::time::sleep(Duration::from_millis(1500)).await;
        } => tracing::debug!("clients still connected after shutdown; exiting"),
    }
    drop(socket_dir);
    Ok(())
}

async fn build_router<P: Provider>(
    provider: P,
    shutdown: &CancellationToken,
    debug: bool,
) -> tonic::transport::server::Router {
    let (health_reporter, health_service) = tonic_health::server::health_reporter();
    health_reporter
        .set_service_status("plugin", tonic_health::ServingStatus::Serving)
        .await;
    let provider = ProviderServer::new(ProviderService::new(provider))
        .max_decoding_message_size(usize::MAX)
        .max_encoding_message_size(usize::MAX);
    tonic::transport::Server::builder()
        .add_service(provider)
        .add_service(GrpcControllerServer::new(Controller {
            shutdown: shutdown.clone(),
            ignore_shutdown: debug,
        }))
        .add_service(GrpcStdioServer::new(Stdio {
            shutdown: shutdown.clone(),
        }))
        .add_service(GrpcBrokerServer::new(Broker {
            shutdown: shutdown.clone(),
        }))
        .add_service(health_service)
}

async fn bind_tcp(min: u16, max: u16) -> std::io::Result<TcpListener> {
    let mut last = None;
    for port in min..=max {
        match TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    Err(last.unwrap_or_else(|| std::io::Error::other("empty port range")))
}

enum Accepted {
    #[cfg(unix)]
    Unix(tokio::net::UnixStream),
    Tcp(tokio::net::TcpStream),
}

impl Accepted {
    fn into_conn(self) -> Conn {
        match self {
            #[cfg(unix)]
            Accepted::Unix(s) => Conn::new(s),
            Accepted::Tcp(s) => Conn::new(s),
        }
    }
    async fn tls(self, acceptor: &tokio_rustls::TlsAcceptor) -> std::io::Result<Conn> {
        Ok(match self {
            #[cfg(unix)]
            Accepted::Unix(s) => Conn::new(acceptor.accept(s).await?),
            Accepted::Tcp(s) => Conn::new(acceptor.accept(s).await?),
        })
    }
}

/// How long an accepted connection may take to finish its TLS handshake. Terraform's takes
/// milliseconds (under qemu or wine, well under a second); a local peer that connects and says
/// nothing is dropped after this, so idle peers cannot pile up connections (on Windows the
/// listener is TCP, open to every local user).
pub const TLS_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

async fn accept_one(listener: &Listener) -> std::io::Result<Accepted> {
    match listener {
        #[cfg(unix)]
        Listener::Unix(l) => l.accept().await.map(|(s, _)| Accepted::Unix(s)),
        Listener::Tcp(l) => l.accept().await.map(|(s, _)| Accepted::Tcp(s)),
    }
}

// Never inlined: scripts/startup-order.sh stops its profile when this function returns, to list the
// code that runs before the line (link/startup-order.txt).
#[inline(never)]
fn print_handshake(
    network: &str,
    address: &str,
    cert: Option<&str>,
    debug_addresses: Option<&[&str]>,
) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    if let Some(addresses) = debug_addresses {
        // Every registry's address, so the same line works for Terraform and OpenTofu.
        let entry = serde_json::json!({
            "Protocol": "grpc",
            "ProtocolVersion": PROTOCOL_VERSION,
            "Pid": std::process::id(),
            "Test": true,
            "Addr": { "Network": network, "String": address },
        });
        let reattach: serde_json::Map<String, serde_json::Value> = addresses
            .iter()
            .map(|a| ((*a).to_owned(), entry.clone()))
            .collect();
        let reattach = serde_json::Value::Object(reattach);
        writeln!(
            out,
            "Provider started. To attach Terraform or OpenTofu, set this in the shell where you \
             run it:\n\n\tTF_REATTACH_PROVIDERS='{reattach}'\n\nPress Ctrl-C to stop."
        )?;
    } else {
        let cert = cert.unwrap_or("");
        // Exactly six fields: go-plugin <= 1.5 splits on '|' into at most six parts.
        writeln!(out, "1|{PROTOCOL_VERSION}|{network}|{address}|grpc|{cert}")?;
    }
    out.flush()
}
