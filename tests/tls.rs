//! TLS and proxies as a corporate network has them, through real Terraform and OpenTofu: LocalEmu
//! behind a TLS-terminating proxy whose CA the test makes (trusted by `custom_ca_bundle` or
//! `AWS_CA_BUNDLE`, refused without it, skipped by `insecure`), and a forwarding proxy that
//! counts what goes through it (`https_proxy`, `HTTPS_PROXY`, `http_proxy`, `no_proxy`).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::faultproxy::{FaultProxy, TestCa};
use support::forwardproxy::ForwardProxy;
use support::localemu::Blocking;
use support::{REQUIRED_PROVIDERS, Workdir, client_binary, flat, per_client_of};

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
    emu: Blocking,
}

fn bed(label: &str) -> Option<Bed> {
    let bin = client_binary(label)?;
    Some(Bed {
        wd: Workdir::new(label, bin),
        emu: Blocking::shared(),
    })
}

impl Bed {
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
    let tls = FaultProxy::start_tls(b.emu.endpoint(), &ca);
    let ca_file = b.wd.path().join("corp-ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).unwrap();
    let ca_path = ca_file.display().to_string();
    let first = b.emu.new_store("tls");

    let with_bundle = format!("  custom_ca_bundle = \"{ca_path}\"");
    b.wd.write("main.tf", &config(&tls.endpoint, &with_bundle, &[&first]));
    b.wd.apply();
    assert_eq!(b.emu.status(&first), "ENABLED");
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
    let second = b.emu.new_store("tls-new");
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

    // A bundle is trusted instead of the system's CAs, not beside them: with the proxy's CA in
    // the system store (SSL_CERT_FILE) the plan passes, and a bundle holding another CA, from
    // the block or from AWS_CA_BUNDLE, makes the same endpoint untrusted.
    let other = TestCa::new(&["127.0.0.1"]);
    let other_file = b.wd.path().join("other-ca.pem");
    std::fs::write(&other_file, &other.ca_pem).unwrap();
    let other_path = other_file.display().to_string();
    let system = ("SSL_CERT_FILE", ca_path.as_str());
    b.wd.write("main.tf", &config(&tls.endpoint, "", &[&first]));
    let (code, text) = b.plan(&[], &[system]);
    assert_eq!(code, 0, "[{label}] the system store: {text}");
    for (extra, env) in [
        (
            format!("  custom_ca_bundle = \"{other_path}\""),
            vec![system],
        ),
        (
            String::new(),
            vec![system, ("AWS_CA_BUNDLE", other_path.as_str())],
        ),
    ] {
        b.wd.write("main.tf", &config(&tls.endpoint, &extra, &[&first]));
        let (code, text) = b.plan(&[], &env);
        assert_eq!(code, 1, "[{label}] {extra} {env:?}: {text}");
        assert!(
            text.contains("TLS certificate not trusted"),
            "[{label}] {text}"
        );
    }
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
    let tls = FaultProxy::start_tls(b.emu.endpoint(), &ca);
    let plain = FaultProxy::start(b.emu.endpoint());
    let proxy = ForwardProxy::start();
    let ca_file = b.wd.path().join("corp-ca.pem");
    std::fs::write(&ca_file, &ca.ca_pem).unwrap();
    let bundle = format!("  custom_ca_bundle = \"{}\"\n", ca_file.display());
    let named = format!("https://cloudtrail.emu.test:{}", tls.port);
    let arn = b.emu.new_store("proxy");
    let tunnel = format!("CONNECT cloudtrail.emu.test:{}", tls.port);
    let tunnels = |p: &ForwardProxy| p.targets().iter().filter(|t| **t == tunnel).count();

    let block = format!("{bundle}  https_proxy = \"{}\"", proxy.url);
    b.wd.write("main.tf", &config(&named, &block, &[&arn]));
    b.wd.apply();
    assert_eq!(b.emu.status(&arn), "ENABLED");
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

    // no_proxy, in each of the forms Go's httpproxy matches (domain, .domain, *.domain,
    // host:port): straight to a name only the proxy knows, so the refresh fails on it. An entry
    // for another port does not match.
    for entry in [
        "emu.test".to_owned(),
        ".emu.test".to_owned(),
        "*.emu.test".to_owned(),
        format!("cloudtrail.emu.test:{}", tls.port),
    ] {
        let before = proxy.targets().len();
        let block = format!(
            "{bundle}  https_proxy = \"{}\"\n  no_proxy = \"{entry}\"",
            proxy.url
        );
        b.wd.write("main.tf", &config(&named, &block, &[&arn]));
        let (code, text) = b.plan(&[], &[]);
        assert_eq!(code, 1, "[{label}] {entry}: {text}");
        assert!(text.contains("cloudtrail.emu.test"), "[{label}] {text}");
        assert_eq!(proxy.targets().len(), before, "[{label}] {entry} ignored");
    }
    let before = tunnels(&proxy);
    b.wd.write("main.tf", &config(&named, &bundle, &[&arn]));
    let (code, text) = b.plan(
        &[],
        &[
            ("HTTPS_PROXY", &proxy.url),
            ("NO_PROXY", "cloudtrail.emu.test:1"),
        ],
    );
    assert_eq!(code, 0, "[{label}] another port: {text}");
    assert!(
        tunnels(&proxy) > before,
        "[{label}] host:1 matched port {}",
        tls.port
    );

    // An https:// proxy is spoken to over TLS, as Go's Transport does, with its credentials
    // inside; its certificate is checked against custom_ca_bundle like an endpoint's.
    let secure = ForwardProxy::start_tls(&ca);
    let with_auth = secure
        .url
        .replacen("https://", "https://ci-user:hunter2%40tls@", 1);
    let block = format!("{bundle}  https_proxy = \"{with_auth}\"");
    b.wd.write("main.tf", &config(&named, &block, &[&arn]));
    let (code, text) = b.plan(&[], &[]);
    assert_eq!(code, 0, "[{label}] https:// proxy: {text}");
    assert!(
        secure.targets().contains(&tunnel),
        "[{label}] {:?}",
        secure.targets()
    );
    // base64("ci-user:hunter2@tls")
    let auths = secure.auths();
    assert!(
        !auths.is_empty()
            && auths
                .iter()
                .all(|a| a == "Basic Y2ktdXNlcjpodW50ZXIyQHRscw=="),
        "[{label}] {auths:?}"
    );
    assert!(!text.contains("hunter2"), "[{label}] {text}");

    // What the port of an https:// proxy receives first is a TLS ClientHello: never a CONNECT,
    // and never the credentials, in clear.
    let sniff = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let sniff_port = sniff.local_addr().unwrap().port();
    let first_bytes = std::thread::spawn(move || {
        use std::io::Read;
        let (mut conn, _) = sniff.accept().unwrap();
        conn.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        let mut buf = vec![0; 4096];
        let n = conn.read(&mut buf).unwrap_or(0);
        buf.truncate(n);
        buf
    });
    let block =
        format!("{bundle}  https_proxy = \"https://ci-user:hunter2@127.0.0.1:{sniff_port}\"");
    b.wd.write("main.tf", &config(&named, &block, &[&arn]));
    let (code, text) = b.plan(&[], &[]);
    assert_eq!(code, 1, "[{label}] {text}");
    let bytes = first_bytes.join().unwrap();
    let has = |needle: &[u8]| bytes.windows(needle.len()).any(|w| w == needle);
    assert_eq!(
        bytes.first(),
        Some(&0x16),
        "[{label}] not a TLS record: {bytes:?}"
    );
    assert!(!has(b"CONNECT") && !has(b"hunter2") && !has(b"Y2ktdXNlcjpodW50ZXIy"));
    assert!(!text.contains("hunter2"), "[{label}] {text}");

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
