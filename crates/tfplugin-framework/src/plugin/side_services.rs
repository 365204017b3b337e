//! go-plugin's side services: GRPCController (Shutdown), GRPCStdio and GRPCBroker. The provider
//! needs no broker or stdio forwarding, but answering them keeps go-plugin quiet and fast.

use std::pin::Pin;

use tokio_stream::Stream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status, Streaming};

use tfplugin_proto::plugin::{
    ConnInfo, Empty, StdioData, grpc_broker_server::GrpcBroker,
    grpc_controller_server::GrpcController, grpc_stdio_server::GrpcStdio,
};

pub struct Controller {
    /// Cancelled by Shutdown; the server then stops gracefully and the process exits 0.
    pub shutdown: CancellationToken,
    /// In debug mode a person owns the process: Shutdown from one Terraform run must not end it.
    pub ignore_shutdown: bool,
}

#[tonic::async_trait]
impl GrpcController for Controller {
    async fn shutdown(&self, _request: Request<Empty>) -> Result<Response<Empty>, Status> {
        if self.ignore_shutdown {
            tracing::debug!("GRPCController.Shutdown ignored in debug mode");
        } else {
            tracing::debug!("GRPCController.Shutdown: stopping");
            self.shutdown.cancel();
        }
        Ok(Response::new(Empty {}))
    }
}

type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send>>;

/// A stream that yields nothing and ends when the server shuts down, so graceful shutdown does
/// not wait on it.
fn idle_stream<T: Send + 'static>(shutdown: CancellationToken) -> BoxStream<T> {
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<T, Status>>(1);
    tokio::spawn(async move {
        shutdown.cancelled().await;
        drop(tx);
    });
    Box::pin(tokio_stream::wrappers::ReceiverStream::new(rx))
}

pub struct Stdio {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcStdio for Stdio {
    async fn stream_stdio(
        &self,
        _request: Request<()>,
    ) -> Result<Response<BoxStream<StdioData>>, Status> {
        // Our logs go to stderr directly as hclog JSON; nothing is forwarded through here.
        Ok(Response::new(idle_stream(self.shutdown.clone())))
    }
}

pub struct Broker {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl GrpcBroker for Broker {
    async fn start_stream(
        &self,
        request: Request<Streaming<ConnInfo>>,
    ) -> Result<Response<BoxStream<ConnInfo>>, Status> {
        let mut incoming = request.into_inner();
        let shutdown = self.shutdown.clone();
        let done = CancellationToken::new();
        let done_for_reader = done.clone();
        // Drain what the client sends (it never asks for sub-connections of this provider) and
        // end our side when the client ends its side or the server shuts down.
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    msg = incoming.message() => match msg {
                        Ok(Some(_)) => continue,
                        _ => break,
                    },
                }
            }
            done_for_reader.cancel();
        });
        Ok(Response::new(idle_stream(done)))
    }
}
