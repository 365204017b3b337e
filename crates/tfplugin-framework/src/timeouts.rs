//! Durations written the way Terraform users write them (Go's `time.ParseDuration`: "10m",
//! "1h30m", "90s", "1.5h"), for `timeouts` blocks and `assume_role.duration`; and the
//! `timeouts` block itself, declared, checked and read the same way by every resource and action.

use std::time::Duration;

use crate::cty::Value;
use crate::diagnostics::{Diagnostic, Diagnostics, attr_path};
use crate::model::Field;
use crate::schema::{Attribute, Block, Nesting};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{0:?} is not a duration; write a number followed by a unit, e.g. \"30s\", \"10m\", \"1h30m\" \
     (units: ms, s, m, h)"
)]
pub struct DurationError(pub String);

pub fn parse_duration(text: &str) -> Result<Duration, DurationError> {
    let err = || DurationError(text.to_owned());
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(err());
    }
    let mut total = 0f64;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(err)?;
        if num_len == 0 {
            return Err(err());
        }
        let number: f64 = rest[..num_len].parse().map_err(|_| err())?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ms" => 0.001,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return Err(err()),
        };
        rest = &rest[unit_len..];
        total += number * seconds;
    }
    // A week is far beyond any CloudTrail wait and keeps the float conversion in range.
    if !(0.0..=604_800.0).contains(&total) {
        return Err(err());
    }
    Ok(Duration::from_secs_f64(total))
}

/// One operation of a `timeouts` block: its attribute, its default and its description.
pub struct TimeoutOp {
    pub name: &'static str,
    pub default: Duration,
    pub description: &'static str,
}

/// A `timeouts` block with these operations, each an optional duration.
pub struct Timeouts {
    pub description: &'static str,
    pub ops: &'static [TimeoutOp],
}

impl Timeouts {
    /// Adds the block to a resource's or action's schema.
    pub fn add_to(&self, block: Block) -> Block {
        let mut timeouts = Block::new(self.description);
        for op in self.ops {
            timeouts = timeouts.attribute(
                Attribute::string(op.name)
                    .optional()
                    .description(op.description),
            );
        }
        block.block("timeouts", Nesting::Single, timeouts)
    }

    /// Every duration that is set but does not parse, each at its attribute.
    pub fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::new();
        let Some(block) = config.get("timeouts") else {
            return diags;
        };
        for op in self.ops {
            if let Some(text) = block.get(op.name).and_then(Value::as_str)
                && let Err(err) = parse_duration(text)
            {
                diags.push(
                    Diagnostic::error(
                        format!("Invalid timeouts.{}", op.name),
                        format!("timeouts.{}: {err}", op.name),
                    )
                    .at(attr_path(&["timeouts", op.name])),
                );
            }
        }
        diags
    }

    /// The duration for `op` in `value` (a configuration or a state), else its default.
    pub fn get(&self, value: &Value, op: &str) -> Duration {
        self.in_block(value.get("timeouts"), op)
    }

    /// The duration for `op` in a model's `timeouts` field, else its default.
    pub fn of(&self, block: &Field<Value>, op: &str) -> Duration {
        self.in_block(block.known(), op)
    }

    fn in_block(&self, block: Option<&Value>, op: &str) -> Duration {
        let default = self
            .ops
            .iter()
            .find(|o| o.name == op)
            .map_or(Duration::ZERO, |o| o.default);
        block
            .and_then(|t| t.get(op))
            .and_then(Value::as_str)
            .and_then(|s| parse_duration(s).ok())
            .unwrap_or(default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Timeouts = Timeouts {
        description: "d",
        ops: &[
            TimeoutOp {
                name: "create",
                default: Duration::from_secs(600),
                description: "c",
            },
            TimeoutOp {
                name: "read",
                default: Duration::from_secs(120),
                description: "r",
            },
        ],
    };

    #[test]
    fn timeouts_are_read_checked_and_defaulted() {
        let config = crate::resource::object([(
            "timeouts",
            crate::resource::object([
                ("create", Value::string("3s")),
                ("read", Value::string("soon")),
            ]),
        )]);
        assert_eq!(T.get(&config, "create"), Duration::from_secs(3));
        assert_eq!(T.get(&config, "read"), Duration::from_secs(120));
        assert_eq!(T.get(&Value::Null, "create"), Duration::from_secs(600));
        // A model's field reads the same.
        let block = Field::from_value(config.get("timeouts").unwrap_or(&Value::Null));
        assert_eq!(T.of(&block, "create"), Duration::from_secs(3));
        assert_eq!(T.of(&block, "read"), Duration::from_secs(120));
        assert_eq!(T.of(&Field::Unknown, "create"), Duration::from_secs(600));
        let diags = T.validate(&config);
        assert_eq!(diags.0.len(), 1);
        assert_eq!(diags.0[0].path, Some(attr_path(&["timeouts", "read"])));
    }

    #[test]
    fn go_style_durations() {
        assert_eq!(parse_duration("10m"), Ok(Duration::from_secs(600)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("250ms"), Ok(Duration::from_millis(250)));
        for bad in ["", "10", "m", "10x", "1h-3m", "9999999h", "1..2s", "-1s"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
