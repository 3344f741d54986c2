//! The generic cell rate algorithm (GCRA), as pure arithmetic on microseconds so that it can be
//! tested without I/O. The Redis back end runs the same steps in Lua (`redis.rs`); keep the two in
//! step.
//!
//! A bucket allowing `limit` requests per `period` has an emission interval `T = period / limit`.
//! The state is one number per key, the theoretical arrival time (TAT). A request at `now` is
//! allowed when `max(TAT, now) + T - period <= now`; it then moves the TAT to `max(TAT, now) + T`.
//! A refused request changes nothing. So a fresh bucket allows a burst of `limit` requests, then
//! one every `T`.

/// Microseconds in a second.
pub const MICROS: i64 = 1_000_000;

/// A rate: `limit` requests per `period_secs` seconds (a burst of `limit` is allowed).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// The bucket's name, used in keys and in the `cos_rate_limited_total{bucket}` metric.
    pub bucket: &'static str,
    pub limit: u32,
    pub period_secs: u64,
}

impl Policy {
    pub const fn new(bucket: &'static str, limit: u32, period_secs: u64) -> Self {
        Self { bucket, limit, period_secs }
    }

    /// `limit` per minute.
    pub const fn per_minute(bucket: &'static str, limit: u32) -> Self {
        Self::new(bucket, limit, 60)
    }

    /// The emission interval `T`, microseconds (at least 1).
    pub fn interval_us(&self) -> i64 {
        let period = i64::try_from(self.period_secs).unwrap_or(i64::MAX / MICROS).saturating_mul(MICROS);
        (period / i64::from(self.limit.max(1))).max(1)
    }

    /// The period as the algorithm sees it: `T × limit` (equal to the configured period unless
    /// the division rounded).
    pub fn period_us(&self) -> i64 {
        self.interval_us().saturating_mul(i64::from(self.limit.max(1)))
    }
}

/// The answer for one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// The policy's limit (`RateLimit-Limit`).
    pub limit: u32,
    /// Requests still allowed right now (`RateLimit-Remaining`).
    pub remaining: u32,
    /// Seconds until the bucket is full again (`RateLimit-Reset`).
    pub reset_after_secs: u64,
    /// Seconds until a request would be allowed (`Retry-After`); 0 when allowed.
    pub retry_after_secs: u64,
}

impl Decision {
    /// Builds a decision from the raw microsecond values both back ends produce.
    pub fn from_raw(policy: &Policy, allowed: bool, remaining: i64, reset_after_us: i64, retry_after_us: i64) -> Self {
        Self {
            allowed,
            limit: policy.limit,
            remaining: u32::try_from(remaining.max(0)).unwrap_or(u32::MAX).min(policy.limit),
            reset_after_secs: ceil_secs(reset_after_us),
            retry_after_secs: if allowed { 0 } else { ceil_secs(retry_after_us).max(1) },
        }
    }
}

fn ceil_secs(us: i64) -> u64 {
    u64::try_from(us.max(0)).unwrap_or(0).div_ceil(MICROS as u64)
}

/// One GCRA step: given the stored TAT (if any) and `now`, the decision and the TAT to store
/// (`None` when refused: nothing changes).
pub fn step(policy: &Policy, tat: Option<i64>, now: i64) -> (Decision, Option<i64>) {
    let interval = policy.interval_us();
    let period = policy.period_us();
    let tat = tat.unwrap_or(now).max(now);
    let new_tat = tat.saturating_add(interval);
    let allow_at = new_tat - period;
    if now < allow_at {
        return (Decision::from_raw(policy, false, 0, tat - now, allow_at - now), None);
    }
    let remaining = (period - (new_tat - now)) / interval;
    (Decision::from_raw(policy, true, remaining, new_tat - now, 0), Some(new_tat))
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: i64 = MICROS;

    /// Runs `n` requests at `now`, threading the TAT through; returns the decisions.
    fn run(policy: &Policy, tat: &mut Option<i64>, now: i64, n: usize) -> Vec<Decision> {
        (0..n)
            .map(|_| {
                let (d, next) = step(policy, *tat, now);
                if let Some(next) = next {
                    *tat = Some(next);
                }
                d
            })
            .collect()
    }

    #[test]
    fn a_fresh_bucket_allows_a_burst_of_limit_then_refuses() {
        let p = Policy::per_minute("t", 3);
        let mut tat = None;
        let d = run(&p, &mut tat, 1_000 * S, 4);
        assert_eq!(d.iter().map(|d| d.allowed).collect::<Vec<_>>(), [true, true, true, false]);
        assert_eq!(d.iter().map(|d| d.remaining).collect::<Vec<_>>(), [2, 1, 0, 0]);
        assert!(d.iter().all(|d| d.limit == 3));
        // T = 20 s: after the burst the bucket is full again in 60 s; the next request in 20 s.
        assert_eq!(d[0].reset_after_secs, 20);
        assert_eq!(d[2].reset_after_secs, 60);
        assert_eq!((d[3].reset_after_secs, d[3].retry_after_secs), (60, 20));
        assert_eq!(d[0].retry_after_secs, 0);
    }

    #[test]
    fn refusals_do_not_consume() {
        let p = Policy::per_minute("t", 2);
        let mut tat = None;
        run(&p, &mut tat, 0, 2);
        let before = tat;
        let d = run(&p, &mut tat, S, 5);
        assert!(d.iter().all(|d| !d.allowed));
        assert_eq!(tat, before);
        // 30 s interval, 1 s elapsed: 29 s to wait.
        assert_eq!(d[0].retry_after_secs, 29);
    }

    #[test]
    fn the_steady_rate_is_one_per_interval() {
        let p = Policy::per_minute("t", 60); // T = 1 s
        let mut tat = None;
        assert!(run(&p, &mut tat, 0, 60).iter().all(|d| d.allowed));
        assert!(!run(&p, &mut tat, 0, 1)[0].allowed);
        // Every second, exactly one more request.
        for second in 1..=10 {
            let d = run(&p, &mut tat, second * S, 2);
            assert!(d[0].allowed, "second {second}");
            assert_eq!(d[0].remaining, 0);
            assert!(!d[1].allowed);
            assert_eq!(d[1].retry_after_secs, 1);
        }
        // Half a second later: not yet.
        let d = run(&p, &mut tat, 10 * S + S / 2, 1);
        assert!(!d[0].allowed);
        assert_eq!(d[0].retry_after_secs, 1, "rounded up");
    }

    #[test]
    fn an_idle_bucket_refills_completely_and_no_further() {
        let p = Policy::per_minute("t", 5);
        let mut tat = None;
        run(&p, &mut tat, 0, 5);
        // Half the period later, half the burst is back (T = 12 s, 30 s → 2 whole requests).
        let d = run(&p, &mut tat, 30 * S, 3);
        assert_eq!(d.iter().map(|d| d.allowed).collect::<Vec<_>>(), [true, true, false]);
        // Long idle: a full burst again, never more.
        let d = run(&p, &mut tat, 10_000 * S, 6);
        assert_eq!(d.iter().filter(|d| d.allowed).count(), 5);
        assert_eq!(d[0].remaining, 4);
    }

    #[test]
    fn long_periods_and_huge_limits_do_not_overflow() {
        let p = Policy::new("login", 10, 15 * 60);
        let mut tat = None;
        let d = run(&p, &mut tat, 0, 11);
        assert_eq!(d.iter().filter(|d| d.allowed).count(), 10);
        assert_eq!(d[10].retry_after_secs, 90);
        assert_eq!(d[10].reset_after_secs, 900);
        let huge = Policy::per_minute("bench", u32::MAX);
        assert_eq!(huge.interval_us(), 1);
        let mut tat = None;
        assert!(run(&huge, &mut tat, 0, 1000).iter().all(|d| d.allowed));
    }
}
