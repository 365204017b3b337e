//! Spacing of Start/StopEventDataStoreIngestion calls: CloudTrail allows about one per second per
//! account and region and the quota cannot be raised, so every resource of the process takes
//! its turn from one [`Pacer`] per account and region. Reads never wait here.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

/// A little over the quota's one second, so that network jitter between two paced calls does not
/// make them arrive closer than a second apart; the SDK's retries absorb what still gets through.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(1100);

/// Hands out turns at most one per `interval`, first come first served.
///
/// Hand-written rather than `governor`: it is a dozen lines, it keeps FIFO order (each caller
/// reserves the next free slot, so 1000 waiting resources cannot starve one another), and it runs
/// on tokio's clock, so tests pace 200 resources in paused virtual time instead of 200 seconds.
#[derive(Debug)]
pub struct Pacer {
    interval: Duration,
    next_free: Mutex<Option<Instant>>,
}

impl Pacer {
    pub fn new(interval: Duration) -> Self {
        Pacer {
            interval,
            next_free: Mutex::new(None),
        }
    }

    /// Waits for this caller's turn. A caller dropped while waiting leaves its slot unused, which
    /// only errs on the slow side.
    pub async fn turn(&self) {
        if self.interval.is_zero() {
            return;
        }
        let slot = {
            let mut next = self
                .next_free
                .lock()
                .unwrap_or_else(PoisonError::into_inner);
            let now = Instant::now();
            let slot = next.map_or(now, |n| n.max(now));
            *next = Some(slot + self.interval);
            slot
        };
        tokio::time::sleep_until(slot).await;
    }
}

/// One [`Pacer`] per (account, region), created on first use.
#[derive(Debug)]
pub struct Pacers {
    interval: Duration,
    by_key: Mutex<HashMap<(String, String), Arc<Pacer>>>,
}

impl Pacers {
    pub fn new(interval: Duration) -> Self {
        Pacers {
            interval,
            by_key: Mutex::new(HashMap::new()),
        }
    }

    /// The pacer for `account` (from the store's ARN; empty when unknown) in `region`.
    pub fn get(&self, account: &str, region: &str) -> Arc<Pacer> {
        let mut map = self.by_key.lock().unwrap_or_else(PoisonError::into_inner);
        map.entry((account.to_owned(), region.to_owned()))
            .or_insert_with(|| Arc::new(Pacer::new(self.interval)))
            .clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn turns_are_spaced_by_the_interval_in_arrival_order() {
        let pacer = Arc::new(Pacer::new(Duration::from_secs(1)));
        let start = Instant::now();
        let mut tasks = Vec::new();
        for _ in 0..5 {
            let p = pacer.clone();
            tasks.push(tokio::spawn(async move {
                p.turn().await;
                Instant::now() - start
            }));
        }
        let mut times = Vec::new();
        for t in tasks {
            times.push(t.await.unwrap_or_default());
        }
        times.sort();
        let secs: Vec<u64> = times.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [0, 1, 2, 3, 4]);
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_pacer_gives_a_turn_at_once() {
        let pacer = Pacer::new(Duration::from_secs(1));
        pacer.turn().await;
        tokio::time::sleep(Duration::from_secs(5)).await;
        let before = Instant::now();
        pacer.turn().await;
        assert_eq!(Instant::now(), before);
    }

    #[test]
    fn one_pacer_per_account_and_region() {
        let pacers = Pacers::new(DEFAULT_INTERVAL);
        let a = pacers.get("123456789012", "us-east-1");
        assert!(Arc::ptr_eq(&a, &pacers.get("123456789012", "us-east-1")));
        assert!(!Arc::ptr_eq(&a, &pacers.get("123456789012", "eu-west-1")));
        assert!(!Arc::ptr_eq(&a, &pacers.get("210987654321", "us-east-1")));
    }
}
