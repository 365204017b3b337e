//! The workspace's boundaries, which the compiler enforces only as long as the manifests keep
//! them: the framework knows no cloud, and the provider's own code cannot name a protobuf type.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `cargo tree` of one package's normal (non-dev, non-build) dependencies, one crate name a line.
fn normal_dependencies(package: &str) -> Vec<String> {
    tree(package, None)
}

/// The same, `depth` levels down only when given.
fn tree(package: &str, depth: Option<u32>) -> Vec<String> {
    let out = Command::new(env!("CARGO"))
        .args(["tree", "--offline", "--locked", "-e", "normal"])
        .args(["--prefix", "none", "--format", "{p}", "-p", package])
        .args(depth.map(|d| format!("--depth={d}")))
        .current_dir(root())
        .output()
        .expect("cargo runs");
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8")
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// The AWS SDK's crates: the cloud this provider is for, which its framework must not know.
fn is_aws_sdk(name: &str) -> bool {
    name.starts_with("aws-sdk-")
        || name.starts_with("aws-smithy-")
        || [
            "aws-config",
            "aws-types",
            "aws-credential-types",
            "aws-runtime",
            "aws-sigv4",
        ]
        .contains(&name)
}

#[test]
fn the_framework_depends_on_no_aws_sdk_crate() {
    let deps = normal_dependencies("tfplugin-framework");
    assert!(
        deps.iter().any(|d| d == "tonic"),
        "not the tree expected: {deps:?}"
    );
    let sdk: Vec<&String> = deps.iter().filter(|d| is_aws_sdk(d)).collect();
    assert!(sdk.is_empty(), "the framework depends on {sdk:?}");
    // The provider does, which shows the check sees them.
    assert!(
        normal_dependencies("terraform-provider-cloudtrail")
            .iter()
            .any(|d| d == "aws-sdk-cloudtrail")
    );
}

/// The provider's code reaches the protocol only through the framework: the generated crate is
/// among its dev-dependencies (the tests speak gRPC to the binary), never its dependencies.
#[test]
fn only_the_framework_and_the_tests_see_the_generated_protocol() {
    let provider = normal_dependencies("terraform-provider-cloudtrail");
    let direct = tree("terraform-provider-cloudtrail", Some(1));
    assert!(
        direct.iter().any(|d| d == "tfplugin-framework"),
        "{direct:?}"
    );
    assert!(!direct.iter().any(|d| d == "tfplugin-proto"), "{direct:?}");
    // Through the framework it is there, as it must be for the binary to speak tfplugin6.
    assert!(provider.iter().any(|d| d == "tfplugin-proto"));
}
