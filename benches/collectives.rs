//! The histogram collective, measured under `mpirun`: the all-reduce learnkit's learner uses
//! against LightGBM's scheme — a reduce-scatter by feature blocks (each rank receives the
//! summed histograms of its features) followed by an all-gather of each rank's best split —
//! on buffers the size of one leaf's histograms (features × bins × 3 whole numbers).
//!
//! ```text
//! cargo bench --features mpi --bench collectives --no-run
//! mpirun -np 4 target/release/deps/collectives-…      # one JSON line per size, from rank 0
//! ```
//! `make bench-distributed` runs it at 2 and 4 ranks and writes the table into
//! docs/benchmarks.md.

#[cfg(feature = "mpi")]
fn main() {
    use learnkit::distributed::{Collective, Mpi};
    use std::time::Instant;

    let mpi = match Mpi::init() {
        Ok(m) => m,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(2);
        }
    };
    let ranks = mpi.processes();
    const BINS: usize = 256;
    for features in [20, 67, 200, 1000] {
        let len = features * BINS * 3;
        let values: Vec<f64> = (0..len)
            .map(|i| ((i * 7 + mpi.rank()) % 1000) as f64)
            .collect();
        // Each rank's block of whole features.
        let cuts: Vec<usize> = (0..=ranks)
            .map(|r| features * r / ranks * BINS * 3)
            .collect();
        let repeats = (200_000_000 / (len * 8)).clamp(20, 2_000);
        let median = |f: &mut dyn FnMut()| {
            let mut times = Vec::with_capacity(repeats);
            for _ in 0..repeats {
                mpi.barrier();
                let start = Instant::now();
                f();
                times.push(start.elapsed().as_secs_f64());
            }
            times.sort_by(f64::total_cmp);
            times[repeats / 2] * 1e6
        };
        let mut all = values.clone();
        let all_reduce = median(&mut || {
            all.copy_from_slice(&values);
            mpi.all_sum_whole(&mut all);
        });
        let scatter = median(&mut || {
            let mine = mpi.reduce_scatter_whole(&values, &cuts);
            // The best split of this rank's block: a few dozen bytes to every rank.
            let best = [mine.first().copied().unwrap_or(0.0); 6];
            let bytes: Vec<u8> = best.iter().flat_map(|v| v.to_le_bytes()).collect();
            std::hint::black_box(mpi.all_gather_bytes(&bytes));
        });
        // The two give the same sums: this rank's block of the all-reduce.
        let (lo, hi) = (cuts[mpi.rank()], cuts[mpi.rank() + 1]);
        assert_eq!(
            mpi.reduce_scatter_whole(&values, &cuts),
            all[lo..hi].to_vec()
        );
        if mpi.rank() == 0 {
            println!(
                "{{\"ranks\": {ranks}, \"features\": {features}, \"bins\": {BINS}, \"bytes\": {}, \
                 \"repeats\": {repeats}, \"all_reduce_us\": {all_reduce:.1}, \
                 \"reduce_scatter_us\": {scatter:.1}}}",
                len * 8
            );
        }
    }
}

#[cfg(not(feature = "mpi"))]
fn main() {
    eprintln!("the collectives bench needs --features mpi");
}
