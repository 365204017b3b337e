//! ConflictException: retried by the provider within the timeout, then reported

use std::time::Duration;

use aws_sdk_cloudtrail::Client;
use aws_smithy_mocks::{Rule, mock};
use terraform_provider_cloudtrail::cty::Value;
use tokio::time::Instant;

use crate::support::mocks::*;

fn conflicts_then(ok_after: Option<usize>) -> Rule {
    let seq = mock!(Client::start_event_data_store_ingestion)
        .sequence()
        .http_response(|| aws_error("ConflictException"));
    match ok_after {
        Some(n) => seq.times(n).http_response(ok_body).build(),
        None => seq.repeatedly().build(),
    }
}

#[tokio::test(start_paused = true)]
async fn a_conflict_is_retried_with_backoff() {
    let get = get_sequence(&[
        "STOPPED_INGESTION",
        "STOPPED_INGESTION",
        "STOPPED_INGESTION",
        "ENABLED",
    ]);
    let start = conflicts_then(Some(2));
    let p = provider(&[&get, &start]);
    let t0 = Instant::now();
    let (state, diags) = apply_create(&p, &config(ARN, None, None)).await;
    assert!(diags.is_empty(), "{diags:#?}");
    assert_eq!(
        start.num_calls(),
        3,
        "the SDK does not retry ConflictException"
    );
    // 1 s of backoff stretched to the pacer's 1.1 s between two Start calls, then 2 s.
    assert_eq!(t0.elapsed(), Duration::from_millis(3100));
    assert_eq!(state.get("status"), Some(&Value::string("ENABLED")));
}

#[tokio::test(start_paused = true)]
async fn a_store_that_stays_busy_is_reported_at_the_timeout() {
    let get = get_sequence(&["STOPPED_INGESTION"]);
    let start = conflicts_then(None);
    let p = provider(&[&get, &start]);
    let t0 = Instant::now();
    let (_, diags) = apply_create(&p, &config(ARN, None, Some("1m"))).await;
    assert_eq!(t0.elapsed(), Duration::from_secs(60));
    let d = only_error(&diags);
    assert_eq!(d.summary, "The event data store stayed busy");
    for needle in [
        "ConflictException",
        "AWS says ConflictException",
        "Request ID: req-ConflictException",
        "timeouts",
    ] {
        assert!(
            d.detail.contains(needle),
            "{needle:?} missing in {}",
            d.detail
        );
    }
    // 1+2+4+8+15+15+15 s of backoff fit in a minute: 7 or 8 attempts, not a tight loop.
    assert!(
        (7..=8).contains(&start.num_calls()),
        "{}",
        start.num_calls()
    );
}
