//! The provider against CloudTrail's real behaviour, mocked with the AWS SDK's own tools
//! (aws-smithy-mocks): every documented error with its request id, throttling, the status machine,
//! Start/Stop pacing, ConflictException and plan-time checks. Paused tokio time keeps backoffs
//! and the 1-call-per-second quota fast and exact. The call log has tests/call_log.rs.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

/// One section per file, in tests/aws_mocks/.
mod aws_mocks {
    mod conflicts;
    mod destroy;
    pub(crate) mod errors;
    mod newest;
    mod pacing;
    mod plan_checks;
    mod status;
    mod store;
}
