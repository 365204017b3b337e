//! An event data store's status as CloudTrail reports it, and what each one means for ingestion.
//! One enum instead of string literals, so a `match` names every status the provider knows.

use std::fmt;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    Created,
    Enabled,
    StartingIngestion,
    StoppingIngestion,
    StoppedIngestion,
    PendingDeletion,
    /// A status this provider does not know (CloudTrail may add some), as received.
    Other(String),
}

impl Status {
    pub fn parse(text: &str) -> Status {
        match text {
            "CREATED" => Status::Created,
            "ENABLED" => Status::Enabled,
            "STARTING_INGESTION" => Status::StartingIngestion,
            "STOPPING_INGESTION" => Status::StoppingIngestion,
            "STOPPED_INGESTION" => Status::StoppedIngestion,
            "PENDING_DELETION" => Status::PendingDeletion,
            other => Status::Other(other.to_owned()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            Status::Created => "CREATED",
            Status::Enabled => "ENABLED",
            Status::StartingIngestion => "STARTING_INGESTION",
            Status::StoppingIngestion => "STOPPING_INGESTION",
            Status::StoppedIngestion => "STOPPED_INGESTION",
            Status::PendingDeletion => "PENDING_DELETION",
            Status::Other(s) => s,
        }
    }

    /// Where a store settles once ingestion is started (`true`) or stopped.
    pub fn settled(ingesting: bool) -> Status {
        if ingesting {
            Status::Enabled
        } else {
            Status::StoppedIngestion
        }
    }

    /// The status on the way to `settled(ingesting)`.
    pub fn moving(ingesting: bool) -> Status {
        if ingesting {
            Status::StartingIngestion
        } else {
            Status::StoppingIngestion
        }
    }

    /// Ingestion counts as enabled while it is on or on its way on.
    pub fn is_ingesting(&self) -> bool {
        matches!(self, Status::Enabled | Status::StartingIngestion)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_round_trips_and_unknown_ones_are_kept() {
        for s in [
            Status::Created,
            Status::Enabled,
            Status::StartingIngestion,
            Status::StoppingIngestion,
            Status::StoppedIngestion,
            Status::PendingDeletion,
            Status::Other("ARCHIVED".into()),
        ] {
            assert_eq!(Status::parse(s.as_str()), s);
        }
        assert!(Status::StartingIngestion.is_ingesting());
        assert!(!Status::StoppingIngestion.is_ingesting());
    }
}
