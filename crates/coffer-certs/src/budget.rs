//! Accounting of key-derivation work for one input: a cap per derivation, and a total so
//! that an input holding many encrypted items cannot multiply the cost.

use std::cell::Cell;

use crate::{CertError, WorkLimits};

/// The limits in force and the work already spent on the current input.
pub(crate) struct WorkBudget {
    pub limits: WorkLimits,
    /// Spent work in thousandths of one derivation at its cap.
    spent: Cell<u64>,
}

impl WorkBudget {
    pub fn new(limits: WorkLimits) -> Self {
        Self {
            limits,
            spent: Cell::new(0),
        }
    }

    /// Refuses `value` above `cap`; otherwise charges `value / cap` of a full derivation
    /// (at least one thousandth) to the input's total and refuses it once the total passes
    /// [`WorkLimits::max_total_work_permille`].
    pub fn charge(&self, parameter: &'static str, value: u64, cap: u64) -> Result<(), CertError> {
        check(parameter, value, cap)?;
        let cost = value
            .saturating_mul(1000)
            .checked_div(cap)
            .unwrap_or(0)
            .max(1);
        let spent = self.spent.get().saturating_add(cost);
        self.spent.set(spent);
        check(
            "total key-derivation work (thousandths of a capped derivation)",
            spent,
            self.limits.max_total_work_permille.into(),
        )
    }
}

/// Fails with `too_costly` when `value` exceeds `limit`.
pub(crate) fn check(parameter: &'static str, value: u64, limit: u64) -> Result<(), CertError> {
    if value > limit {
        Err(CertError::TooCostly {
            parameter,
            value,
            limit,
        })
    } else {
        Ok(())
    }
}
