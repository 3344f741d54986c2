//! Retry delays: exponential backoff with jitter (the default for every job type), and a fixed
//! schedule for types that need one (webhook deliveries).

use std::time::Duration;

use rand::Rng;

/// The first retry's base delay.
const BASE: Duration = Duration::from_secs(2);
/// The longest delay between two attempts.
const CAP: Duration = Duration::from_secs(60 * 60);

/// The delay before attempt `attempt + 1`, after `attempt` failed runs (1-based): `2 s × 2^(n-1)`
/// capped at one hour, times a random factor in [0.75, 1.25) so that jobs failing together do not
/// come back together.
pub fn exponential(attempt: i32) -> Duration {
    let exp = u32::try_from(attempt.saturating_sub(1)).unwrap_or(0).min(20);
    let base = BASE.saturating_mul(2u32.saturating_pow(exp)).min(CAP);
    let factor = rand::rng().random_range(0.75..1.25);
    base.mul_f64(factor)
}

/// The delay after `attempt` failed runs from a fixed schedule (`schedule[0]` is the first
/// attempt's own delay, so the retry after run `n` waits `schedule[n]`); the last entry repeats.
pub fn from_schedule(schedule: &[Duration], attempt: i32) -> Duration {
    let i = usize::try_from(attempt).unwrap_or(0);
    schedule.get(i).or(schedule.last()).copied().unwrap_or(Duration::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_grows_with_jitter_and_stops_at_the_cap() {
        for attempt in 1..=30 {
            let expected =
                BASE.saturating_mul(2u32.saturating_pow(u32::try_from(attempt - 1).unwrap().min(20))).min(CAP);
            let d = exponential(attempt);
            assert!(d >= expected.mul_f64(0.75) && d < expected.mul_f64(1.25), "attempt {attempt}: {d:?}");
        }
        assert!(exponential(3) >= Duration::from_secs(6));
    }

    #[test]
    fn a_schedule_repeats_its_last_entry() {
        let s = [Duration::ZERO, Duration::from_secs(5), Duration::from_secs(300)];
        assert_eq!(from_schedule(&s, 1), Duration::from_secs(5));
        assert_eq!(from_schedule(&s, 2), Duration::from_secs(300));
        assert_eq!(from_schedule(&s, 9), Duration::from_secs(300));
    }
}
