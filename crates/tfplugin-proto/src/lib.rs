//! Code generated from `proto/` at build time: Terraform's tfplugin6 service and go-plugin's
//! controller, stdio and broker. Only the framework's transport and protocol modules depend on
//! it (and the provider's tests, which speak gRPC to the real binary); resources never can.
#![allow(clippy::all, clippy::pedantic, missing_docs, unreachable_pub)]

pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

pub mod plugin {
    tonic::include_proto!("plugin");
}
