//! The go-plugin side of the process: checks the magic cookie, negotiates protocol 6, listens on a
//! private socket with AutoMTLS, prints the one handshake line and serves until told to stop.
//! Nothing in this module knows what a resource is.

mod conn;
mod env;
mod server;
mod side_services;
pub mod tls;

pub use env::{HandshakeEnv, HandshakeError, MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, parse_env};
pub use server::{ServeMode, ServeOptions, TLS_HANDSHAKE_TIMEOUT, serve};
