//! A root for the provider with nothing a scratch image would not have: the binary at `/provider`,
//! the shared libraries it names (none for a static binary), an empty `/tmp` and `/dev/null` —
//! no `/dev/urandom`, no `/proc`, no `/etc`. Run through a wrapper that does
//! `exec chroot ROOT /provider`, so Terraform and the gRPC helpers start it like any provider.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Root {
    dir: tempfile::TempDir,
}

impl Root {
    /// A root holding `binary` as `/provider` and the libraries `ldd` lists for it.
    pub fn with_binary(binary: &Path) -> Root {
        // A short path: the socket's path inside it must fit a sockaddr_un (108 bytes).
        let dir = tempfile::Builder::new()
            .prefix("root")
            .tempdir_in("/tmp")
            .unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("tmp")).unwrap();
        std::fs::set_permissions(root.join("tmp"), std::fs::Permissions::from_mode(0o1777))
            .unwrap();
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
        std::fs::copy(binary, root.join("provider")).unwrap();
        for lib in shared_libraries(binary) {
            let to = root.join(lib.strip_prefix("/").unwrap());
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&lib, &to).unwrap();
        }
        assert!(!root.join("dev/urandom").exists());
        Root { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// A host-side script that runs `/provider` inside the root, with the caller's environment.
    pub fn wrapper(&self) -> PathBuf {
        let chroot = ["/usr/sbin/chroot", "/sbin/chroot", "/usr/bin/chroot"]
            .into_iter()
            .find(|p| Path::new(p).exists())
            .expect("chroot (coreutils) is installed");
        let script = self.dir.path().with_extension("wrapper");
        std::fs::write(
            &script,
            format!(
                "#!/bin/sh\nexec {chroot} {} /provider \"$@\"\n",
                self.path().display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        script
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
