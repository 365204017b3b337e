//! Docs and examples: `docs/` must equal a fresh render of the schemas and `examples/`
//! (`scripts/docs.sh` rewrites it), and every example passes `validate` with every client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use support::{ACTION_CLIENTS, CLIENTS, IDENTITY_CLIENTS, Workdir, client_binary, per_client};
use terraform_provider_cloudtrail::aws::arn::StoreRef;
use terraform_provider_cloudtrail::docs;

/// The composition with hashicorp/aws, which cannot be downloaded here; see `composition_part`.
const COMPOSITION: &str = "with-aws-provider";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Generated pages that exist in `docs/` (index, resources, data sources; guides are hand-written).
fn generated_files(docs_dir: &Path) -> BTreeSet<PathBuf> {
    let mut files = BTreeSet::new();
    if docs_dir.join("index.md").is_file() {
        files.insert(PathBuf::from("index.md"));
    }
    for sub in ["resources", "data-sources"] {
        let Ok(entries) = std::fs::read_dir(docs_dir.join(sub)) else {
            continue;
        };
        for entry in entries.flatten() {
            files.insert(Path::new(sub).join(entry.file_name()));
        }
    }
    files
}

/// Renders the docs in memory and compares them with `docs/`. With `UPDATE_DOCS=1` (what
/// `scripts/docs.sh` sets) it writes them instead and removes pages of types that are gone.
#[test]
fn docs_match_schema_and_examples() {
    let pages = docs::render(&root()).unwrap();
    let docs_dir = root().join("docs");
    let wanted: BTreeSet<PathBuf> = pages.iter().map(|p| p.path.clone()).collect();
    if std::env::var_os("UPDATE_DOCS").is_some_and(|v| v == "1") {
        for page in &pages {
            let path = docs_dir.join(&page.path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            if std::fs::read_to_string(&path).ok().as_deref() != Some(page.text.as_str()) {
                std::fs::write(&path, &page.text).unwrap();
                eprintln!("wrote docs/{}", page.path.display());
            }
        }
        for stale in generated_files(&docs_dir).difference(&wanted) {
            std::fs::remove_file(docs_dir.join(stale)).unwrap();
            eprintln!("removed docs/{}", stale.display());
        }
        return;
    }
    let mut problems = Vec::new();
    for page in &pages {
        let path = docs_dir.join(&page.path);
        match std::fs::read_to_string(&path) {
            Err(e) => problems.push(format!("docs/{}: {e}", page.path.display())),
            Ok(text) if text != page.text => {
                let line = text
                    .lines()
                    .zip(page.text.lines())
                    .position(|(a, b)| a != b)
                    .unwrap_or_else(|| text.lines().count().min(page.text.lines().count()));
                problems.push(format!(
                    "docs/{} differs from the schema/examples from line {}:\n  in docs/:  {:?}\n  rendered:  {:?}",
                    page.path.display(),
                    line + 1,
                    text.lines().nth(line).unwrap_or("<end of file>"),
                    page.text.lines().nth(line).unwrap_or("<end of file>"),
                ));
            }
            Ok(_) => {}
        }
    }
    for stale in generated_files(&docs_dir).difference(&wanted) {
        problems.push(format!(
            "docs/{} documents no current type",
            stale.display()
        ));
    }
    assert!(
        problems.is_empty(),
        "docs/ has drifted from the schema descriptions or examples/:\n{}\n\
         Run scripts/docs.sh to regenerate docs/, then commit it.",
        problems.join("\n")
    );
}

/// A Terraform configuration file: `.tf`, or a query file `.tfquery.hcl` (Terraform ≥ 1.14).
fn is_config(name: &str) -> bool {
    name.ends_with(".tf") || name.ends_with(".tfquery.hcl")
}

/// Every folder under `examples/` holding configuration files, relative to `examples/`.
fn example_dirs() -> Vec<PathBuf> {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().flatten().collect();
        entries.sort_by_key(|e| e.file_name());
        if entries
            .iter()
            .any(|e| is_config(&e.file_name().to_string_lossy()))
        {
            out.push(dir.strip_prefix(base).unwrap().to_owned());
        }
        for e in entries {
            if e.path().is_dir() {
                walk(&e.path(), base, out);
            }
        }
    }
    let base = root().join("examples");
    let mut out = Vec::new();
    walk(&base, &base, &mut out);
    out
}

fn tf_files(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| is_config(&e.file_name().to_string_lossy()))
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read_to_string(e.path()).unwrap(),
            )
        })
        .collect();
    files.sort();
    files
}

/// What a snippet (resource.tf, data-source.tf) is pasted next to: the provider's address.
const REQUIRED_PROVIDERS: &str = "terraform {\n  required_providers {\n    cloudtrail = {\n      source = \"cloudtrail-lake/cloudtrail\"\n    }\n  }\n}\n";

/// Top-level blocks of a `terraform fmt`-formatted file, each from its header line to the
/// closing `}` at column 0. Comments between blocks are dropped.
fn top_level_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        match current.as_mut() {
            Some(block) => {
                block.push_str(line);
                block.push('\n');
                if line == "}" {
                    blocks.push(current.take().unwrap());
                }
            }
            None if line.is_empty() || line.starts_with('#') => {}
            None => {
                let block = format!("{line}\n");
                if line.ends_with('}') {
                    blocks.push(block);
                } else {
                    current = Some(block);
                }
            }
        }
    }
    assert!(current.is_none(), "unterminated block:\n{current:?}");
    blocks
}

/// The arguments hashicorp/aws (v6, internal/service/cloudtrail/event_data_store.go) accepts on
/// `aws_cloudtrail_event_data_store`.
const AWS_STORE_ARGUMENTS: &[&str] = &[
    "advanced_event_selector",
    "billing_mode",
    "kms_key_id",
    "multi_region_enabled",
    "name",
    "organization_enabled",
    "retention_period",
    "suspend",
    "tags",
    "termination_protection_enabled",
];

/// The composition's own part, for `validate` without hashicorp/aws (which cannot be downloaded
/// here, and a stand-in for it would prove nothing): every top-level block but `terraform`
/// (replaced by `REQUIRED_PROVIDERS`) and those of hashicorp/aws, with each reference to an aws
/// resource's attribute (`aws_x.name.attr`) turned into an undeclared-value variable, which
/// `validate` treats exactly like the unknown attribute. The whole file is still checked by
/// `fmt -check` (it parses), and the aws store's arguments against hashicorp/aws's schema.
fn composition_part(text: &str) -> String {
    let mut kept = Vec::new();
    let mut variables = BTreeSet::new();
    for block in top_level_blocks(text) {
        let header = block.lines().next().unwrap();
        if header.starts_with("terraform ") || header.starts_with("provider \"aws\"") {
            continue;
        }
        if header.starts_with("resource \"aws_cloudtrail_event_data_store\"") {
            for line in block.lines().skip(1) {
                let word = line.trim().split([' ', '=']).next().unwrap_or("");
                if word.is_empty()
                    || word.starts_with('#')
                    || word == "}"
                    || !line.starts_with("  ")
                    || line.starts_with("   ")
                {
                    continue;
                }
                assert!(
                    AWS_STORE_ARGUMENTS.contains(&word),
                    "aws_cloudtrail_event_data_store has no argument {word:?}"
                );
                assert_ne!(
                    word, "suspend",
                    "the composition must leave `suspend` to cloudtrail_ingestion_state"
                );
            }
            continue;
        }
        if header.starts_with("resource \"aws_") || header.starts_with("data \"aws_") {
            continue;
        }
        let mut out = String::new();
        let mut rest = block.as_str();
        while let Some(at) = rest.find("aws_") {
            let boundary = rest[..at]
                .chars()
                .last()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '"'));
            let len = rest[at..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '.'))
                .unwrap_or(rest.len() - at);
            let reference = &rest[at..at + len];
            out.push_str(&rest[..at]);
            if boundary && reference.split('.').count() == 3 {
                let var = reference.replace('.', "__");
                out.push_str(&format!("var.{var}"));
                variables.insert(var);
            } else {
                out.push_str(reference);
            }
            rest = &rest[at + len..];
        }
        out.push_str(rest);
        kept.push(out);
    }
    let mut text = format!("{REQUIRED_PROVIDERS}\n{}", kept.join("\n"));
    for var in variables {
        text.push_str(&format!("\nvariable \"{var}\" {{}}\n"));
    }
    assert!(
        !text.contains("hashicorp/aws") && !text.contains("provider \"aws\""),
        "{text}"
    );
    text
}

fn examples_validate(label: &str) {
    let Some(client) = client_binary(label) else {
        return;
    };
    let dirs = example_dirs();
    for must in [
        "provider",
        "resources/cloudtrail_ingestion_state",
        "resources/cloudtrail_event_data_store",
        "data-sources/cloudtrail_event_data_store",
        "actions/cloudtrail_start_ingestion",
        "actions/cloudtrail_stop_ingestion",
        "list-resources/cloudtrail_ingestion_state",
        "list-resources/cloudtrail_event_data_store",
        "quickstart",
        COMPOSITION,
    ] {
        assert!(
            dirs.iter().any(|d| d == Path::new(must)),
            "examples/{must} is missing"
        );
    }
    for dir in dirs {
        // Actions and list resources need Terraform 1.14, an import by identity Terraform or
        // OpenTofu 1.12.
        let newest = dir.starts_with("actions") || dir.starts_with("list-resources");
        if newest && !ACTION_CLIENTS.contains(&label) {
            continue;
        }
        let wd = Workdir::new(label, client.clone());
        let mut files = tf_files(&root().join("examples").join(&dir));
        if !IDENTITY_CLIENTS.contains(&label) {
            files.retain(|(name, _)| name != "import-by-identity.tf");
        }
        if dir == Path::new(COMPOSITION) {
            for (name, text) in &files {
                wd.write(name, text);
            }
            let run = wd.run(&["fmt", "-check", "-diff", "-no-color"]);
            assert_eq!(
                run.code,
                0,
                "[{label}] examples/{} is not formatted or does not parse:\n{}",
                dir.display(),
                run.text()
            );
            for (name, _) in &files {
                std::fs::remove_file(wd.path().join(name)).unwrap();
            }
            for (name, text) in &files {
                wd.write(name, &composition_part(text));
            }
        } else {
            let declares = files.iter().any(|(_, t)| t.contains("required_providers"));
            for (name, text) in &files {
                wd.write(name, text);
            }
            if !declares {
                wd.write("zz_required_providers.tf", REQUIRED_PROVIDERS);
            }
            let run = wd.run(&["fmt", "-check", "-diff", "-no-color"]);
            assert_eq!(
                run.code,
                0,
                "[{label}] examples/{} is not formatted:\n{}",
                dir.display(),
                run.text()
            );
        }
        let query = files.iter().any(|(name, _)| name.ends_with(".tfquery.hcl"));
        let validate: &[&str] = if query {
            &["validate", "-query", "-no-color"]
        } else {
            &["validate", "-no-color"]
        };
        let run = wd.run(validate);
        assert_eq!(
            run.code,
            0,
            "[{label}] examples/{} does not validate:\n{}",
            dir.display(),
            run.text()
        );
        let all = format!("{}\n{}", run.stdout, run.stderr);
        for warning in all.lines().filter(|l| l.starts_with("Warning: ")) {
            assert!(
                warning.contains("development overrides"),
                "[{label}] examples/{}: unexpected {warning}\n{}",
                dir.display(),
                run.text()
            );
        }
    }
}

per_client!(examples_validate);

/// Every client `scripts/versions.env` pins (`TOFU_1_12=`, `TERRAFORM_1_0=`, ...) is one the
/// suite drives, and the suite drives no other: adding a pin without its test line fails here.
#[test]
fn the_clients_are_the_pinned_ones() {
    let versions = std::fs::read_to_string(root().join("scripts/versions.env")).unwrap();
    let mut pinned: Vec<String> = versions
        .lines()
        .filter_map(|line| line.split_once('=').map(|(k, _)| k.trim()))
        .filter(|key| {
            let mut parts = key.split('_');
            matches!(parts.next(), Some("TOFU" | "TERRAFORM"))
                && parts.all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        })
        .map(|key| key.to_lowercase())
        .collect();
    let mut driven: Vec<String> = CLIENTS.iter().map(|(_, test)| test.to_string()).collect();
    pinned.sort();
    driven.sort();
    assert_eq!(
        pinned, driven,
        "clients pinned in versions.env vs. driven by the suite"
    );
    let mut covered: Vec<&str> = examples_validate::LABELS.to_vec();
    let mut labels: Vec<&str> = CLIENTS.iter().map(|(label, _)| *label).collect();
    covered.sort_unstable();
    labels.sort_unstable();
    assert_eq!(covered, labels, "clients the examples are validated with");
}

/// A Rust target triple's platform in the registry's spelling (`aarch64-unknown-linux-musl` is
/// `linux_arm64`).
fn platform_of(triple: &str) -> String {
    let arch = match triple.split('-').next() {
        Some("x86_64") => "amd64",
        Some("aarch64") => "arm64",
        Some("i686") => "386",
        Some("arm") => "arm",
        other => panic!("no registry architecture for {triple} ({other:?})"),
    };
    let os = ["linux", "windows", "darwin", "freebsd"]
        .into_iter()
        .find(|os| triple.contains(os))
        .unwrap_or_else(|| panic!("no registry OS for {triple}"));
    format!("{os}_{arch}")
}

fn platforms_of(key: &str) -> Vec<String> {
    support::pinned(key)
        .split_whitespace()
        .map(platform_of)
        .collect()
}

/// The registry tests lock and install exactly the platforms `scripts/release.sh` builds.
#[test]
fn the_registry_platforms_are_the_release_targets() {
    assert_eq!(
        support::registry::PLATFORMS.to_vec(),
        platforms_of("RUST_RELEASE_TARGETS")
    );
}

/// Words that could be a platform in the registry's spelling (`linux_arm64`).
fn platform_words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|w| {
            w.split_once('_').is_some_and(|(os, arch)| {
                ["linux", "windows", "darwin", "freebsd"].contains(&os)
                    && ["amd64", "arm64", "386", "arm"].contains(&arch)
            })
        })
        .map(str::to_owned)
        .collect()
}

/// README is short (issue 23: read in two minutes) and lists exactly the platforms that ship: the
/// release targets and the macOS ones that the release workflow builds.
#[test]
fn readme_is_short_and_names_the_shipped_platforms() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let lines = readme.lines().count();
    assert!(lines <= 120, "README.md has {lines} lines; keep it to 120");
    let mut shipped: BTreeSet<String> = platforms_of("RUST_RELEASE_TARGETS").into_iter().collect();
    shipped.extend(platforms_of("RUST_CHECK_TARGETS"));
    assert_eq!(platform_words(&readme), shipped);
}

/// A count of clients or platforms written in prose drifts when `scripts/versions.env` changes
/// ("all four clients" where there were six): the front-page docs name none.
#[test]
fn front_page_docs_count_no_clients_or_platforms() {
    const NUMBERS: [&str; 12] = [
        "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
        "both",
    ];
    const COUNTED: [&str; 5] = ["clients", "platforms", "targets", "zips", "binaries"];
    let mut found = Vec::new();
    for file in [
        "README.md",
        "ARCHITECTURE.md",
        "CONTRIBUTING.md",
        "RELEASING.md",
    ] {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        for (n, line) in text.lines().enumerate() {
            let words: Vec<String> = line
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .map(str::to_lowercase)
                .collect();
            for pair in words.windows(2) {
                let number = pair[0].bytes().all(|b| b.is_ascii_digit())
                    || NUMBERS.contains(&pair[0].as_str());
                if number && COUNTED.contains(&pair[1].as_str()) {
                    found.push(format!("{file}:{}: {} {}", n + 1, pair[0], pair[1]));
                }
            }
        }
    }
    assert!(found.is_empty(), "counts that drift: {found:#?}");
}

/// Each import.sh imports a resource that its resource.tf declares, with an ID the provider
/// accepts.
#[test]
fn import_examples_match_resource_examples() {
    for ty in ["cloudtrail_ingestion_state", "cloudtrail_event_data_store"] {
        import_example_matches_resource_example(ty);
    }
}

fn import_example_matches_resource_example(ty: &str) {
    let dir = root().join("examples/resources").join(ty);
    let resource = std::fs::read_to_string(dir.join("resource.tf")).unwrap();
    let import = std::fs::read_to_string(dir.join("import.sh")).unwrap();
    let commands: Vec<&str> = import
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .collect();
    assert!(!commands.is_empty(), "import.sh has no command");
    for command in commands {
        let words: Vec<&str> = command.split_whitespace().collect();
        let [_, "import", address, id] = words.as_slice() else {
            panic!("import.sh: expected `terraform import <address> <id>`, got {command:?}");
        };
        let (ty, name) = address.split_once('.').unwrap();
        assert!(
            resource.contains(&format!("resource \"{ty}\" \"{name}\"")),
            "import.sh imports {address}, which resource.tf does not declare"
        );
        StoreRef::parse(id).unwrap_or_else(|e| panic!("import.sh's ID is refused: {e}"));
    }
}

#[test]
fn composition_part_keeps_only_the_cloudtrail_side() {
    let text = "terraform {\n  required_providers {\n    aws = {\n      source = \"hashicorp/aws\"\n    }\n  }\n}\n\n# c\nprovider \"aws\" {\n  region = \"x\"\n}\n\nresource \"aws_cloudtrail_event_data_store\" \"s\" {\n  name = \"n\"\n}\n\nresource \"cloudtrail_ingestion_state\" \"i\" {\n  event_data_store = aws_cloudtrail_event_data_store.s.arn\n}\n\noutput \"o\" {\n  value = \"${aws_cloudtrail_event_data_store.s.arn}\"\n}\n";
    let part = composition_part(text);
    for phrase in [
        "event_data_store = var.aws_cloudtrail_event_data_store__s__arn\n",
        "value = \"${var.aws_cloudtrail_event_data_store__s__arn}\"",
        "variable \"aws_cloudtrail_event_data_store__s__arn\" {}",
    ] {
        assert!(part.contains(phrase), "{phrase:?} in {part}");
    }
    assert!(!part.contains("provider \"aws\""), "{part}");
}
