//! Hyper-parameter search: [`GridSearch`] and [`RandomSearch`], parallel over every
//! (candidate, fold) pair, with a results table and the best candidate refitted.

use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use rand::seq::SliceRandom;
use rayon::prelude::*;
use serde::Serialize;

use super::params::{Distribution, ParamGrid, SetParam, Value};
use super::scoring::{Scored, Scorer};
use super::split::{KFold, Splitter, StratifiedKFold};
use super::validation::{fit_and_score, mean, prepare, std, CvTarget};
use crate::dataset::Dataset;
use crate::distributed::{Collective, Serial};
use crate::error::{Error, Result};
use crate::traits::{Estimator, Hyperparams};

/// One candidate's row of the results table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CandidateResult {
    /// The parameters set on the base estimator, as `name=value` pairs.
    pub params: Vec<(String, String)>,
    /// Mean test score per scorer.
    pub mean_scores: Vec<f64>,
    /// Standard deviation of the test scores per scorer.
    pub std_scores: Vec<f64>,
    /// Each fold's test score per scorer (`fold_scores[s][f]`).
    pub fold_scores: Vec<Vec<f64>>,
    /// Rank by the first scorer's mean (1 is best; ties share the better rank).
    pub rank: usize,
    /// Mean seconds to fit one fold.
    pub mean_fit_seconds: f64,
}

/// What a search found.
#[derive(Debug, Clone, Serialize)]
pub struct SearchResult<F> {
    /// Scorer names; the first ranks the candidates.
    pub scorers: Vec<String>,
    /// One row per candidate, in the order tried.
    pub candidates: Vec<CandidateResult>,
    /// Index of the best candidate (highest mean of the first scorer; the first such on ties).
    pub best_index: usize,
    /// Its mean score.
    pub best_score: f64,
    /// Wall-clock seconds of the whole search (refit included).
    pub seconds: f64,
    /// The best candidate fitted on all the data (when `refit`).
    #[serde(skip)]
    pub best_model: Option<F>,
}

impl<F> SearchResult<F> {
    /// The best candidate's parameters.
    pub fn best_params(&self) -> &[(String, String)] {
        &self.candidates[self.best_index].params
    }

    /// Writes the results table as CSV: one row per candidate, its parameters, then mean and
    /// std of each scorer, the rank and the mean fit time.
    pub fn write_csv(&self, path: impl AsRef<Path>) -> Result<()> {
        let names: Vec<&str> = self
            .candidates
            .first()
            .map(|c| c.params.iter().map(|(n, _)| n.as_str()).collect())
            .unwrap_or_default();
        let mut text = String::new();
        let mut header: Vec<String> = names.iter().map(|n| format!("param_{n}")).collect();
        for s in &self.scorers {
            header.push(format!("mean_test_{s}"));
            header.push(format!("std_test_{s}"));
        }
        header.extend(["rank".to_string(), "mean_fit_seconds".to_string()]);
        text.push_str(&header.join(","));
        text.push('\n');
        for c in &self.candidates {
            let mut row: Vec<String> = c.params.iter().map(|(_, v)| v.clone()).collect();
            for (m, s) in c.mean_scores.iter().zip(&c.std_scores) {
                row.push(format!("{m}"));
                row.push(format!("{s}"));
            }
            row.push(c.rank.to_string());
            row.push(format!("{}", c.mean_fit_seconds));
            text.push_str(&row.join(","));
            text.push('\n');
        }
        crate::persist::write_atomic(path.as_ref(), |w| w.write_all(text.as_bytes()))
    }

    /// Writes the whole result (every candidate, every fold) as JSON.
    pub fn write_json(&self, path: impl AsRef<Path>) -> Result<()> {
        let json = serde_json::to_vec_pretty(self)
            .map_err(|e| Error::invalid("results", "json", e.to_string()))?;
        crate::persist::write_atomic(path.as_ref(), |w| w.write_all(&json))
    }
}

/// The settings every search shares.
#[derive(Debug)]
struct SearchSettings {
    splitter: Option<Box<dyn Splitter>>,
    scorers: Vec<Scorer>,
    refit: bool,
}

impl Default for SearchSettings {
    fn default() -> Self {
        Self {
            splitter: None,
            scorers: Vec::new(),
            refit: true,
        }
    }
}

/// Evaluates every candidate on every fold (in parallel), ranks, and refits the best.
fn run_search<P, T>(
    base: &P,
    candidates: Vec<Vec<(String, Value)>>,
    data: &Dataset<T>,
    settings: &SearchSettings,
    refit: bool,
    collective: &dyn Collective,
) -> Result<SearchResult<P::Fitted>>
where
    T: CvTarget,
    P: SetParam + Hyperparams + Estimator<Dataset<T>> + Clone + Sync,
    P::Fitted: Scored<T> + Send,
{
    let start = Instant::now();
    if candidates.is_empty() {
        return Err(Error::invalid("grid", "[]", "has no candidates"));
    }
    // Every candidate is built and checked before any fitting: an unknown name, a value of
    // the wrong type or an impossible value fails the search up front, naming it.
    let built: Vec<P> = candidates
        .iter()
        .map(|c| {
            let p = base.clone().with_params(c)?;
            p.check()?;
            Ok(p)
        })
        .collect::<Result<_>>()?;
    let scorers = match settings.scorers.is_empty() {
        true => vec![T::default_scorer()],
        false => settings.scorers.clone(),
    };
    let default_splitter: Box<dyn Splitter> = match T::CLASSIFICATION {
        true => Box::new(StratifiedKFold::params()),
        false => Box::new(KFold::params()),
    };
    let splitter = settings
        .splitter
        .as_deref()
        .unwrap_or(default_splitter.as_ref());
    let folds = prepare(data, splitter, &scorers, None)?;
    let jobs: Vec<(usize, usize)> = (0..built.len())
        .flat_map(|c| (0..folds.len()).map(move |f| (c, f)))
        .collect();
    // Across processes, process `r` takes the jobs `r, r + size, …`; the results are gathered
    // back into job order, so every process holds the one-process table.
    let (rank, size) = (collective.rank(), collective.processes());
    let local: Result<Vec<(Vec<f64>, f64, f64)>> = jobs
        .par_iter()
        .enumerate()
        .filter(|(j, _)| j % size == rank)
        .map(|(_, &(c, f))| fit_and_score(&built[c], data, &folds[f], &scorers))
        .collect();
    let results: Vec<(Vec<f64>, f64, f64)> = if size == 1 {
        local?
    } else {
        let width = scorers.len() + 2;
        let bytes = local
            .map(|rs| {
                rs.iter()
                    .flat_map(|(scores, fit, score)| {
                        scores
                            .iter()
                            .chain([fit, score])
                            .flat_map(|v| v.to_le_bytes())
                    })
                    .collect()
            })
            .map_err(|e| e.to_string());
        let parts = crate::distributed::agree(collective, bytes)?;
        let mut results = vec![(Vec::new(), 0.0, 0.0); jobs.len()];
        for (r, part) in parts.iter().enumerate() {
            let values: Vec<f64> = part
                .chunks_exact(8)
                .map(|b| f64::from_le_bytes(b.try_into().expect("8 bytes")))
                .collect();
            for (entry, j) in values
                .chunks_exact(width)
                .zip((r..jobs.len()).step_by(size))
            {
                let n = scorers.len();
                results[j] = (entry[..n].to_vec(), entry[n], entry[n + 1]);
            }
        }
        results
    };
    let k = folds.len();
    let mut rows: Vec<CandidateResult> = candidates
        .iter()
        .enumerate()
        .map(|(c, params)| {
            let fold_results = &results[c * k..(c + 1) * k];
            let fold_scores: Vec<Vec<f64>> = (0..scorers.len())
                .map(|s| fold_results.iter().map(|r| r.0[s]).collect())
                .collect();
            CandidateResult {
                params: params
                    .iter()
                    .map(|(n, v)| (n.clone(), v.to_string()))
                    .collect(),
                mean_scores: fold_scores.iter().map(|f| mean(f)).collect(),
                std_scores: fold_scores.iter().map(|f| std(f)).collect(),
                fold_scores,
                rank: 0,
                mean_fit_seconds: mean(&fold_results.iter().map(|r| r.1).collect::<Vec<_>>()),
            }
        })
        .collect();
    // Rank by the first scorer; NaN scores rank last.
    let key = |r: &CandidateResult| {
        let m = r.mean_scores[0];
        if m.is_nan() {
            f64::NEG_INFINITY
        } else {
            m
        }
    };
    for i in 0..rows.len() {
        let better = rows.iter().filter(|r| key(r) > key(&rows[i])).count();
        rows[i].rank = better + 1;
    }
    let best_index = (0..rows.len()).find(|&i| rows[i].rank == 1).unwrap_or(0);
    let best_model = match refit {
        true => Some(built[best_index].fit(data)?),
        false => None,
    };
    Ok(SearchResult {
        scorers: scorers.iter().map(|s| s.name().to_string()).collect(),
        best_score: rows[best_index].mean_scores[0],
        candidates: rows,
        best_index,
        seconds: start.elapsed().as_secs_f64(),
        best_model,
    })
}

macro_rules! search_settings {
    () => {
        /// The cross-validation splitter (default: stratified 5-fold for classes, 5-fold for
        /// real targets, as scikit-learn).
        pub fn cv(self, splitter: impl Splitter + 'static) -> Self {
            self.cv_boxed(Box::new(splitter))
        }

        /// [`Self::cv`] for a splitter chosen at run time.
        pub fn cv_boxed(mut self, splitter: Box<dyn Splitter>) -> Self {
            self.settings.splitter = Some(splitter);
            self
        }

        /// The scorers; the first ranks the candidates and picks the best (default: accuracy
        /// for classes, R² for real targets).
        pub fn scoring(mut self, scorers: &[Scorer]) -> Self {
            self.settings.scorers = scorers.to_vec();
            self
        }

        /// Fit the best candidate on all the data afterwards (default true).
        pub fn refit(mut self, yes: bool) -> Self {
            self.settings.refit = yes;
            self
        }
    };
}

/// Exhaustive search over a [`ParamGrid`] — scikit-learn's `GridSearchCV`.
///
/// ```
/// use learnkit::model_selection::{GridSearch, ParamGrid};
/// use learnkit::tree::DecisionTreeClassifier;
///
/// let iris = learnkit::data::iris()?;
/// let grid = ParamGrid::parse("max_depth=1,2,3,none;criterion=gini,entropy")?;
/// let search = GridSearch::new(DecisionTreeClassifier::params(), grid).fit(&iris)?;
/// assert_eq!(search.candidates.len(), 8);
/// assert!(search.best_score > 0.9);
/// assert_ne!(search.best_params()[0].1, "1"); // a stump cannot separate three species
/// # Ok::<(), learnkit::Error>(())
/// ```
#[derive(Debug)]
pub struct GridSearch<P> {
    base: P,
    grid: ParamGrid,
    settings: SearchSettings,
}

impl<P> GridSearch<P> {
    /// Searches `grid`, setting its parameters on `base` (whose other settings stay fixed).
    pub fn new(base: P, grid: ParamGrid) -> Self {
        Self {
            base,
            grid,
            settings: SearchSettings::default(),
        }
    }

    search_settings!();

    /// Runs the search.
    pub fn fit<T>(&self, data: &Dataset<T>) -> Result<SearchResult<P::Fitted>>
    where
        T: CvTarget,
        P: SetParam + Hyperparams + Estimator<Dataset<T>> + Clone + Sync,
        P::Fitted: Scored<T> + Send,
    {
        self.fit_distributed(data, &Serial)
    }

    /// Runs the search with its (candidate, fold) pairs spread over the processes of
    /// `collective`, each holding all of `data` (every process calls it): every process gets
    /// the one-process results table (fit times aside) and refits the best candidate. A fold
    /// that fails on any process fails every process with its error.
    pub fn fit_distributed<T>(
        &self,
        data: &Dataset<T>,
        collective: &dyn Collective,
    ) -> Result<SearchResult<P::Fitted>>
    where
        T: CvTarget,
        P: SetParam + Hyperparams + Estimator<Dataset<T>> + Clone + Sync,
        P::Fitted: Scored<T> + Send,
    {
        self.grid.size()?;
        run_search(
            &self.base,
            self.grid.candidates(),
            data,
            &self.settings,
            self.settings.refit,
            collective,
        )
    }
}

/// Random search: `n_iter` candidates drawn from per-parameter distributions with a seed —
/// scikit-learn's `RandomizedSearchCV`.
#[derive(Debug)]
pub struct RandomSearch<P> {
    base: P,
    distributions: Vec<(String, Distribution)>,
    n_iter: usize,
    seed: u64,
    settings: SearchSettings,
}

impl<P> RandomSearch<P> {
    /// Draws candidates for `base` (default: 10 candidates, seed 0).
    pub fn new(base: P) -> Self {
        Self {
            base,
            distributions: Vec::new(),
            n_iter: 10,
            seed: 0,
            settings: SearchSettings::default(),
        }
    }

    /// Draws parameter `name` from `distribution`.
    pub fn param(mut self, name: &str, distribution: Distribution) -> Self {
        self.distributions.push((name.to_string(), distribution));
        self
    }

    /// Number of candidates.
    pub fn n_iter(mut self, n: usize) -> Self {
        self.n_iter = n;
        self
    }

    /// Seed of the draws.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    search_settings!();

    /// Draws the candidates and runs the search.
    pub fn fit<T>(&self, data: &Dataset<T>) -> Result<SearchResult<P::Fitted>>
    where
        T: CvTarget,
        P: SetParam + Hyperparams + Estimator<Dataset<T>> + Clone + Sync,
        P::Fitted: Scored<T> + Send,
    {
        self.fit_distributed(data, &Serial)
    }

    /// [`RandomSearch::fit`] with the (candidate, fold) pairs spread over processes; see
    /// [`GridSearch::fit_distributed`].
    pub fn fit_distributed<T>(
        &self,
        data: &Dataset<T>,
        collective: &dyn Collective,
    ) -> Result<SearchResult<P::Fitted>>
    where
        T: CvTarget,
        P: SetParam + Hyperparams + Estimator<Dataset<T>> + Clone + Sync,
        P::Fitted: Scored<T> + Send,
    {
        if !(1..=super::params::MAX_CANDIDATES).contains(&self.n_iter) {
            return Err(Error::invalid(
                "n_iter",
                self.n_iter,
                format!("must lie in 1..={}", super::params::MAX_CANDIDATES),
            ));
        }
        if self.distributions.is_empty() {
            return Err(Error::invalid(
                "distributions",
                "[]",
                "a random search needs at least one parameter",
            ));
        }
        for (_, d) in &self.distributions {
            d.check()?;
        }
        let mut rng = crate::rng::seeded(self.seed);
        let candidates = (0..self.n_iter)
            .map(|_| {
                self.distributions
                    .iter()
                    .map(|(n, d)| (n.clone(), d.sample(&mut rng)))
                    .collect()
            })
            .collect();
        run_search(
            &self.base,
            candidates,
            data,
            &self.settings,
            self.settings.refit,
            collective,
        )
    }
}

/// One round of a [`SuccessiveHalving`] search.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HalvingRound {
    /// Rows each candidate was cross-validated on.
    pub n_resources: usize,
    /// Candidates evaluated in the round.
    pub n_candidates: usize,
    /// The round's best mean score.
    pub best_score: f64,
}

/// Successive halving over a grid (scikit-learn's `HalvingGridSearchCV` with rows as the
/// resource): every candidate is cross-validated on a small seeded sample of rows, the best
/// `1/factor` go on to a sample `factor` times larger, and so on; the round that picks the
/// winner (at most `factor` candidates left) uses every row. Large grids cost a few full searches instead of one per
/// candidate.
///
/// ```
/// use learnkit::model_selection::{ParamGrid, SuccessiveHalving};
/// use learnkit::tree::DecisionTreeClassifier;
///
/// let data = learnkit::data::MakeClassification::params().n_samples(900).seed(2).generate()?;
/// let grid = ParamGrid::parse("max_depth=1,2,3,4,6,8,none;min_samples_leaf=1,5,20")?;
/// let (search, rounds) = SuccessiveHalving::new(DecisionTreeClassifier::params(), grid).fit(&data)?;
/// assert_eq!(rounds[0].n_candidates, 21);
/// assert!(rounds.last().unwrap().n_candidates <= 3);
/// assert_eq!(rounds.last().unwrap().n_resources, 900);
/// assert_ne!(search.best_params()[0].1, "1");
/// # Ok::<(), learnkit::Error>(())
/// ```
#[derive(Debug)]
pub struct SuccessiveHalving<P> {
    base: P,
    grid: ParamGrid,
    factor: usize,
    min_resources: Option<usize>,
    seed: u64,
    settings: SearchSettings,
}

impl<P> SuccessiveHalving<P> {
    /// Halving search over `grid` on `base` (defaults: factor 3, the smallest first sample that
    /// lets the last round use every row, seed 0).
    pub fn new(base: P, grid: ParamGrid) -> Self {
        Self {
            base,
            grid,
            factor: 3,
            min_resources: None,
            seed: 0,
            settings: SearchSettings::default(),
        }
    }

    /// Keep the best `1/factor` of the candidates each round, with `factor` times the rows (≥ 2).
    pub fn factor(mut self, factor: usize) -> Self {
        self.factor = factor;
        self
    }

    /// Rows in the first round (default: all rows / factor^(rounds − 1)).
    pub fn min_resources(mut self, n: usize) -> Self {
        self.min_resources = Some(n);
        self
    }

    /// Seed of the row samples.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    search_settings!();

    /// Runs the rounds; returns the last round's results (with the best refitted on all rows)
    /// and a summary of every round.
    pub fn fit<T>(&self, data: &Dataset<T>) -> Result<(SearchResult<P::Fitted>, Vec<HalvingRound>)>
    where
        T: CvTarget,
        P: SetParam + Hyperparams + Estimator<Dataset<T>> + Clone + Sync,
        P::Fitted: Scored<T> + Send,
    {
        self.fit_distributed(data, &Serial)
    }

    /// [`SuccessiveHalving::fit`] with each round's (candidate, fold) pairs spread over processes;
    /// see [`GridSearch::fit_distributed`].
    pub fn fit_distributed<T>(
        &self,
        data: &Dataset<T>,
        collective: &dyn Collective,
    ) -> Result<(SearchResult<P::Fitted>, Vec<HalvingRound>)>
    where
        T: CvTarget,
        P: SetParam + Hyperparams + Estimator<Dataset<T>> + Clone + Sync,
        P::Fitted: Scored<T> + Send,
    {
        let start = Instant::now();
        if self.factor < 2 {
            return Err(Error::invalid("factor", self.factor, "must be at least 2"));
        }
        self.grid.size()?;
        let mut candidates = self.grid.candidates();
        let n = data.n_samples();
        // Rounds until at most `factor` candidates are left (the round that picks the winner,
        // on every row), and the first sample's size so the samples grow by `factor`.
        let mut rounds_needed = 1u32;
        let mut left = candidates.len();
        while left > self.factor {
            left = left.div_ceil(self.factor);
            rounds_needed += 1;
        }
        let first = self
            .min_resources
            .unwrap_or_else(|| n / self.factor.pow(rounds_needed - 1))
            .max(20.min(n));
        if first > n || first == 0 {
            return Err(Error::invalid(
                "min_resources",
                first,
                format!("must lie in 1..={n}"),
            ));
        }
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut crate::rng::seeded(self.seed));
        let mut rounds = Vec::new();
        let mut resources = first;
        loop {
            let last = candidates.len() <= self.factor || resources.saturating_mul(self.factor) > n;
            let rows = if last { n } else { resources };
            let mut sample: Vec<usize> = order[..rows].to_vec();
            sample.sort_unstable();
            let subset = data.select(&sample)?;
            let result = run_search(
                &self.base,
                candidates.clone(),
                &subset,
                &self.settings,
                false,
                collective,
            )?;
            rounds.push(HalvingRound {
                n_resources: rows,
                n_candidates: candidates.len(),
                best_score: result.best_score,
            });
            if last {
                let mut result = result;
                if self.settings.refit {
                    let best = self
                        .base
                        .clone()
                        .with_params(&candidates[result.best_index])?;
                    result.best_model = Some(best.fit(data)?);
                }
                result.seconds = start.elapsed().as_secs_f64();
                return Ok((result, rounds));
            }
            // Keep the best ceil(k / factor), in rank order (ties: the earlier candidate).
            let keep = candidates.len().div_ceil(self.factor);
            let mut by_rank: Vec<usize> = (0..candidates.len()).collect();
            by_rank.sort_by_key(|&c| result.candidates[c].rank);
            candidates = by_rank[..keep]
                .iter()
                .map(|&c| candidates[c].clone())
                .collect();
            resources = resources.saturating_mul(self.factor);
        }
    }
}
