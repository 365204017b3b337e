//! `tracing` events as hclog JSON lines on stderr, which go-plugin parses and Terraform shows at
//! the same level in its own log. The level comes from TF_LOG_PROVIDER, else TF_LOG.

use std::fmt::Write as _;
use std::io::Write as _;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;

/// The level filter named by Terraform's variables; `None` means logging is off.
pub fn level_from_env(get: impl Fn(&str) -> Option<String>) -> Option<Level> {
    let value = get("TF_LOG_PROVIDER")
        .filter(|v| !v.trim().is_empty())
        .or_else(|| get("TF_LOG"))?;
    match value.trim().to_ascii_uppercase().as_str() {
        "TRACE" | "JSON" => Some(Level::TRACE),
        "DEBUG" => Some(Level::DEBUG),
        "INFO" => Some(Level::INFO),
        "WARN" => Some(Level::WARN),
        "ERROR" => Some(Level::ERROR),
        // Terraform treats any other non-empty value as TRACE.
        "" | "OFF" => None,
        _ => Some(Level::TRACE),
    }
}

/// Installs the hclog layer for the process, its lines under `@module` `provider.<name>`, the
/// user's level for the events of `own_crate` (the provider's crate name, `my_provider`) and of
/// this framework. Safe to call once; later calls are ignored.
pub fn init(name: &'static str, own_crate: &'static str) {
    let Some(level) = level_from_env(|k| std::env::var(k).ok()) else {
        return;
    };
    let layer = HclogLayer {
        max_level: level,
        module: format!("provider.{name}"),
        own_crate,
    };
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

struct HclogLayer {
    max_level: Level,
    module: String,
    own_crate: &'static str,
}

impl HclogLayer {
    /// The user's level applies to the provider's own events; libraries (h2 frames, hyper,
    /// rustls) only speak up for warnings, or their chatter would drown the provider's lines.
    fn level_for(&self, target: &str) -> Level {
        if target.starts_with(self.own_crate) || target.starts_with(env!("CARGO_CRATE_NAME")) {
            self.max_level
        } else {
            self.max_level.min(Level::WARN)
        }
    }
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn enabled(&self, metadata: &tracing::Metadata<'_>, _ctx: Context<'_, S>) -> bool {
        *metadata.level() <= self.level_for(metadata.target())
    }

    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        if *event.metadata().level() > self.level_for(event.metadata().target()) {
            return;
        }
        let line = format_line(event, &self.module);
        // Logging must never fail an RPC: a closed stderr just loses the line.
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

fn format_line(event: &Event<'_>, module: &str) -> String {
    let mut visitor = JsonVisitor::default();
    event.record(&mut visitor);
    let mut map = serde_json::Map::new();
    map.insert(
        "@level".into(),
        level_name(*event.metadata().level()).into(),
    );
    map.insert("@message".into(), visitor.message.into());
    map.insert("@module".into(), module.into());
    map.insert("@timestamp".into(), timestamp().into());
    for (k, v) in visitor.fields {
        map.insert(k, v);
    }
    serde_json::Value::Object(map).to_string()
}

fn level_name(level: Level) -> &'static str {
    match level {
        Level::TRACE => "trace",
        Level::DEBUG => "debug",
        Level::INFO => "info",
        Level::WARN => "warn",
        Level::ERROR => "error",
    }
}

/// hclog's layout `2006-01-02T15:04:05.000000Z07:00`; anything else makes Terraform treat the
/// line as plain text.
fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    let mut s = String::with_capacity(27);
    let _ = write!(
        s,
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond()
    );
    s
}

#[derive(Default)]
struct JsonVisitor {
    message: String,
    fields: Vec<(String, serde_json::Value)>,
}

impl Visit for JsonVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message = value.to_owned();
        } else {
            self.fields.push((field.name().to_owned(), value.into()));
        }
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.fields.push((field.name().to_owned(), value.into()));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.fields.push((field.name().to_owned(), value.into()));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.fields.push((field.name().to_owned(), value.into()));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.fields.push((field.name().to_owned(), value.into()));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let text = format!("{value:?}");
        if field.name() == "message" {
            self.message = text;
        } else {
            self.fields.push((field.name().to_owned(), text.into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn provider_variable_wins_over_tf_log() {
        let get = |k: &str| match k {
            "TF_LOG" => Some("trace".to_owned()),
            "TF_LOG_PROVIDER" => Some("warn".to_owned()),
            _ => None,
        };
        assert_eq!(level_from_env(get), Some(Level::WARN));
        assert_eq!(level_from_env(|_| None), None);
        assert_eq!(
            level_from_env(|k| (k == "TF_LOG").then(|| "off".to_owned())),
            None
        );
        assert_eq!(
            level_from_env(|k| (k == "TF_LOG").then(|| "1".to_owned())),
            Some(Level::TRACE)
        );
    }

    #[test]
    fn timestamp_has_hclog_layout() {
        let ts = timestamp();
        assert_eq!(ts.len(), "2006-01-02T15:04:05.000000Z".len(), "{ts}");
        assert_eq!(&ts[10..11], "T");
        assert!(ts.ends_with('Z'));
    }
}
