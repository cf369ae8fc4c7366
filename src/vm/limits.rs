//! The instruction budget, the deadline and the interrupt flag. All three are checked at the
//! same points only: every call and every taken backward jump. Each point charges a cost
//! (1 for a call; for a backward jump, the number of code words it jumps back over, i.e. the
//! length of the loop body, so a budget approximates executed instructions) against `fuel`,
//! a countdown that the dispatch loop keeps in a local (`spend!` in `interp.rs`): the fast
//! path is one subtraction and one branch. When the fuel runs out the slow path (`refill`)
//! settles the budget, reads the interrupt flag and the clock, and hands out the next
//! `CHUNK` units (or what is left of the budget). With no limit set the fuel is effectively
//! infinite and the slow path never runs.
//!
//! A violation is an ordinary runtime error (E0015, E0016, E0018), catchable by `try`. The
//! state stays exhausted: after a caught budget or deadline error, the next call or backward
//! jump raises it again, so catching cannot extend a limit; the interrupt flag stays set
//! until the host clears it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::error::RuntimeError;
use super::VmConfig;
use crate::diag::codes;

/// Units between two slow-path checks of the clock and the interrupt flag.
pub(crate) const CHUNK: u64 = 4096;

pub(crate) struct Limits {
    /// Units left before the slow path runs. The dispatch loop keeps a copy in a local while
    /// a frame runs and writes it back before leaving the frame or calling `refill`.
    pub fuel: u64,
    /// Budget units not handed out as fuel yet (`None`: no budget).
    budget_left: Option<u64>,
    /// The budget as configured, for messages.
    budget: u64,
    deadline: Option<Instant>,
    interrupt: Option<Arc<AtomicBool>>,
}

impl Limits {
    pub fn new(config: &VmConfig) -> Limits {
        let mut limits = Limits {
            fuel: 0,
            budget_left: config.instruction_budget,
            budget: config.instruction_budget.unwrap_or(0),
            deadline: config.deadline,
            interrupt: config.interrupt.clone(),
        };
        limits.grant();
        limits
    }

    /// Hands out the next fuel.
    fn grant(&mut self) {
        self.fuel = match &mut self.budget_left {
            Some(left) => {
                let g = if self.deadline.is_some() || self.interrupt.is_some() { (*left).min(CHUNK) } else { *left };
                *left -= g;
                g
            }
            None if self.deadline.is_some() || self.interrupt.is_some() => CHUNK,
            None => u64::MAX,
        };
    }

    /// The slow path of charging `n` units when only `fuel` (< n) are left: settles the
    /// budget, checks the interrupt flag and the deadline, and hands out the next fuel.
    #[cold]
    #[inline(never)]
    pub fn refill(&mut self, n: u64) -> Result<(), RuntimeError> {
        let need = n - self.fuel;
        self.fuel = 0;
        if let Some(left) = &mut self.budget_left {
            if *left < need {
                *left = 0;
                let msg = format!("instruction budget exhausted ({} instructions)", self.budget);
                return Err(RuntimeError::new(codes::INSTRUCTION_BUDGET, msg));
            }
            *left -= need;
        }
        if self.interrupt.as_ref().is_some_and(|flag| flag.load(Ordering::Relaxed)) {
            return Err(RuntimeError::new(codes::INTERRUPTED, "interrupted"));
        }
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return Err(RuntimeError::new(codes::DEADLINE, "deadline exceeded"));
        }
        self.grant();
        Ok(())
    }

    /// `sleep(seconds)` from `std.time`: sleeps in short slices so that the interrupt flag
    /// and the deadline still stop the program on time.
    pub fn sleep(&self, seconds: f64) -> Result<(), RuntimeError> {
        const SLICE: Duration = Duration::from_millis(10);
        let total = Duration::try_from_secs_f64(seconds.max(0.0)).unwrap_or(Duration::MAX);
        let end = Instant::now().checked_add(total);
        loop {
            if self.interrupt.as_ref().is_some_and(|flag| flag.load(Ordering::Relaxed)) {
                return Err(RuntimeError::new(codes::INTERRUPTED, "interrupted"));
            }
            let now = Instant::now();
            if self.deadline.is_some_and(|d| now >= d) {
                return Err(RuntimeError::new(codes::DEADLINE, "deadline exceeded"));
            }
            let left = match end {
                Some(e) if now >= e => return Ok(()),
                Some(e) => e - now,
                None => SLICE,
            };
            let mut step = left.min(SLICE);
            if let Some(d) = self.deadline {
                step = step.min(d.saturating_duration_since(now));
            }
            std::thread::sleep(step);
        }
    }
}
