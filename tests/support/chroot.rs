//! A root for the provider with nothing a scratch image would not have: the binary at `/provider`,
//! the shared libraries it names (none for a static binary), an empty `/tmp` and `/dev/null` —
//! no `/dev/urandom`, no `/proc`, no `/etc`. Run through a wrapper that does
//! `exec chroot ROOT [/qemu-ARCH-static] /provider`, so Terraform and the gRPC helpers start it
//! like any provider.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Root {
    dir: tempfile::TempDir,
    /// The user-mode emulator the wrapper runs `/provider` under, as the root sees it.
    emulator: Option<String>,
}

impl Root {
    /// A root holding `binary` as `/provider` and the libraries `ldd` lists for it.
    pub fn with_binary(binary: &Path) -> Root {
        Root::build(binary, None)
    }

    /// A root holding a static foreign `binary` as `/provider` and `emulator` (a static
    /// qemu-user, which needs no library either) beside it, the only other file.
    pub fn with_emulator(binary: &Path, emulator: &Path) -> Root {
        Root::build(binary, Some(emulator))
    }

    fn build(binary: &Path, emulator: Option<&Path>) -> Root {
        // A short path: the socket's path inside it must fit a sockaddr_un (108 bytes).
        let dir = tempfile::Builder::new()
            .prefix("root")
            .tempdir_in("/tmp")
            .unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("tmp")).unwrap();
        std::fs::set_permissions(root.join("tmp"), std::fs::Permissions::from_mode(0o1777))
            .unwrap();
        // The provider's socket path (in its TMPDIR) must name the same place inside the root and
        // outside, where Terraform connects: the root's own path to its /tmp, made inside the root
        // too by a relative link, serves as that TMPDIR (`tmp_dir`).
        let mirror = root.join(root.strip_prefix("/").unwrap());
        std::fs::create_dir_all(&mirror).unwrap();
        let up = "../".repeat(root.components().count() - 1);
        std::os::unix::fs::symlink(format!("{up}tmp"), mirror.join("tmp")).unwrap();
        std::fs::create_dir_all(root.join("dev")).unwrap();
        let made = Command::new("mknod")
            .args(["-m", "666"])
            .arg(root.join("dev/null"))
            .args(["c", "1", "3"])
            .status()
            .unwrap();
        assert!(
            made.success(),
            "mknod /dev/null in the test root (needs root)"
        );
        super::install_executable(binary, &root.join("provider"));
        let emulator = emulator.map(|emulator| {
            let name = emulator.file_name().unwrap().to_string_lossy().into_owned();
            super::install_executable(emulator, &root.join(&name));
            format!("/{name}")
        });
        // ldd answers for this machine's binaries only; a foreign one is static (tests/release.rs).
        let libraries = if emulator.is_none() {
            shared_libraries(binary)
        } else {
            vec![]
        };
        for lib in libraries {
            let to = root.join(lib.strip_prefix("/").unwrap());
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            super::install_executable(&lib, &to);
        }
        assert!(!root.join("dev/urandom").exists());
        Root { dir, emulator }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A directory that is the root's `/tmp` by the same path inside the root and outside.
    pub fn tmp_dir(&self) -> PathBuf {
        self.path().join("tmp")
    }

    /// A host-side script that runs `/provider` inside the root, with the caller's environment
    /// and TMPDIR set to `tmp_dir`, so that its socket path is valid outside too.
    pub fn wrapper(&self) -> PathBuf {
        let chroot = ["/usr/sbin/chroot", "/sbin/chroot", "/usr/bin/chroot"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("chroot (coreutils) is installed");
        let script = self.dir.path().with_extension("wrapper");
        super::write_executable(
            &script,
            &format!(
                "#!/bin/sh\nTMPDIR={} exec {chroot} {} {}/provider \"$@\"\n",
                self.tmp_dir().display(),
                self.path().display(),
                self.emulator
                    .as_deref()
                    .map(|e| format!("{e} "))
                    .unwrap_or_default(),
            ),
        );
        script
    }

    /// Every file and directory under the root, relative to it, sorted.
    pub fn entries(&self) -> Vec<String> {
        fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                out.push(path.strip_prefix(root).unwrap().display().to_string());
                if path.symlink_metadata().unwrap().is_dir() {
                    walk(&path, root, out);
                }
            }
        }
        let mut out = vec![];
        walk(self.path(), self.path(), &mut out);
        out.sort();
        out
    }

    /// A path the provider printed (it sees the root as `/`), as the host sees it.
    pub fn host_path(&self, inside: &Path) -> PathBuf {
        self.path().join(inside.strip_prefix("/").unwrap_or(inside))
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.dir.path().with_extension("wrapper"));
    }
}

/// The absolute paths of the libraries (and the loader) a dynamic binary needs; none when static.
fn shared_libraries(binary: &Path) -> Vec<PathBuf> {
    let out = Command::new("ldd").arg(binary).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .filter_map(|line| {
            // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x...)" or "/lib64/ld-linux-x86-64.so.2 (0x...)"
            let path = match line.split_once("=>") {
                Some((_, right)) => right.split_whitespace().next()?,
                None => line.split_whitespace().next()?,
            };
            path.starts_with('/').then(|| PathBuf::from(path))
        })
        .collect()
}
