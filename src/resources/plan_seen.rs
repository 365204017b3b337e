//! What a plan saw of a store, carried to the apply of that plan in `planned_private`.
//!
//! Terraform plans each resource again in the apply walk, in the process that then applies it,
//! so the apply receives a read made moments before. Apply acts on it: a store that needs a
//! Start or Stop gets the call without another read (CloudTrail refuses a call a stale hint would
//! get wrong), and a store already at the target, seen within `HINT_FRESH_FOR`, gets no call.
//! That last case accepts one narrow race: ingestion switched outside Terraform in the moment
//! between that plan and the apply is recorded as it was read, and the next refresh shows it as
//! drift, as it would had the switch come a moment after the apply.

use std::time::Duration;

use crate::aws::status::Status;
use crate::aws::store::StoreInfo;

#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct PlanSeen {
    pub arn: String,
    #[serde(default)]
    pub name: String,
    pub status: String,
    /// When the plan read the store, in milliseconds since the Unix epoch (0: unknown).
    #[serde(default)]
    pub seen_at_ms: u64,
}

/// How old a plan's read may be for the apply to trust that the store is already settled. The
/// apply walk's plan and apply of one resource run back to back, well within a second; anything
/// older (a plan's private bytes replayed by some other client) is read again.
const HINT_FRESH_FOR: Duration = Duration::from_secs(5);

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl PlanSeen {
    pub fn encode(info: &StoreInfo) -> Vec<u8> {
        PlanSeen {
            arn: info.arn.clone(),
            name: info.name.clone(),
            status: info.status.as_str().to_owned(),
            seen_at_ms: now_ms(),
        }
        .to_bytes()
    }

    fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// Anything unreadable (another version's bytes, none at all) is simply no hint.
    pub fn decode(bytes: &[u8]) -> Option<PlanSeen> {
        serde_json::from_slice(bytes).ok()
    }

    pub fn status(&self) -> Status {
        Status::parse(&self.status)
    }

    /// The store was at `target` when read, recently enough to take as now. A clock that went
    /// backwards, or a read from the future, is not trusted either.
    pub fn settled_at(&self, target: &Status) -> bool {
        self.settled_at_time(target, now_ms())
    }

    fn settled_at_time(&self, target: &Status, now_ms: u64) -> bool {
        let fresh_ms = u64::try_from(HINT_FRESH_FOR.as_millis()).unwrap_or(u64::MAX);
        self.status() == *target
            && !self.name.is_empty()
            && self.seen_at_ms != 0
            && now_ms >= self.seen_at_ms
            && now_ms - self.seen_at_ms <= fresh_ms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(status: &str, name: &str, at: u64) -> PlanSeen {
        PlanSeen {
            arn: "arn:aws:cloudtrail:us-east-1:123456789012:eventdatastore/x".into(),
            name: name.into(),
            status: status.into(),
            seen_at_ms: at,
        }
    }

    #[test]
    fn a_fresh_read_at_the_target_is_trusted() {
        let now = 1_000_000_000;
        let enabled = Status::Enabled;
        assert!(seen("ENABLED", "audit", now - 1_000).settled_at_time(&enabled, now));
        assert!(seen("ENABLED", "audit", now - 5_000).settled_at_time(&enabled, now));
    }

    #[test]
    fn an_old_future_undated_or_other_status_read_is_not() {
        let now = 1_000_000_000;
        let enabled = Status::Enabled;
        assert!(!seen("ENABLED", "audit", now - 5_001).settled_at_time(&enabled, now));
        assert!(!seen("ENABLED", "audit", now + 1).settled_at_time(&enabled, now));
        assert!(!seen("ENABLED", "audit", 0).settled_at_time(&enabled, now));
        assert!(!seen("STARTING_INGESTION", "audit", now).settled_at_time(&enabled, now));
        assert!(!seen("ENABLED", "", now).settled_at_time(&enabled, now));
    }

    #[test]
    fn hints_round_trip_and_older_ones_still_decode() {
        let s = seen("STOPPED_INGESTION", "audit", 42);
        assert_eq!(PlanSeen::decode(&s.to_bytes()), Some(s));
        // Bytes from the version before `name` and `seen_at_ms`: a hint, never a trusted one.
        let old = PlanSeen::decode(br#"{"arn":"a","status":"ENABLED"}"#).unwrap();
        assert!(!old.settled_at(&Status::Enabled));
        assert_eq!(PlanSeen::decode(b"\xff"), None);
    }
}
