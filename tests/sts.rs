//! Credentials as CI gets them, through real Terraform and OpenTofu: `assume_role` (with policy and
//! tags), chained roles, web identity from a token file and from the environment, and the
//! account rules, against moto's STS and LocalEmu's CloudTrail on loopback. A recording proxy in
//! front of each counts the calls per service and shows who signed them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::faultproxy::{FaultProxy, Seen};
use support::localemu::Blocking;
use support::{REQUIRED_PROVIDERS, Workdir, client_binary, flat, moto, per_client_of};

per_client_of!(with_newest_clients;
    assume_role_calls_sts_at_its_own_endpoint,
    chained_roles_and_allowed_accounts,
    web_identity_from_a_file_and_from_the_environment,
    ruled_out_accounts_stop_before_cloudtrail,
    sts_failures_name_sts_and_the_role,
    a_profile_in_the_block_wins_over_the_environment,
    credentials_sts_cannot_check_fail_the_plan,
);

/// A workdir, LocalEmu, and a recording proxy in front of each of LocalEmu and moto.
struct Bed {
    wd: Workdir,
    emu: Blocking,
    cloudtrail: FaultProxy,
    sts: FaultProxy,
}

fn bed(label: &str) -> Option<Bed> {
    let bin = client_binary(label)?;
    let emu = Blocking::shared();
    Some(Bed {
        wd: Workdir::new(label, bin),
        cloudtrail: FaultProxy::start(emu.endpoint()),
        sts: FaultProxy::start(&moto::shared().endpoint),
        emu,
    })
}

impl Bed {
    /// The provider block: keys, both endpoints, and `body`.
    fn config(&self, body: &str, arn: &str) -> String {
        format!(
            "{REQUIRED_PROVIDERS}
provider \"cloudtrail\" {{
  region      = \"us-east-1\"
  max_retries = 2
  endpoints {{
    cloudtrail = \"{}\"
    sts        = \"{}\"
  }}
{body}
}}

resource \"cloudtrail_ingestion_state\" \"audit\" {{
  event_data_store = \"{arn}\"
}}
",
            self.cloudtrail.endpoint, self.sts.endpoint
        )
    }
}

const BASE_KEYS: &str = "  access_key = \"AKIDBASEKEY\"\n  secret_key = \"base-secret\"\n";

fn ops(seen: &[Seen]) -> Vec<&str> {
    seen.iter().map(|s| s.op.as_str()).collect()
}

/// Every CloudTrail call was signed with a session key (ASIA..., one per provider process)
/// other than `not`.
fn assert_signed_by_assumed_role(label: &str, cloudtrail: &[Seen], not: &[&str]) {
    assert!(!cloudtrail.is_empty(), "[{label}] no CloudTrail call");
    for s in cloudtrail {
        let key = s.access_key.as_deref().unwrap_or_default();
        assert!(
            key.starts_with("ASIA"),
            "[{label}] CloudTrail signed by {key:?}: {s:?}"
        );
        assert!(!not.contains(&key), "[{label}] signed by {key}");
    }
}

/// The defect of issue 15: with `endpoints { cloudtrail }` and `assume_role`, AssumeRole went to
/// the CloudTrail endpoint. Now STS gets AssumeRole (with its policy and tags) and the account
/// check, CloudTrail gets only CloudTrail calls, signed by the assumed role; and
/// `AWS_ENDPOINT_URL_STS` works as the block's `endpoints { sts }` does.
fn assume_role_calls_sts_at_its_own_endpoint(label: &str) {
    let Some(b) = bed(label) else {
        return;
    };
    let arn = b.emu.new_store("assume");
    let role = "arn:aws:iam::111111111111:role/ingestion";
    let assume = format!(
        "{BASE_KEYS}  assume_role {{
    role_arn     = \"{role}\"
    session_name = \"ci-run\"
    external_id  = \"partner-42\"
    policy       = jsonencode({{ Version = \"2012-10-17\", Statement = [{{ Effect = \"Allow\", Action = \"cloudtrail:*\", Resource = \"*\" }}] }})
    tags         = {{ team = \"audit\" }}
    duration     = \"30m\"
  }}"
    );
    b.wd.write("main.tf", &b.config(&assume, &arn));
    b.wd.apply();
    assert_eq!(b.emu.status(&arn), "ENABLED");

    let sts = b.sts.requests();
    let cloudtrail = b.cloudtrail.requests();
    assert!(
        ops(&cloudtrail)
            .iter()
            .all(|op| op.ends_with("EventDataStore") || op.ends_with("Ingestion")),
        "[{label}] CloudTrail endpoint got {:?}",
        ops(&cloudtrail)
    );
    let assumed: Vec<&Seen> = sts.iter().filter(|s| s.op == "AssumeRole").collect();
    assert!(!assumed.is_empty(), "[{label}] STS got {:?}", ops(&sts));
    for a in &assumed {
        assert_eq!(
            a.access_key.as_deref(),
            Some("AKIDBASEKEY"),
            "[{label}] {a:?}"
        );
        for part in [
            "RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fingestion",
            "RoleSessionName=ci-run",
            "Policy=",
            "Tags.member.1.Key=team",
            "Tags.member.1.Value=audit",
            "ExternalId=partner-42",
            "DurationSeconds=1800",
        ] {
            assert!(a.body.contains(part), "[{label}] {part} not in {}", a.body);
        }
    }
    // One validation per provider process that called CloudTrail, before its first call.
    assert!(
        sts.iter().any(|s| s.op == "GetCallerIdentity"),
        "[{label}] {:?}",
        ops(&sts)
    );
    assert_signed_by_assumed_role(label, &cloudtrail, &["AKIDBASEKEY"]);

    // The environment's STS endpoint, with no `sts` in the block.
    let before = b.sts.total();
    let config = b
        .config(&assume, &arn)
        .replace(&format!("    sts        = \"{}\"\n", b.sts.endpoint), "");
    b.wd.write("main.tf", &config);
    let run = b.wd.run_with(
        &["plan", "-no-color", "-input=false", "-detailed-exitcode"],
        &[("AWS_ENDPOINT_URL_STS", &b.sts.endpoint)],
    );
    assert_eq!(run.code, 0, "[{label}] {}", run.text());
    assert!(
        b.sts.requests()[before..]
            .iter()
            .any(|s| s.op == "AssumeRole"),
        "[{label}] AWS_ENDPOINT_URL_STS not used"
    );
}

/// Two `assume_role` blocks: the second role is assumed with the first one's credentials, and
/// CloudTrail sees the second's. `allowed_account_ids` names the second role's account.
fn chained_roles_and_allowed_accounts(label: &str) {
    let Some(b) = bed(label) else {
        return;
    };
    let arn = b.emu.new_store("chain");
    let body = format!(
        "{BASE_KEYS}  allowed_account_ids = [\"222222222222\"]
  assume_role {{
    role_arn            = \"arn:aws:iam::111111111111:role/hop\"
    policy_arns         = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]
    tags                = {{ team = \"audit\", run = \"7\" }}
    transitive_tag_keys = [\"team\"]
  }}
  assume_role {{
    role_arn        = \"arn:aws:iam::222222222222:role/ingestion\"
    source_identity = \"ci-bot\"
  }}"
    );
    b.wd.write("main.tf", &b.config(&body, &arn));
    b.wd.apply();
    assert_eq!(b.emu.status(&arn), "ENABLED");
    let sts = b.sts.requests();
    let first = sts
        .iter()
        .find(|s| s.op == "AssumeRole" && s.body.contains("111111111111"))
        .unwrap_or_else(|| panic!("[{label}] first role not assumed: {:?}", ops(&sts)));
    let second = sts
        .iter()
        .find(|s| s.op == "AssumeRole" && s.body.contains("222222222222"))
        .unwrap_or_else(|| panic!("[{label}] second role not assumed: {:?}", ops(&sts)));
    assert_eq!(first.access_key.as_deref(), Some("AKIDBASEKEY"));
    for part in [
        "PolicyArns.member.1.arn=arn%3Aaws%3Aiam%3A%3Aaws%3Apolicy%2FReadOnlyAccess",
        "TransitiveTagKeys.member.1=team",
        "Tags.member.2.Key=team",
    ] {
        assert!(
            first.body.contains(part),
            "[{label}] {part} not in {}",
            first.body
        );
    }
    let hop_key = second.access_key.clone().unwrap_or_default();
    assert!(
        hop_key.starts_with("ASIA"),
        "[{label}] second step signed by {hop_key}"
    );
    assert!(
        second.body.contains("SourceIdentity=ci-bot"),
        "{}",
        second.body
    );
    assert!(
        sts.iter().position(|s| std::ptr::eq(s, first))
            < sts.iter().position(|s| std::ptr::eq(s, second)),
        "[{label}] roles out of order: {:?}",
        ops(&sts)
    );
    assert_signed_by_assumed_role(
        label,
        &b.cloudtrail.requests(),
        &["AKIDBASEKEY", hop_key.as_str()],
    );
}

/// `assume_role_with_web_identity` with a token file, then the environment form
/// (`AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE`), as GitHub Actions and GitLab CI set them.
fn web_identity_from_a_file_and_from_the_environment(label: &str) {
    let Some(b) = bed(label) else {
        return;
    };
    let arn = b.emu.new_store("oidc");
    let token = b.wd.path().join("oidc-token");
    std::fs::write(&token, "eyJhbGciOiJSUzI1NiJ9.file-token.sig\n").unwrap();
    let body = format!(
        "  assume_role_with_web_identity {{
    role_arn                = \"arn:aws:iam::333333333333:role/ci\"
    session_name            = \"gh-run-7\"
    web_identity_token_file = \"{}\"
    duration                = \"1h\"
    policy                  = jsonencode({{ Version = \"2012-10-17\", Statement = [] }})
    policy_arns             = [\"arn:aws:iam::aws:policy/ReadOnlyAccess\"]
  }}",
        token.display()
    );
    b.wd.write("main.tf", &b.config(&body, &arn));
    b.wd.apply();
    assert_eq!(b.emu.status(&arn), "ENABLED");
    let sts = b.sts.requests();
    let web: Vec<&Seen> = sts
        .iter()
        .filter(|s| s.op == "AssumeRoleWithWebIdentity")
        .collect();
    assert!(!web.is_empty(), "[{label}] {:?}", ops(&sts));
    for w in &web {
        assert_eq!(w.access_key, None, "[{label}] web identity call was signed");
        assert!(
            w.body
                .contains("WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.file-token.sig&")
                || w.body
                    .ends_with("WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.file-token.sig"),
            "[{label}] {}",
            w.body
        );
        assert!(w.body.contains("RoleSessionName=gh-run-7"), "{}", w.body);
        for part in [
            "DurationSeconds=3600",
            "Policy=",
            "PolicyArns.member.1.arn=",
        ] {
            assert!(w.body.contains(part), "[{label}] {part} not in {}", w.body);
        }
    }
    assert_signed_by_assumed_role(label, &b.cloudtrail.requests(), &[]);

    // The environment form: no block, no keys; the SDK's chain must not be asked first.
    b.emu.stop_ingestion(&arn);
    std::fs::write(&token, "eyJhbGciOiJSUzI1NiJ9.env-token.sig").unwrap();
    let before = b.sts.total();
    b.wd.write("main.tf", &b.config("", &arn));
    let token_path = token.display().to_string();
    let run = b.wd.run_with(
        &["apply", "-no-color", "-input=false", "-auto-approve"],
        &[
            ("AWS_ROLE_ARN", "arn:aws:iam::444444444444:role/gitlab"),
            ("AWS_WEB_IDENTITY_TOKEN_FILE", &token_path),
            ("AWS_ROLE_SESSION_NAME", "gitlab-job"),
        ],
    );
    assert_eq!(run.code, 0, "[{label}] {}", run.text());
    assert_eq!(b.emu.status(&arn), "ENABLED");
    let env_calls: Vec<Seen> = b.sts.requests()[before..]
        .iter()
        .filter(|s| s.op == "AssumeRoleWithWebIdentity")
        .cloned()
        .collect();
    assert!(
        !env_calls.is_empty(),
        "[{label}] env form made no web identity call"
    );
    assert!(
        env_calls[0].body.contains("444444444444"),
        "{}",
        env_calls[0].body
    );
    assert!(
        env_calls[0].body.contains("env-token"),
        "{}",
        env_calls[0].body
    );
    // The token itself in the block.
    let before = b.sts.total();
    let literal = "  assume_role_with_web_identity {\n    role_arn           = \"arn:aws:iam::555555555555:role/ci\"\n    web_identity_token = \"eyJhbGciOiJSUzI1NiJ9.literal-token.sig\"\n  }";
    b.wd.write("main.tf", &b.config(literal, &arn));
    let run =
        b.wd.run(&["plan", "-no-color", "-input=false", "-detailed-exitcode"]);
    assert_eq!(run.code, 0, "[{label}] {}", run.text());
    assert!(
        b.sts.requests()[before..]
            .iter()
            .any(|s| s.op == "AssumeRoleWithWebIdentity" && s.body.contains("literal-token")),
        "[{label}] literal token not sent"
    );
    assert!(
        env_calls[0].body.contains("RoleSessionName=gitlab-job"),
        "{}",
        env_calls[0].body
    );
}

/// `allowed_account_ids` that leaves the credentials' account out, and `forbidden_account_ids`
/// that names it: an error naming both, and not one CloudTrail request on the wire.
fn ruled_out_accounts_stop_before_cloudtrail(label: &str) {
    let Some(b) = bed(label) else {
        return;
    };
    let arn = b.emu.new_store("guard");
    let role =
        "  assume_role {\n    role_arn = \"arn:aws:iam::111111111111:role/ingestion\"\n  }\n";
    for (rule, phrase) in [
        (
            "  allowed_account_ids = [\"999999999999\"]\n",
            "is not in allowed_account_ids (999999999999)",
        ),
        (
            "  forbidden_account_ids = [\"111111111111\"]\n",
            "forbidden_account_ids lists (111111111111)",
        ),
    ] {
        b.wd.write(
            "main.tf",
            &b.config(&format!("{BASE_KEYS}{rule}{role}"), &arn),
        );
        let run =
            b.wd.run(&["apply", "-no-color", "-input=false", "-auto-approve"]);
        let text = flat(&run.text());
        assert_eq!(run.code, 1, "[{label}] {text}");
        assert!(text.contains("AWS account not allowed"), "[{label}] {text}");
        assert!(
            text.contains("AWS account 111111111111"),
            "[{label}] {text}"
        );
        assert!(text.contains(phrase), "[{label}] {text}");
        assert_eq!(
            b.cloudtrail.total(),
            0,
            "[{label}] CloudTrail was called: {}",
            b.cloudtrail.log()
        );
        assert_eq!(b.emu.status(&arn), "STOPPED_INGESTION");
    }
    // The right account passes.
    b.wd.write(
        "main.tf",
        &b.config(
            &format!("{BASE_KEYS}  allowed_account_ids = [\"111111111111\"]\n{role}"),
            &arn,
        ),
    );
    b.wd.apply();
    assert_eq!(b.emu.status(&arn), "ENABLED");
}

/// STS refusing the role: the diagnostic names STS, the operation and the role (not CloudTrail),
/// and nothing is retried 25 times.
fn sts_failures_name_sts_and_the_role(label: &str) {
    let Some(b) = bed(label) else {
        return;
    };
    let arn = b.emu.new_store("denied");
    b.sts.inject(
        "AssumeRole",
        support::faultproxy::Fault::QueryError {
            status: 403,
            code: "AccessDenied",
            message: "User is not authorized to perform: sts:AssumeRole",
        },
        None,
    );
    let role = "arn:aws:iam::111111111111:role/locked";
    b.wd.write(
        "main.tf",
        &b.config(
            &format!("{BASE_KEYS}  assume_role {{\n    role_arn = \"{role}\"\n  }}"),
            &arn,
        ),
    );
    let run =
        b.wd.run(&["apply", "-no-color", "-input=false", "-auto-approve"]);
    let text = flat(&run.text());
    assert_eq!(run.code, 1, "[{label}] {text}");
    assert!(
        text.contains("Could not assume the IAM role"),
        "[{label}] {text}"
    );
    assert!(
        text.contains(&format!("STS AssumeRole of role {role}")),
        "[{label}] {text}"
    );
    assert!(text.contains("AccessDenied"), "[{label}] {text}");
    assert!(
        !text.contains("CloudTrail did not answer"),
        "[{label}] {text}"
    );
    assert_eq!(b.cloudtrail.total(), 0, "[{label}] {}", b.cloudtrail.log());
    // Plan and apply each ask; AccessDenied is not retried.
    assert!(b.sts.seen("AssumeRole") <= 4, "[{label}] {}", b.sts.log());
}

/// Every request's signing key, as `op:key` (unsigned: `op:-`).
fn signers(seen: &[Seen]) -> Vec<String> {
    seen.iter()
        .map(|s| format!("{}:{}", s.op, s.access_key.as_deref().unwrap_or("-")))
        .collect()
}

/// aws-sdk-go-v2's precedence, which hashicorp/aws keeps: `profile` in the provider block comes
/// before the environment's keys and its web identity (an IRSA pod's `AWS_ROLE_ARN` +
/// `AWS_WEB_IDENTITY_TOKEN_FILE`), with hashicorp/aws's warning; `AWS_PROFILE` does not, so there
/// the environment's keys win. Shown by the key that signed every request on the wire.
fn a_profile_in_the_block_wins_over_the_environment(label: &str) {
    let Some(b) = bed(label) else {
        return;
    };
    let arn = b.emu.new_store("profile");
    let credentials = b.wd.path().join("credentials");
    std::fs::write(
        &credentials,
        "[prod]\naws_access_key_id = AKIDPROFILEKEY\naws_secret_access_key = profile-secret\n",
    )
    .unwrap();
    let token = b.wd.path().join("irsa-token");
    std::fs::write(&token, "eyJhbGciOiJSUzI1NiJ9.irsa-token.sig").unwrap();
    let (credentials, token) = (
        credentials.display().to_string(),
        token.display().to_string(),
    );
    let environment = [
        ("AWS_ACCESS_KEY_ID", "AKIDENVIRONMENTKEY"),
        ("AWS_SECRET_ACCESS_KEY", "environment-secret"),
        ("AWS_ROLE_ARN", "arn:aws:iam::444444444444:role/irsa"),
        ("AWS_WEB_IDENTITY_TOKEN_FILE", token.as_str()),
    ];
    let apply = ["apply", "-no-color", "-input=false", "-auto-approve"];
    b.wd.write(
        "main.tf",
        &b.config(
            &format!("  profile = \"prod\"\n  shared_credentials_files = [\"{credentials}\"]\n"),
            &arn,
        ),
    );
    let run = b.wd.run_with(&apply, &environment);
    let text = flat(&run.text());
    assert_eq!(run.code, 0, "[{label}] {text}");
    assert_eq!(b.emu.status(&arn), "ENABLED");
    assert!(
        text.contains("Configuration conflict detected")
            && text.contains("The Profile is now used"),
        "[{label}] no warning: {text}"
    );
    let (cloudtrail, sts) = (b.cloudtrail.requests(), b.sts.requests());
    assert!(
        !cloudtrail.is_empty() && !sts.is_empty(),
        "[{label}] {sts:?}"
    );
    for s in cloudtrail.iter().chain(&sts) {
        assert_eq!(
            s.access_key.as_deref(),
            Some("AKIDPROFILEKEY"),
            "[{label}] CloudTrail {:?}, STS {:?}",
            signers(&cloudtrail),
            signers(&sts)
        );
    }

    // The same profile named by AWS_PROFILE instead: the environment's keys come first.
    b.emu.stop_ingestion(&arn);
    let (ct_before, sts_before) = (b.cloudtrail.total(), b.sts.total());
    b.wd.write("main.tf", &b.config("", &arn));
    let mut env_profile = environment.to_vec();
    env_profile.push(("AWS_PROFILE", "prod"));
    env_profile.push(("AWS_SHARED_CREDENTIALS_FILE", credentials.as_str()));
    let run = b.wd.run_with(&apply, &env_profile);
    assert_eq!(run.code, 0, "[{label}] {}", run.text());
    assert_eq!(b.emu.status(&arn), "ENABLED");
    let later: Vec<Seen> = b.cloudtrail.requests()[ct_before..]
        .iter()
        .chain(&b.sts.requests()[sts_before..])
        .cloned()
        .collect();
    assert!(!later.is_empty());
    for s in &later {
        assert_eq!(
            s.access_key.as_deref(),
            Some("AKIDENVIRONMENTKEY"),
            "[{label}] {:?}",
            signers(&later)
        );
    }
}

/// sts:GetCallerIdentity failing, because STS refuses the credentials or cannot be reached (an
/// emulator without STS, a VPC without its endpoint), fails the plan in every mode that calls AWS
/// at plan, `warn` included: a CI gate must not pass over credentials that cannot work. A destroy
/// that makes no AWS call still works with the same configuration.
fn credentials_sts_cannot_check_fail_the_plan(label: &str) {
    let Some(b) = bed(label) else {
        return;
    };
    let arn = b.emu.new_store("unchecked");
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let unreachable = format!("http://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let with_sts = |sts: &str, extra: &str| {
        b.config(&format!("{BASE_KEYS}{extra}"), &arn).replace(
            &format!("sts        = \"{}\"", b.sts.endpoint),
            &format!("sts        = \"{sts}\""),
        )
    };
    let plan = ["plan", "-no-color", "-input=false", "-detailed-exitcode"];
    for mode in ["", "  plan_checks = \"error\"\n"] {
        b.wd.write("main.tf", &with_sts(&unreachable, mode));
        let run = b.wd.run(&plan);
        let text = flat(&run.text());
        assert_eq!(run.code, 1, "[{label}] unreachable STS, {mode:?}: {text}");
        assert!(
            text.contains("Could not check the AWS credentials with STS"),
            "[{label}] {text}"
        );
        assert!(text.contains(&unreachable), "[{label}] {text}");
    }
    b.sts.inject(
        "GetCallerIdentity",
        support::faultproxy::Fault::QueryError {
            status: 403,
            code: "InvalidClientTokenId",
            message: "The security token included in the request is invalid.",
        },
        None,
    );
    b.wd.write("main.tf", &b.config(BASE_KEYS, &arn));
    let run = b.wd.run(&plan);
    let text = flat(&run.text());
    assert_eq!(run.code, 1, "[{label}] rejected: {text}");
    assert!(
        text.contains("AWS credentials rejected by STS"),
        "[{label}] {text}"
    );
    assert!(text.contains("InvalidClientTokenId"), "[{label}] {text}");
    assert_eq!(b.cloudtrail.total(), 0, "[{label}] {}", b.cloudtrail.log());
    assert_eq!(b.emu.status(&arn), "STOPPED_INGESTION");

    // With working credentials the store is taken over; then STS goes away, and a destroy that
    // needs no AWS call (no refresh, stop_on_destroy off) still removes it from state.
    b.sts.clear();
    b.wd.apply();
    assert_eq!(b.emu.status(&arn), "ENABLED");
    b.wd.write("main.tf", &with_sts(&unreachable, ""));
    let run = b.wd.run(&[
        "destroy",
        "-no-color",
        "-input=false",
        "-auto-approve",
        "-refresh=false",
    ]);
    assert_eq!(run.code, 0, "[{label}] destroy: {}", run.text());
    assert_eq!(b.emu.status(&arn), "ENABLED");
    let state = b.wd.run(&["state", "list"]);
    assert!(state.stdout.trim().is_empty(), "[{label}] {}", state.stdout);
}
