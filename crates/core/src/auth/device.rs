//! The device authorization grant's polling rules (RFC 8628 §3.5, reference §1.3), written
//! over an injected clock, sleep and poll so the rules are tested without real time passing.

use crate::error::{Error, ErrorCode, Result};
use std::future::Future;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// What one poll of the token endpoint said.
#[derive(Debug)]
pub enum PollOutcome<T> {
    Token(T),
    Pending,
    SlowDown,
    Failed(Error),
}

/// Progress reported before each wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PollProgress {
    Waiting {
        next_poll: Duration,
        remaining: Duration,
    },
    SlowDown {
        interval: Duration,
    },
}

/// Added to every wait: nothing. Each wait starts when the previous answer (or the device
/// code) has arrived, so the service sees at least `interval` between two polls: the previous
/// request reached it before its answer left, and a timer never fires early. Any margin here
/// would cost every sign-in half of it on average (docs/benchmarks.md, figure 4); it stays a
/// named constant so the rule is written down and tested.
pub const SAFETY_MARGIN: Duration = Duration::ZERO;
/// RFC 8628 §3.5: on `slow_down` the interval grows by 5 seconds for this and every later poll.
pub const SLOW_DOWN_STEP: Duration = Duration::from_secs(5);
/// RFC 8628 §3.2: 5 seconds when the server names no interval.
pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(5);

pub fn expired() -> Error {
    Error::new(
        ErrorCode::SignInExpired,
        "The sign-in code expired before it was used.",
        "Start the sign-in again and enter the new code within the time shown.",
    )
}

pub fn cancelled() -> Error {
    Error::new(
        ErrorCode::SignInCancelled,
        "The sign-in was cancelled.",
        "Start the sign-in again when you are ready.",
    )
}

/// Poll until a token, a stopping error, the deadline (on the monotonic clock) or cancel.
/// No poll is sent after cancel, and none after success.
#[allow(clippy::too_many_arguments)]
pub async fn poll_until_done<T, Now, Sleep, SleepFut, Poll, PollFut>(
    interval: Duration,
    expires_in: Duration,
    issued_at: Instant,
    now: Now,
    sleep: Sleep,
    mut poll: Poll,
    cancel: &CancellationToken,
    progress: &mut (dyn FnMut(PollProgress) + Send),
) -> Result<T>
where
    Now: Fn() -> Instant,
    Sleep: Fn(Duration) -> SleepFut,
    SleepFut: Future<Output = ()>,
    Poll: FnMut() -> PollFut,
    PollFut: Future<Output = PollOutcome<T>>,
{
    let deadline = issued_at + expires_in;
    let mut interval = interval;
    loop {
        if cancel.is_cancelled() {
            return Err(cancelled());
        }
        let wait = interval + SAFETY_MARGIN;
        let current = now();
        if current + wait >= deadline {
            return Err(expired());
        }
        progress(PollProgress::Waiting {
            next_poll: wait,
            remaining: deadline - current,
        });
        tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(cancelled()),
            _ = sleep(wait) => {}
        }
        if cancel.is_cancelled() {
            return Err(cancelled());
        }
        let outcome = tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(cancelled()),
            o = poll() => o,
        };
        match outcome {
            PollOutcome::Token(t) => return Ok(t),
            PollOutcome::Pending => {}
            PollOutcome::SlowDown => {
                interval += SLOW_DOWN_STEP;
                progress(PollProgress::SlowDown { interval });
            }
            PollOutcome::Failed(e) => return Err(e),
        }
    }
}

/// `interval` as sent: a number, a number in a string (some servers), or absent.
pub fn parse_interval(value: Option<&serde_json::Value>) -> Duration {
    let secs = match value {
        Some(serde_json::Value::Number(n)) => n.as_u64(),
        Some(serde_json::Value::String(s)) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    // A zero or absurd interval would hammer the service: keep it within 1 s .. 60 s.
    secs.map(|s| Duration::from_secs(s.clamp(1, 60)))
        .unwrap_or(DEFAULT_INTERVAL)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    /// A fake monotonic clock that advances only when the loop sleeps.
    #[derive(Clone)]
    struct FakeClock {
        start: Instant,
        elapsed: Arc<Mutex<Duration>>,
        sleeps: Arc<Mutex<Vec<Duration>>>,
    }

    impl FakeClock {
        fn new() -> Self {
            FakeClock {
                start: Instant::now(),
                elapsed: Arc::default(),
                sleeps: Arc::default(),
            }
        }
        fn now(&self) -> Instant {
            self.start + *self.elapsed.lock().unwrap()
        }
        fn sleep(&self, d: Duration) -> std::future::Ready<()> {
            *self.elapsed.lock().unwrap() += d;
            self.sleeps.lock().unwrap().push(d);
            std::future::ready(())
        }
    }

    async fn run(
        script: Vec<PollOutcome<&'static str>>,
        interval: u64,
        expires: u64,
        cancel: &CancellationToken,
    ) -> (Result<&'static str>, Vec<Duration>, usize) {
        let clock = FakeClock::new();
        let script = Arc::new(Mutex::new(script.into_iter()));
        let polls = Arc::new(Mutex::new(0usize));
        let mut progress = |_p: PollProgress| {};
        let c = clock.clone();
        let c2 = clock.clone();
        let p = polls.clone();
        let result = poll_until_done(
            Duration::from_secs(interval),
            Duration::from_secs(expires),
            clock.now(),
            move || c.now(),
            move |d| c2.sleep(d),
            || {
                *p.lock().unwrap() += 1;
                let next = script
                    .lock()
                    .unwrap()
                    .next()
                    .unwrap_or(PollOutcome::Pending);
                std::future::ready(next)
            },
            cancel,
            &mut progress,
        )
        .await;
        let sleeps = clock.sleeps.lock().unwrap().clone();
        let n = *polls.lock().unwrap();
        (result, sleeps, n)
    }

    #[tokio::test]
    async fn waits_interval_before_every_poll_and_stops_after_success() {
        let cancel = CancellationToken::new();
        let (r, sleeps, polls) = run(
            vec![
                PollOutcome::Pending,
                PollOutcome::Pending,
                PollOutcome::Token("tok"),
            ],
            5,
            900,
            &cancel,
        )
        .await;
        assert_eq!(r.unwrap(), "tok");
        assert_eq!(polls, 3, "never polls again after success");
        assert_eq!(sleeps, vec![Duration::from_secs(5) + SAFETY_MARGIN; 3]);
    }

    #[tokio::test]
    async fn slow_down_adds_five_seconds_for_every_later_poll() {
        let cancel = CancellationToken::new();
        let (r, sleeps, _) = run(
            vec![
                PollOutcome::Pending,
                PollOutcome::SlowDown,
                PollOutcome::Pending,
                PollOutcome::SlowDown,
                PollOutcome::Token("t"),
            ],
            5,
            900,
            &cancel,
        )
        .await;
        assert!(r.is_ok());
        let secs: Vec<u64> = sleeps
            .iter()
            .map(|d| (*d - SAFETY_MARGIN).as_secs())
            .collect();
        assert_eq!(secs, vec![5, 5, 10, 10, 15]);
    }

    #[tokio::test]
    async fn stops_at_the_deadline_without_polling_past_it() {
        let cancel = CancellationToken::new();
        let (r, _, polls) = run(vec![], 5, 20, &cancel).await;
        assert_eq!(r.unwrap_err().code, ErrorCode::SignInExpired);
        // Polls at 5.2 s, 10.4 s and 15.6 s; the next would land at 20.8 s, past the deadline.
        assert_eq!(polls, 3);
    }

    #[tokio::test]
    async fn stops_on_any_error_the_protocol_does_not_name_as_retriable() {
        let cancel = CancellationToken::new();
        let err = Error::new(ErrorCode::SignInDeclined, "x", "y");
        let (r, _, polls) = run(
            vec![
                PollOutcome::Pending,
                PollOutcome::Failed(err),
                PollOutcome::Token("late"),
            ],
            1,
            900,
            &cancel,
        )
        .await;
        assert_eq!(r.unwrap_err().code, ErrorCode::SignInDeclined);
        assert_eq!(polls, 2);
    }

    #[tokio::test]
    async fn cancel_before_start_sends_nothing() {
        let cancel = CancellationToken::new();
        cancel.cancel();
        let (r, _, polls) = run(vec![PollOutcome::Token("t")], 1, 900, &cancel).await;
        assert_eq!(r.unwrap_err().code, ErrorCode::SignInCancelled);
        assert_eq!(polls, 0);
    }

    #[tokio::test]
    async fn cancel_during_the_wait_sends_no_further_request() {
        let cancel = CancellationToken::new();
        let polls = Arc::new(Mutex::new(0usize));
        let p = polls.clone();
        let c = cancel.clone();
        let handle = tokio::spawn(async move {
            let mut progress = |_p: PollProgress| {};
            poll_until_done::<&str, _, _, _, _, _>(
                Duration::from_secs(3600),
                Duration::from_secs(7200),
                Instant::now(),
                Instant::now,
                tokio::time::sleep,
                || {
                    *p.lock().unwrap() += 1;
                    std::future::ready(PollOutcome::Pending)
                },
                &c,
                &mut progress,
            )
            .await
        });
        tokio::time::sleep(Duration::from_millis(20)).await;
        cancel.cancel();
        let r = handle.await.unwrap();
        assert_eq!(r.unwrap_err().code, ErrorCode::SignInCancelled);
        assert_eq!(*polls.lock().unwrap(), 0);
    }

    #[test]
    fn interval_accepts_numbers_strings_and_absence() {
        use serde_json::json;
        assert_eq!(parse_interval(Some(&json!(7))), Duration::from_secs(7));
        assert_eq!(parse_interval(Some(&json!("3"))), Duration::from_secs(3));
        assert_eq!(parse_interval(None), DEFAULT_INTERVAL);
        assert_eq!(parse_interval(Some(&json!("soon"))), DEFAULT_INTERVAL);
        assert_eq!(parse_interval(Some(&json!(0))), Duration::from_secs(1));
    }
}
