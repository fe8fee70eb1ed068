//! Keeping the thread pool's workers awake for the length of a boosting round.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Runs `f` with the pool's other workers polling for its parallel tasks (as OpenMP's threads
/// spin between parallel regions): a boosting round hands out many tasks of tens of
/// microseconds, and a worker that fell asleep between them takes longer than that to wake.
/// (`docs/gradient_boosting.md` measures what it saves.)
pub fn with_awake_workers<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if rayon::current_num_threads() == 1 {
        return f();
    }
    let done = AtomicBool::new(false);
    let done = &done;
    rayon::scope(|scope| {
        let main = rayon::current_thread_index();
        for _ in 1..rayon::current_num_threads() {
            scope.spawn(move |_| keep_awake(done, main));
        }
        let result = f();
        done.store(true, Ordering::Release);
        result
    })
}

/// How long [`keep_awake`] polls without finding work before it gives its thread back.
const AWAKE_IDLE: Duration = Duration::from_micros(200);

/// Polls for pool work until `done`, or until none has come for [`AWAKE_IDLE`]. The time limit
/// matters when a waiting thread picks this task up from another fit running in the same pool
/// (say, in a parallel grid search): whatever it was doing resumes at the latest then. Does
/// nothing on the thread that runs the fit itself (`main`).
fn keep_awake(done: &AtomicBool, main: Option<usize>) {
    if rayon::current_thread_index() == main {
        return;
    }
    let mut idle_since = Instant::now();
    let mut idle_polls = 0u32;
    while !done.load(Ordering::Acquire) {
        if rayon::yield_now() == Some(rayon::Yield::Executed) {
            idle_polls = 0;
        } else {
            // The clock is read once every 64 empty polls, not at each.
            idle_polls += 1;
            if idle_polls == 1 {
                idle_since = Instant::now();
            } else if idle_polls % 64 == 0 && idle_since.elapsed() > AWAKE_IDLE {
                return;
            }
            std::hint::spin_loop();
        }
    }
}
