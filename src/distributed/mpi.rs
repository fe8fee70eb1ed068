//! The MPI backend: one rank per MPI process (`mpirun -np N …`), over Open MPI or any MPI
//! library the `mpi` crate (rsmpi) builds against.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use mpi::collective::SystemOperation;
use mpi::datatype::PartitionMut;
use mpi::environment::Universe;
use mpi::topology::SimpleCommunicator;
use mpi::traits::*;
use mpi::Threading;

use super::Collective;
use crate::error::{Error, Result};

/// How long a rank waits in one collective before it ends the job, unless
/// `LEARNKIT_MPI_TIMEOUT` (seconds) says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(300);

/// The world of an MPI job as a [`Collective`]. Start it once per process with
/// [`Mpi::init`]; dropping it finalizes MPI.
///
/// Calls into MPI are serialized (MPI's `MPI_THREAD_SERIALIZED`), so the learner may reach a
/// collective from any of its worker threads. A watchdog ends the job when a collective has
/// waited longer than the timeout (another rank failed or stalls): no job hangs.
pub struct Mpi {
    inner: Mutex<Inner>,
    rank: usize,
    size: usize,
    sent: AtomicU64,
    /// Nanoseconds spent inside collectives (waiting for the others included).
    inside: AtomicU64,
    /// Milliseconds since `start` at which the collective in progress began (0: none).
    waiting_since: Arc<AtomicU64>,
    start: Instant,
}

struct Inner {
    world: SimpleCommunicator,
    // Declared last: dropped (MPI finalized) after the communicator.
    _universe: Universe,
}

// SAFETY: MPI was initialized with MPI_THREAD_SERIALIZED (checked in `init`), which allows
// calls from any thread as long as no two run at once; every call goes through the mutex.
#[allow(unsafe_code)]
unsafe impl Send for Inner {}

impl std::fmt::Debug for Mpi {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Mpi(rank {} of {})", self.rank, self.size)
    }
}

impl Mpi {
    /// Initializes MPI (once per process) and joins its world. Outside `mpirun` this is a
    /// world of one process.
    pub fn init() -> Result<Self> {
        let timeout = std::env::var("LEARNKIT_MPI_TIMEOUT")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .map_or(DEFAULT_TIMEOUT, Duration::from_secs_f64);
        // The watchdog is armed from the start: joining the job waits for every rank too.
        let start = Instant::now();
        let waiting_since = Arc::new(AtomicU64::new(1));
        let rank_seen = Arc::new(AtomicU64::new(u64::MAX));
        let (watched, rank_of) = (Arc::clone(&waiting_since), Arc::clone(&rank_seen));
        std::thread::Builder::new()
            .name("learnkit-mpi-watchdog".into())
            .spawn(move || loop {
                std::thread::sleep(Duration::from_millis(200));
                let since = watched.load(Ordering::Relaxed);
                if since == 0 {
                    continue;
                }
                let waited = start.elapsed().saturating_sub(Duration::from_millis(since));
                if waited > timeout {
                    let rank = match rank_of.load(Ordering::Relaxed) {
                        u64::MAX => "?".to_string(),
                        r => r.to_string(),
                    };
                    eprintln!(
                        "error: rank {rank}: waited {:.0} s in a collective that the other ranks \
                         did not join (one failed or stalls; LEARNKIT_MPI_TIMEOUT sets the \
                         limit); ending the job",
                        waited.as_secs_f64()
                    );
                    // Leaving without finalizing makes the MPI launcher end every rank.
                    std::process::exit(3);
                }
            })
            .map_err(|e| Error::Distributed {
                rank: 0,
                message: format!("cannot start the watchdog thread: {e}"),
            })?;
        let (universe, threading) = mpi::initialize_with_threading(Threading::Serialized)
            .ok_or_else(|| Error::Distributed {
                rank: 0,
                message: "MPI is already initialized in this process".into(),
            })?;
        waiting_since.store(0, Ordering::Relaxed);
        let world = universe.world();
        let (rank, size) = (world.rank() as usize, world.size() as usize);
        rank_seen.store(rank as u64, Ordering::Relaxed);
        if threading < Threading::Serialized {
            return Err(Error::Distributed {
                rank,
                message: format!(
                    "this MPI library offers {threading:?} threading; learnkit needs Serialized"
                ),
            });
        }
        Ok(Self {
            inner: Mutex::new(Inner {
                world,
                _universe: universe,
            }),
            rank,
            size,
            sent: AtomicU64::new(0),
            inside: AtomicU64::new(0),
            waiting_since,
            start,
        })
    }

    /// Ends every rank of the job with `code` (MPI_Abort): for an error on one rank that the
    /// others cannot learn of through a collective.
    pub fn abort(&self, code: i32) -> ! {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.world.abort(code)
    }

    /// Runs one collective under the lock, with the watchdog armed.
    fn call<R>(&self, bytes: usize, f: impl FnOnce(&SimpleCommunicator) -> R) -> R {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        self.sent.fetch_add(bytes as u64, Ordering::Relaxed);
        let now = (self.start.elapsed().as_millis() as u64).max(1);
        self.waiting_since.store(now, Ordering::Relaxed);
        let began = Instant::now();
        let out = f(&inner.world);
        self.waiting_since.store(0, Ordering::Relaxed);
        self.inside
            .fetch_add(began.elapsed().as_nanos() as u64, Ordering::Relaxed);
        out
    }
}

impl Collective for Mpi {
    fn processes(&self) -> usize {
        self.size
    }

    fn rank(&self) -> usize {
        self.rank
    }

    fn bytes_sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    fn seconds_in_collectives(&self) -> f64 {
        self.inside.load(Ordering::Relaxed) as f64 * 1e-9
    }

    fn all_gather_bytes(&self, mine: &[u8]) -> Vec<Vec<u8>> {
        let count = i32::try_from(mine.len()).expect("a collective of at most 2 GiB per rank");
        self.call(mine.len(), |world| {
            let mut counts = vec![0i32; self.size];
            world.all_gather_into(&count, &mut counts[..]);
            let mut displs = Vec::with_capacity(self.size);
            let mut total = 0i64;
            for &c in &counts {
                displs.push(i32::try_from(total).expect("a collective of at most 2 GiB"));
                total += i64::from(c);
            }
            if total == 0 {
                // Nothing to move (a barrier): MPI refuses the empty buffers' dangling pointers.
                return vec![Vec::new(); self.size];
            }
            let mut all = vec![0u8; total as usize];
            {
                let mut parts = PartitionMut::new(&mut all[..], &counts[..], &displs[..]);
                world.all_gather_varcount_into(mine, &mut parts);
            }
            let mut out = Vec::with_capacity(self.size);
            let mut rest = &all[..];
            for &c in &counts {
                let (part, tail) = rest.split_at(c as usize);
                out.push(part.to_vec());
                rest = tail;
            }
            out
        })
    }

    fn barrier(&self) {
        self.call(0, |world| world.barrier());
    }

    fn reduce_scatter_whole(&self, values: &[f64], cuts: &[usize]) -> Vec<f64> {
        let rank = self.rank;
        let (lo, hi) = (cuts[rank], cuts[rank + 1]);
        if self.size == 1 {
            return values[lo..hi].to_vec();
        }
        // MPI_Reduce_scatter_block takes equal blocks: each rank's block padded to the longest.
        let block = cuts.windows(2).map(|w| w[1] - w[0]).max().unwrap_or(0);
        let mut send = vec![0.0; block * self.size];
        for r in 0..self.size {
            send[r * block..r * block + cuts[r + 1] - cuts[r]]
                .copy_from_slice(&values[cuts[r]..cuts[r + 1]]);
        }
        let mut mine = vec![0.0; block];
        self.call(send.len() * 8, |world| {
            world.reduce_scatter_block_into(&send[..], &mut mine[..], SystemOperation::sum());
        });
        mine.truncate(hi - lo);
        mine
    }

    fn all_sum_whole(&self, values: &mut [f64]) {
        if self.size == 1 {
            return;
        }
        let mine = values.to_vec();
        self.call(mine.len() * 8, |world| {
            world.all_reduce_into(&mine[..], values, SystemOperation::sum());
        });
    }
}
