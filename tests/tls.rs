//! TLS and proxies as a corporate network has them, through real Terraform and OpenTofu: LocalEmu
//! behind a TLS-terminating proxy whose CA the test makes (trusted by `custom_ca_bundle` or
//! `AWS_CA_BUNDLE`, refused without it, skipped by `insecure`), and a forwarding proxy that
//! counts what goes through it (`https_proxy`, `HTTPS_PROXY`, `http_proxy`, `no_proxy`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::faultproxy::{FaultProxy, TestCa};
use support::forwardproxy::ForwardProxy;
use support::localemu::{self, LocalEmu, unique_name};
use support::{REQUIRED_PROVIDERS, Workdir, client_binary, flat, per_client_of, runtime};

per_client_of!(with_newest_clients;
    a_private_ca_is_trusted_only_when_configured,
    requests_go_through_the_configured_proxy,
);

fn config(endpoint: &str, extra: &str, stores: &[&str]) -> String {
    let mut out = format!(
        "{REQUIRED_PROVIDERS}
provider \"cloudtrail\" {{
  region                      = \"us-east-1\"
  access_key                  = \"test\"
  secret_key                  = \"test\"
  max_retries                 = 2
  skip_credentials_validation = true
{extra}
  endpoints {{
    cloudtrail = \"{endpoint}\"
  }}
}}
"
    );
    for (i, store) in stores.iter().enumerate() {
        out += &format!(
            "\nresource \"cloudtrail_ingestion_state\" \"s{i}\" {{\n  event_data_store = \"{store}\"\n}}\n"
        );
    }
    out
}

struct Bed {
    wd: Workdir,
    emu: &'static LocalEmu,
    rt: tokio::runtime::Runtime,
}

fn bed(label: &str) -> Option<Bed> {
    let bin = client_binary(label)?;
    Some(Bed {
        wd: Workdir::new(label, bin),
        emu: localemu::shared(),
        rt: runtime(),
    })
}

impl Bed {
    fn store(&self, prefix: &str) -> String {
        self.rt
            .block_on(self.emu.create_store(&unique_name(prefix), false))
    }

    fn status(&self, arn: &str) -> String {
        self.rt.block_on(self.emu.status(arn))
    }

    fn plan(&self, extra_args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
        let mut args = vec!["plan", "-no-color", "-input=false", "-detailed-exitcode"];
        args.extend_from_slice(extra_args);
        let run = self.wd.run_with(&args, env);
        (run.code, flat(&run.text()))
    }
}

/// `custom_ca_bundle` and `AWS_CA_BUNDLE` trust the test's CA; without it the plan fails with a
/// certificate error that names the endpoint and the fix; `insecure = true` goes through with a
/// warning.
fn a_private_ca_is_trusted_only_when_configured(label: &str) {
    let Some(b) = bed(label) else {
        return;
    };
    let ca = TestCa::new(&["127.0.0.1", "localhost"]);
    let tls = FaultProxy::start_tls(&b.emu.endpoint, &ca);
    let ca_file = b.wd.path().join("corp-ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).unwrap();
    let ca_path = ca_file.display().to_string();
    let first = b.store("tls");

    let with_bundle = format!("  custom_ca_bundle = \"{ca_path}\"");
    b.wd.write("main.tf", &config(&tls.endpoint, &with_bundle, &[&first]));
    b.wd.apply();
    assert_eq!(b.status(&first), "ENABLED");
    assert!(tls.total() > 0, "[{label}] nothing went through TLS");

    // The same CA from the environment.
    b.wd.write("main.tf", &config(&tls.endpoint, "", &[&first]));
    let (code, text) = b.plan(&[], &[("AWS_CA_BUNDLE", &ca_path)]);
    assert_eq!(code, 0, "[{label}] AWS_CA_BUNDLE: {text}");

    // Without it: the refresh fails on the certificate, before any request.
    let requests = tls.total();
    let (code, text) = b.plan(&[], &[]);
    assert_eq!(code, 1, "[{label}] {text}");
    assert!(
        text.contains("TLS certificate not trusted"),
        "[{label}] {text}"
    );
    assert!(
        text.contains(&format!(
            "the TLS certificate of {} is not trusted",
            tls.endpoint
        )),
        "[{label}] {text}"
    );
    assert!(text.contains("set custom_ca_bundle"), "[{label}] {text}");
    assert_eq!(tls.total(), requests, "[{label}] a request went through");
    assert!(tls.handshakes() > 0);

    // A store about to be created: the plan-time check fails the plan too (it can never pass).
    let second = b.store("tls-new");
    b.wd.write("main.tf", &config(&tls.endpoint, "", &[&first, &second]));
    let (code, text) = b.plan(&["-refresh=false"], &[]);
    assert_eq!(code, 1, "[{label}] {text}");
    assert!(
        text.contains("TLS certificate not trusted"),
        "[{label}] {text}"
    );

    // insecure = true: through, with its warning.
    b.wd.write(
        "main.tf",
        &config(&tls.endpoint, "  insecure = true", &[&first, &second]),
    );
    let (code, text) = b.plan(&[], &[]);
    assert_eq!(code, 2, "[{label}] {text}");
    assert!(
        text.contains("Warning: TLS verification is off"),
        "[{label}] {text}"
    );
    assert!(tls.total() > requests, "[{label}] insecure made no request");
}

/// A forwarding proxy: https:// requests tunnel through it (`https_proxy` in the block, or
/// `HTTPS_PROXY`), http:// ones are forwarded (`http_proxy`), `no_proxy` bypasses it, and
/// loopback endpoints never use it. The endpoint's name resolves only at the proxy, so a request
/// that reached LocalEmu went through it.
fn requests_go_through_the_configured_proxy(label: &str) {
    let Some(b) = bed(label) else {
        return;
    };
    let ca = TestCa::new(&["cloudtrail.emu.test", "127.0.0.1"]);
    let tls = FaultProxy::start_tls(&b.emu.endpoint, &ca);
    let plain = FaultProxy::start(&b.emu.endpoint);
    let proxy = ForwardProxy::start();
    let ca_file = b.wd.path().join("corp-ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).unwrap();
    let bundle = format!("  custom_ca_bundle = \"{}\"\n", ca_file.display());
    let named = format!("https://cloudtrail.emu.test:{}", tls.port);
    let arn = b.store("proxy");
    let tunnel = format!("CONNECT cloudtrail.emu.test:{}", tls.port);
    let tunnels = |p: &ForwardProxy| p.targets().iter().filter(|t| **t == tunnel).count();

    let block = format!("{bundle}  https_proxy = \"{}\"", proxy.url);
    b.wd.write("main.tf", &config(&named, &block, &[&arn]));
    b.wd.apply();
    assert_eq!(b.status(&arn), "ENABLED");
    let through_block = tunnels(&proxy);
    assert!(through_block > 0, "[{label}] {:?}", proxy.targets());

    // The environment's HTTPS_PROXY.
    b.wd.write("main.tf", &config(&named, &bundle, &[&arn]));
    let (code, text) = b.plan(&[], &[("HTTPS_PROXY", &proxy.url)]);
    assert_eq!(code, 0, "[{label}] {text}");
    assert!(
        tunnels(&proxy) > through_block,
        "[{label}] HTTPS_PROXY unused"
    );

    // no_proxy: straight to a name only the proxy knows, so the refresh fails on it.
    let before = proxy.targets().len();
    let block = format!(
        "{bundle}  https_proxy = \"{}\"\n  no_proxy = \"emu.test\"",
        proxy.url
    );
    b.wd.write("main.tf", &config(&named, &block, &[&arn]));
    let (code, text) = b.plan(&[], &[]);
    assert_eq!(code, 1, "[{label}] {text}");
    assert!(text.contains("cloudtrail.emu.test"), "[{label}] {text}");
    assert_eq!(proxy.targets().len(), before, "[{label}] no_proxy ignored");

    // http:// through http_proxy: the request itself goes to the proxy, in absolute form.
    let named_plain = format!("http://cloudtrail.emu.test:{}", plain.port);
    let block = format!("  http_proxy = \"{}\"\n  https_proxy = \"\"", proxy.url);
    b.wd.write("main.tf", &config(&named_plain, &block, &[&arn]));
    let (code, text) = b.plan(&[], &[]);
    assert_eq!(code, 0, "[{label}] {text}");
    assert!(
        proxy
            .targets()
            .iter()
            .any(|t| t.starts_with(&format!("POST {named_plain}/"))),
        "[{label}] {:?}",
        proxy.targets()
    );
    assert!(plain.total() > 0);

    // Loopback never goes through a proxy, as in Go's net/http.
    let before = proxy.targets().len();
    b.wd.write("main.tf", &config(&tls.endpoint, &bundle, &[&arn]));
    let (code, text) = b.plan(&[], &[("HTTPS_PROXY", &proxy.url)]);
    assert_eq!(code, 0, "[{label}] {text}");
    assert_eq!(
        proxy.targets().len(),
        before,
        "[{label}] loopback was proxied"
    );
}
