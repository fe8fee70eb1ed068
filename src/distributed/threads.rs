//! Ranks as threads of one process: each rank runs on its own thread with its own rayon pool
//! (a rank waiting in a collective then blocks only its own workers), and the collectives go
//! through shared memory. What a test needs to check that a sharded fit equals the serial one,
//! without MPI.

use std::panic;
use std::sync::{Condvar, Mutex};
use std::time::Duration;

use super::Collective;
use crate::error::{Error, Result};

/// In-process ranks: [`Threads::run`] runs one job per rank, each on its own thread and
/// rayon pool, with a [`ThreadRank`] as its collective.
#[derive(Debug, Clone, Copy)]
pub struct Threads {
    ranks: usize,
    threads_per_rank: usize,
}

/// Most ranks [`Threads`] starts (each is a thread and a thread pool).
pub const MAX_THREAD_RANKS: usize = 256;

impl Threads {
    /// `ranks` ranks of one thread each (1 to [`MAX_THREAD_RANKS`]).
    pub fn new(ranks: usize) -> Result<Self> {
        if !(1..=MAX_THREAD_RANKS).contains(&ranks) {
            return Err(Error::invalid(
                "ranks",
                ranks,
                format!("must lie in 1..={MAX_THREAD_RANKS}"),
            ));
        }
        Ok(Self {
            ranks,
            threads_per_rank: 1,
        })
    }

    /// Worker threads in each rank's pool (default 1).
    pub fn threads_per_rank(mut self, threads: usize) -> Self {
        self.threads_per_rank = threads.clamp(1, 64);
        self
    }

    /// Runs `job` on every rank and returns their results in rank order. A rank whose job
    /// ends while others wait in a collective makes them fail with
    /// [`Error::Distributed`] instead of waiting forever; a panic in a job is re-raised here.
    pub fn run<R: Send>(
        &self,
        job: impl Fn(&ThreadRank<'_>) -> Result<R> + Sync,
    ) -> Vec<Result<R>> {
        let shared = Shared {
            state: Mutex::new(State {
                deposits: vec![None; self.ranks],
                arrived: 0,
                generation: 0,
                gathered: Vec::new(),
                finished: 0,
            }),
            wake: Condvar::new(),
            ranks: self.ranks,
        };
        let outcomes: Vec<std::thread::Result<Result<R>>> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..self.ranks)
                .map(|rank| {
                    let (shared, job) = (&shared, &job);
                    let threads = self.threads_per_rank;
                    s.spawn(move || {
                        let _finished = Finished(shared);
                        let me = ThreadRank { shared, rank };
                        let pool = rayon::ThreadPoolBuilder::new()
                            .num_threads(threads)
                            .thread_name(move |i| format!("rank-{rank}-{i}"))
                            .build()
                            .map_err(|e| Error::Distributed {
                                rank,
                                message: format!("cannot start its thread pool: {e}"),
                            })?;
                        pool.install(|| job(&me))
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join()).collect()
        });
        let mut results = Vec::with_capacity(self.ranks);
        let mut bug = None;
        for (rank, outcome) in outcomes.into_iter().enumerate() {
            results.push(match outcome {
                Ok(result) => result,
                Err(payload) if payload.is::<Abandoned>() => Err(Error::Distributed {
                    rank,
                    message: "another rank left the job while this one waited in a collective"
                        .into(),
                }),
                Err(payload) => {
                    bug.get_or_insert(payload);
                    continue;
                }
            });
        }
        if let Some(payload) = bug {
            panic::resume_unwind(payload);
        }
        results
    }
}

/// The panic payload of a rank whose peers left: turned into an error by [`Threads::run`].
struct Abandoned;

struct Shared {
    state: Mutex<State>,
    wake: Condvar,
    ranks: usize,
}

struct State {
    deposits: Vec<Option<Vec<u8>>>,
    arrived: usize,
    generation: u64,
    gathered: Vec<Vec<u8>>,
    finished: usize,
}

/// Counts a rank as finished when its thread ends, returning or panicking.
struct Finished<'a>(&'a Shared);

impl Drop for Finished<'_> {
    fn drop(&mut self) {
        let mut state = self.0.state.lock().unwrap_or_else(|e| e.into_inner());
        state.finished += 1;
        self.0.wake.notify_all();
    }
}

/// One rank of [`Threads`]: its [`Collective`].
pub struct ThreadRank<'a> {
    shared: &'a Shared,
    rank: usize,
}

impl std::fmt::Debug for ThreadRank<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ThreadRank({} of {})", self.rank, self.shared.ranks)
    }
}

impl Collective for ThreadRank<'_> {
    fn processes(&self) -> usize {
        self.shared.ranks
    }

    fn rank(&self) -> usize {
        self.rank
    }

    fn all_gather_bytes(&self, mine: &[u8]) -> Vec<Vec<u8>> {
        let shared = self.shared;
        let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
        if state.finished > 0 {
            drop(state);
            panic::panic_any(Abandoned);
        }
        state.deposits[self.rank] = Some(mine.to_vec());
        state.arrived += 1;
        let generation = state.generation;
        if state.arrived == shared.ranks {
            state.gathered = state
                .deposits
                .iter_mut()
                .map(|d| d.take().unwrap_or_default())
                .collect();
            state.arrived = 0;
            state.generation += 1;
            shared.wake.notify_all();
        } else {
            while state.generation == generation {
                if state.finished > 0 {
                    drop(state);
                    panic::panic_any(Abandoned);
                }
                state = shared
                    .wake
                    .wait_timeout(state, Duration::from_millis(50))
                    .unwrap_or_else(|e| e.into_inner())
                    .0;
            }
        }
        state.gathered.clone()
    }
}
