//! A provider registry on loopback for the install tests: the release directory named by
//! `TPC_DIST_DIR`, signed with a throwaway GPG key, served over the provider registry protocol at
//! https://localhost:PORT with a certificate of a CA made here (clients trust it by SSL_CERT_FILE).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};

use hyper::body::{Bytes, Frame, SizeHint};
use terraform_provider_cloudtrail::VERSION;

pub const NAME: &str = "terraform-provider-cloudtrail";
/// The provider's namespace and type, after the registry host in its source address.
pub const NAMESPACE_TYPE: &str = "cloudtrail-lake/cloudtrail";
/// The platforms every release holds, and `providers lock` is asked for.
/// (RUST_RELEASE_TARGETS of scripts/versions.env, in order.)
pub const PLATFORMS: [&str; 8] = [
    "linux_amd64",
    "linux_arm64",
    "linux_386",
    "linux_arm",
    "windows_amd64",
    "windows_arm64",
    "windows_386",
    "freebsd_amd64",
];

const HOW_TO_BUILD: &str = "build the release directory with `scripts/release.sh --out DIR` and \
     set TPC_DIST_DIR=DIR (scripts/test.sh does both)";

/// This machine's platform in the registry's spelling (`linux_amd64`).
pub fn host_platform() -> String {
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    };
    format!("{}_{arch}", std::env::consts::OS)
}

/// One platform's package from the release directory, with the hashes a lock file records for it.
pub struct Package {
    pub platform: &'static str,
    pub filename: String,
    pub zip: Vec<u8>,
    /// SHA-256 of the zip, hex: the `zh:` hash and the registry's `shasum`.
    pub sha256: String,
    /// dirhash's Hash1 over the zip's entries: the `h1:` hash.
    pub h1: String,
}

impl Package {
    pub fn zh(&self) -> String {
        format!("zh:{}", self.sha256)
    }

    fn os_arch(&self) -> (&'static str, &'static str) {
        self.platform.split_once('_').unwrap()
    }
}

/// The release directory, read once per test process and signed with a key made for it.
pub struct Release {
    pub packages: Vec<Package>,
    pub sums_name: String,
    /// The release's SHA256SUMS, as scripts/release.sh wrote it.
    pub sums: Vec<u8>,
    /// Long key ID (16 hex digits) of the key that signs `sums`, as the clients print it.
    pub key_id: String,
    pub key_armor: String,
    /// Detached binary signature of `sums` by `key_id`.
    pub signature: Vec<u8>,
    /// Detached signature of `sums` by another key, which the registry does not list.
    pub foreign_signature: Vec<u8>,
}

impl Release {
    /// The release, loaded on first use. Panics in every caller when `TPC_DIST_DIR` is unset or
    /// lacks a platform: the registry tests never skip.
    pub fn get() -> &'static Release {
        static RELEASE: OnceLock<Release> = OnceLock::new();
        RELEASE.get_or_init(Release::load)
    }

    pub fn package(&self, platform: &str) -> &Package {
        self.packages
            .iter()
            .find(|p| p.platform == platform)
            .unwrap_or_else(|| panic!("the release has no {platform} package"))
    }

    fn load() -> Release {
        let dir = super::dist_dir();
        let sums_name = format!("{NAME}_{VERSION}_SHA256SUMS");
        let sums = std::fs::read(dir.join(&sums_name)).unwrap_or_else(|e| {
            panic!(
                "TPC_DIST_DIR={}: cannot read {sums_name} ({e}): {HOW_TO_BUILD}",
                dir.display()
            )
        });
        let listed = String::from_utf8_lossy(&sums).into_owned();
        let packages = PLATFORMS
            .iter()
            .map(|&platform| {
                let filename = format!("{NAME}_{VERSION}_{platform}.zip");
                let path = super::dist_zip(platform);
                let zip = std::fs::read(&path).unwrap();
                let sha256 = sha256_hex(&zip);
                // A stale SHA256SUMS would make every install fail for a reason that is not the
                // one a test is about.
                assert!(
                    listed
                        .lines()
                        .any(|l| l.split_whitespace().collect::<Vec<_>>()
                            == [sha256.as_str(), filename.as_str()]),
                    "TPC_DIST_DIR={}: {sums_name} does not list {filename} with its SHA-256 \
                     {sha256}: {HOW_TO_BUILD}",
                    dir.display()
                );
                let h1 = h1_of_zip(&path);
                Package {
                    platform,
                    filename,
                    zip,
                    sha256,
                    h1,
                }
            })
            .collect();

        let gpg = Gpg::new();
        let key_id = gpg.generate("terraform-provider-cloudtrail test release key");
        let foreign = gpg.generate("someone else");
        Release {
            packages,
            key_armor: gpg.export(&key_id),
            signature: gpg.sign(&key_id, &sums),
            foreign_signature: gpg.sign(&foreign, &sums),
            key_id,
            sums_name,
            sums,
        }
    }
}

pub fn sha256_hex(data: &[u8]) -> String {
    aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, data)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `h1:` hash, computed apart from the clients: SHA-256 of the sorted `sha256sum`-style
/// listing of the zip's entries (Go's dirhash.Hash1), with Python's zipfile doing the unzipping.
pub fn h1_of_zip(zip: &Path) -> String {
    let script = "import base64, hashlib, sys, zipfile\n\
                  z = zipfile.ZipFile(sys.argv[1])\n\
                  s = ''.join(f'{hashlib.sha256(z.read(n)).hexdigest()}  {n}\\n' for n in sorted(z.namelist()))\n\
                  print('h1:' + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode())";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(zip)
        .output()
        .unwrap_or_else(|e| panic!("python3: {e}"));
    assert!(
        out.status.success(),
        "h1 of {}: {}",
        zip.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// A throwaway GnuPG home. Dropping it stops the gpg-agent that key generation started there.
struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    fn new() -> Gpg {
        let home = tempfile::Builder::new().prefix("gnupg-").tempdir().unwrap();
        Gpg { home }
    }

    fn gpg(&self, args: &[&str]) -> Vec<u8> {
        let out = Command::new("gpg")
            .env("GNUPGHOME", self.home.path())
            .args(["--batch", "--no-tty", "--quiet"])
            .args(args)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("gpg {args:?}: {e} (gpg comes with Debian's gnupg)"));
        assert!(
            out.status.success(),
            "gpg {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// A new RSA signing key without passphrase or expiry; returns its long key ID. RSA because
    /// every openpgp library the clients have shipped reads it.
    fn generate(&self, name: &str) -> String {
        let status = self.gpg(&[
            "--status-fd=1",
            "--passphrase=",
            "--pinentry-mode=loopback",
            "--quick-gen-key",
            &format!("{name} <test@example.invalid>"),
            "rsa3072",
            "sign",
            "never",
        ]);
        let status = String::from_utf8(status).unwrap();
        let fingerprint = status
            .lines()
            .find_map(|l| l.strip_prefix("[GNUPG:] KEY_CREATED P "))
            .unwrap_or_else(|| panic!("gpg printed no KEY_CREATED:\n{status}"))
            .trim();
        fingerprint[fingerprint.len() - 16..].to_owned()
    }

    fn export(&self, key_id: &str) -> String {
        String::from_utf8(self.gpg(&["--armor", "--export", key_id])).unwrap()
    }

    /// A binary detached signature of `data`, as the registry protocol serves it.
    fn sign(&self, key_id: &str, data: &[u8]) -> Vec<u8> {
        let doc = self.home.path().join("document");
        std::fs::write(&doc, data).unwrap();
        let sig = self.home.path().join("document.sig");
        let _ = std::fs::remove_file(&sig);
        self.gpg(&[
            "--local-user",
            &format!("{key_id}!"),
            "--detach-sign",
            "--output",
            sig.to_str().unwrap(),
            doc.to_str().unwrap(),
        ]);
        std::fs::read(sig).unwrap()
    }
}

impl Drop for Gpg {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf")
            .env("GNUPGHOME", self.home.path())
            .args(["--kill", "all"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status();
    }
}

/// What the registry serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Serve {
    /// The release as it is, signed with the key it lists.
    Genuine,
    /// Every zip altered; the documents, sums and signature as released.
    TamperedZip,
    /// The release, with a signature of its sums by a key the registry does not list.
    ForeignSignature,
    /// Altered zips with sums and `shasum`s rewritten to match them, and the release signature:
    /// what someone who can change the files but not sign them would serve.
    SumsRewritten,
}

/// Flips one byte in the middle of the zip: still the same size, no longer the same file.
pub fn tampered(zip: &[u8]) -> Vec<u8> {
    let mut out = zip.to_vec();
    let mid = out.len() / 2;
    out[mid] ^= 0xff;
    out
}

type Routes = HashMap<String, (&'static str, Bytes)>;

/// A registry serving one [`Release`] on https://localhost:PORT until dropped. Both clients take
/// a port in the host part of a source address (`localhost:PORT/cloudtrail-lake/cloudtrail`).
pub struct Registry {
    /// `localhost:PORT`: the host part of the provider's source address.
    pub host: String,
    dir: tempfile::TempDir,
    requests: Arc<Mutex<Vec<String>>>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Registry {
    pub fn start(release: &'static Release, serve: Serve) -> Registry {
        let dir = tempfile::Builder::new()
            .prefix("registry-")
            .tempdir()
            .unwrap();
        // `localhost`: the host name of the source address.
        let ca = super::faultproxy::TestCa::new(&["localhost"]);
        let acceptor = ca.acceptor();
        std::fs::write(dir.path().join("ca.pem"), &ca.ca_pem).unwrap();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let listener = runtime
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let host = format!("localhost:{}", listener.local_addr().unwrap().port());
        let routes = Arc::new(routes(release, serve, &host));
        let requests = Arc::new(Mutex::new(Vec::new()));
        runtime.spawn(accept_loop(listener, acceptor, routes, requests.clone()));
        Registry {
            host,
            dir,
            requests,
            runtime: Some(runtime),
        }
    }

    /// The provider's source address on this registry.
    pub fn source(&self) -> String {
        format!("{}/{NAMESPACE_TYPE}", self.host)
    }

    /// The test CA's certificate, for `SSL_CERT_FILE`.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// The paths requested so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.requests.lock().unwrap().clone()
    }

    pub fn was_requested(&self, file: &str) -> bool {
        let path = format!("/files/{file}");
        self.requests().contains(&path)
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The registry protocol's documents (service discovery, versions, one download document per
/// platform) and the files they point at.
fn routes(release: &'static Release, serve: Serve, host: &str) -> Routes {
    let base = format!("https://{host}");
    let api = format!("/v1/providers/{NAMESPACE_TYPE}");
    let tamper = matches!(serve, Serve::TamperedZip | Serve::SumsRewritten);
    let mut sums = String::from_utf8_lossy(&release.sums).into_owned();
    let mut routes = Routes::new();
    let mut platforms = Vec::new();
    for package in &release.packages {
        let (os, arch) = package.os_arch();
        platforms.push(serde_json::json!({"os": os, "arch": arch}));
        let zip = if tamper {
            Bytes::from(tampered(&package.zip))
        } else {
            Bytes::from_static(&package.zip)
        };
        let shasum = if serve == Serve::SumsRewritten {
            let sha = sha256_hex(&zip);
            sums = sums.replace(&package.sha256, &sha);
            sha
        } else {
            package.sha256.clone()
        };
        let download = serde_json::json!({
            "protocols": ["6.0"],
            "os": os,
            "arch": arch,
            "filename": package.filename,
            "download_url": format!("{base}/files/{}", package.filename),
            "shasums_url": format!("{base}/files/{}", release.sums_name),
            "shasums_signature_url": format!("{base}/files/{}.sig", release.sums_name),
            "shasum": shasum,
            "signing_keys": {"gpg_public_keys": [{
                "key_id": release.key_id,
                "ascii_armor": release.key_armor,
            }]},
        });
        routes.insert(
            format!("{api}/{VERSION}/download/{os}/{arch}"),
            json(&download),
        );
        routes.insert(
            format!("/files/{}", package.filename),
            ("application/zip", zip),
        );
    }
    let signature = match serve {
        Serve::ForeignSignature => &release.foreign_signature,
        _ => &release.signature,
    };
    routes.insert(
        "/.well-known/terraform.json".into(),
        json(&serde_json::json!({"providers.v1": "/v1/providers/"})),
    );
    routes.insert(
        format!("{api}/versions"),
        json(&serde_json::json!({"versions": [{
            "version": VERSION,
            "protocols": ["6.0"],
            "platforms": platforms,
        }]})),
    );
    routes.insert(
        format!("/files/{}", release.sums_name),
        ("text/plain", Bytes::from(sums)),
    );
    routes.insert(
        format!("/files/{}.sig", release.sums_name),
        ("application/octet-stream", Bytes::from_static(signature)),
    );
    routes
}

fn json(value: &serde_json::Value) -> (&'static str, Bytes) {
    ("application/json", Bytes::from(value.to_string()))
}

async fn accept_loop(
    listener: tokio::net::TcpListener,
    acceptor: tokio_rustls::TlsAcceptor,
    routes: Arc<Routes>,
    requests: Arc<Mutex<Vec<String>>>,
) {
    loop {
        let Ok((tcp, _)) = listener.accept().await else {
            continue;
        };
        let (acceptor, routes, requests) = (acceptor.clone(), routes.clone(), requests.clone());
        tokio::spawn(async move {
            // A client that does not trust the certificate hangs up here; the test sees its error.
            let Ok(tls) = acceptor.accept(tcp).await else {
                return;
            };
            let service = hyper::service::service_fn(move |req| {
                let path = req.uri().path().to_owned();
                requests.lock().unwrap().push(path.clone());
                let response = match routes.get(&path) {
                    Some((content_type, body)) => hyper::Response::builder()
                        .header("content-type", *content_type)
                        .body(Full(Some(body.clone()))),
                    None => hyper::Response::builder()
                        .status(404)
                        .body(Full(Some(Bytes::from_static(b"not found\n")))),
                };
                std::future::ready(Ok::<_, Infallible>(response.unwrap()))
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(tls), service)
                .await;
        });
    }
}

/// A whole body in one frame, with its exact length (so hyper sends a Content-Length).
struct Full(Option<Bytes>);

impl hyper::body::Body for Full {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        _: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        Poll::Ready(self.0.take().map(|b| Ok(Frame::data(b))))
    }

    fn is_end_stream(&self) -> bool {
        self.0.is_none()
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.0.as_ref().map_or(0, |b| b.len() as u64))
    }
}
