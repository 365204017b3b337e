//! Code generated from `proto/` at build time. Only `crate::tfplugin` and `crate::plugin` (and the
//! in-process tests) use these types; resources never see them.
#![allow(clippy::all, clippy::pedantic, missing_docs, unreachable_pub)]

pub mod tfplugin6 {
    tonic::include_proto!("tfplugin6");
}

pub mod plugin {
    tonic::include_proto!("plugin");
}
