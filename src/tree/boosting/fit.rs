//! The boosting loop (LightGBM's `boosting/gbdt`): per round, the loss's gradients, row and
//! feature sampling, one tree per output from the shared leaf-wise learner, the score update,
//! early stopping; and the checked entry points that feed it.

use std::marker::PhantomData;

use ndarray::{Array2, ArrayView2};
use rand::seq::SliceRandom;
use rayon::prelude::*;

use super::model::FittedGradientBoosting;
use super::objective::{median, Loss};
use super::params::{GradientBoosting, RegressionLoss, LOSS_ROWS};
use crate::dataset::Labeled;
use crate::distributed::{check_alike, Collective, Serial, Shard};
use crate::error::{Error, Result};
use crate::rng;
use crate::traits::{Estimator, Hyperparams};
use crate::tree::decision_tree::class_names;
use crate::tree::learner::dataset::BinMapper;
use crate::tree::learner::dataset::RowCodes;
use crate::tree::learner::histogram::{Histogram, Quantized};
use crate::tree::learner::leafwise::{binned_value, grow, Exchange, Grown, TreeSpec};
use crate::tree::learner::pool::with_awake_workers;
use crate::tree::params::{check_categorical, not_a_category, same_categorical};
use crate::tree::{BinnedDataset, BinnedTask};
use crate::validate;

/// The rows early stopping scores: raw values (data in memory), or codes binned with the
/// training rows' thresholds.
pub(crate) enum Held<'a> {
    /// Records, one row each.
    Raw(ArrayView2<'a, f64>),
    /// Codes.
    Codes(&'a RowCodes),
}

/// Rows per block of the parallel score update.
const SCORE_BLOCK: usize = 1 << 15;

impl<T> GradientBoosting<T> {
    /// The training and held-out rows of early stopping among `n` (each ascending; drawn with
    /// the seed).
    fn holdout(&self, n: usize) -> Result<(Vec<usize>, Vec<usize>)> {
        if n < 2 {
            return Err(Error::EmptyData(
                "early stopping needs at least 2 samples".into(),
            ));
        }
        let n_valid = ((self.validation_fraction * n as f64).ceil() as usize).clamp(1, n - 1);
        let mut order: Vec<usize> = (0..n).collect();
        order.shuffle(&mut rng::derived(self.seed, u64::MAX));
        let (valid, train) = order.split_at(n_valid);
        let (mut train, mut valid) = (train.to_vec(), valid.to_vec());
        train.sort_unstable();
        valid.sort_unstable();
        Ok((train, valid))
    }

    /// Splits off the early-stopping rows (when asked) and fits.
    fn fit_split(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[f64],
        loss: Loss,
        names: Vec<String>,
        classes: Vec<String>,
    ) -> Result<FittedGradientBoosting<T>> {
        if !self.early_stopping {
            return self.fit_loss(x, y, loss, names, classes, None);
        }
        let (train, valid) = self.holdout(x.nrows())?;
        let pick = |rows: &[usize]| -> (Array2<f64>, Vec<f64>) {
            (
                x.select(ndarray::Axis(0), rows),
                rows.iter().map(|&i| y[i]).collect(),
            )
        };
        let ((xt, yt), (xv, yv)) = (pick(&train), pick(&valid));
        self.fit_loss(xt.view(), &yt, loss, names, classes, Some((xv.view(), &yv)))
    }

    /// Bins `x` (row-major codes, no feature-major copy) and fits.
    fn fit_loss(
        &self,
        x: ArrayView2<'_, f64>,
        y: &[f64],
        loss: Loss,
        names: Vec<String>,
        classes: Vec<String>,
        validation: Option<(ArrayView2<'_, f64>, &[f64])>,
    ) -> Result<FittedGradientBoosting<T>> {
        check_categorical(&self.categorical_features, x.ncols())?;
        let codes = RowCodes::from_matrix(x, &self.categorical_features)
            .map_err(|e| not_a_category(&names, e))?;
        let validation = validation.map(|(xv, yv)| (Held::Raw(xv), yv));
        self.fit_codes(&codes, y, loss, names, classes, validation)
    }

    /// Fits on binned rows, on a worker thread of the pool: the many small parallel steps of
    /// growing a tree (sibling split searches, feature-group histograms) are then handed
    /// between workers directly, not injected into the pool from outside one by one.
    pub(crate) fn fit_codes(
        &self,
        codes: &RowCodes,
        y: &[f64],
        loss: Loss,
        names: Vec<String>,
        classes: Vec<String>,
        validation: Option<(Held<'_>, &[f64])>,
    ) -> Result<FittedGradientBoosting<T>> {
        let shard = Shard::whole(codes.n_samples);
        let data = (names, classes);
        self.fit_codes_on(codes, y, loss, data, validation, &Serial, shard)
    }

    /// [`Self::fit_codes`] on `shard` of the rows, the sums going through `collective`
    /// (row subsampling and early stopping are checked off by the caller when there is more
    /// than one process).
    #[allow(clippy::too_many_arguments)]
    fn fit_codes_on<C: Collective>(
        &self,
        codes: &RowCodes,
        y: &[f64],
        loss: Loss,
        (names, classes): (Vec<String>, Vec<String>),
        validation: Option<(Held<'_>, &[f64])>,
        collective: &C,
        shard: Shard,
    ) -> Result<FittedGradientBoosting<T>> {
        if rayon::current_thread_index().is_none() {
            // `scope` runs its closure on a worker, where this call then proceeds.
            return rayon::scope(|_| {
                let data = (names, classes);
                self.fit_codes_on(codes, y, loss, data, validation, collective, shard)
            });
        }
        let (n, d) = (codes.n_samples, codes.n_features);
        let row_codes = codes;
        let k = loss.n_outputs();
        let init = loss.shard_init(y, collective);
        // The mean training loss over the evenly spaced rows of all the processes.
        let train_mean = |scores: &[f64], gh: &mut [Vec<[f64; 2]>]| {
            let (sum, counted) = loss.shard_gradients(y, scores, gh, LOSS_ROWS, shard);
            let mut total = [sum, counted];
            collective.all_sum(&mut total);
            total[0] / total[1]
        };
        let mut scores: Vec<f64> = (0..n).flat_map(|_| init.iter().copied()).collect();
        let mut gh = vec![vec![[0.0; 2]; n]; k];
        let mut trees = Vec::with_capacity(self.n_estimators * k);
        let mut train_loss = Vec::with_capacity(self.n_estimators + 1);
        let rows_per_tree = ((self.subsample * n as f64).round() as usize).clamp(1, n);
        let features_per_tree = ((self.colsample * d as f64).round() as usize).clamp(1, d);
        // The tree's rows, refilled each round (one n-row buffer, not a kept list and a copy).
        let mut rows: Vec<u32> = Vec::with_capacity(n);
        // Histogram and quantized-gradient buffers, reused from tree to tree.
        let mut pool: Vec<Histogram> = Vec::new();
        let mut packed_buffer: Vec<u64> = Vec::new();
        // Early stopping: the held-out rows' scores follow every tree.
        let valid_rows: Vec<Vec<f64>> = match &validation {
            Some((Held::Raw(xv), _)) => xv.rows().into_iter().map(|r| r.to_vec()).collect(),
            _ => Vec::new(),
        };
        let n_valid = match &validation {
            Some((Held::Raw(xv), _)) => xv.nrows(),
            Some((Held::Codes(vc), _)) => vc.n_samples,
            None => 0,
        };
        let mut valid_scores: Vec<f64> = (0..n_valid).flat_map(|_| init.iter().copied()).collect();
        let mut valid_gh = vec![vec![[0.0; 2]; n_valid]; k];
        let mut validation_loss = Vec::new();
        let (mut best, mut best_round) = (f64::INFINITY, 0usize);
        for round in 0..self.n_estimators {
            if let Some((_, yv)) = &validation {
                let v = loss.gradients(yv, &valid_scores, &mut valid_gh, usize::MAX);
                validation_loss.push(v);
                if v < best - self.tol {
                    (best, best_round) = (v, round);
                } else if round - best_round >= self.n_iter_no_change {
                    break;
                }
            }
            with_awake_workers(|| {
                train_loss.push(train_mean(&scores, &mut gh));
                let mut rng = rng::derived(self.seed, round as u64);
                rows.clear();
                rows.extend(0..n as u32);
                if rows_per_tree < n {
                    rows.shuffle(&mut rng);
                    rows.truncate(rows_per_tree);
                    rows.sort_unstable();
                }
                let features: Vec<usize> = if features_per_tree < d {
                    let mut all: Vec<usize> = (0..d).collect();
                    all.shuffle(&mut rng);
                    all.truncate(features_per_tree);
                    all.sort_unstable();
                    all
                } else {
                    (0..d).collect()
                };
                for out in 0..k {
                    let quantized = self.quantized_gradients.then(|| {
                        let largest = loss.gradient_bounds().unwrap_or_else(|| {
                            let (g, h) = Quantized::largest(&gh[out]);
                            let mut largest = [g, h];
                            collective.all_max(&mut largest);
                            (largest[0], largest[1])
                        });
                        Quantized::new(
                            &gh[out],
                            rng::splitmix64(self.seed ^ (round * k + out) as u64),
                            shard.offset as u64,
                            largest,
                            std::mem::take(&mut packed_buffer),
                        )
                    });
                    let spec = TreeSpec {
                        row_codes,
                        gh: &gh[out],
                        quantized: quantized.as_ref(),
                        lambda: self.l2_regularization,
                        min_leaf: self.min_samples_leaf,
                        min_gain: self.min_gain_to_split,
                        max_depth: self.max_depth,
                        max_leaves: self.max_leaf_nodes,
                        learning_rate: self.learning_rate,
                        categorical: self.categorical_rules(),
                        exchange: Exchange::from_env().unwrap_or_default(),
                    };
                    let Grown {
                        mut tree,
                        leaves: leaf_ranges,
                    } = grow(&spec, collective, features.clone(), &mut rows, &mut pool);
                    if loss == Loss::Absolute {
                        // Newton steps on signs are poor leaf values: each leaf takes the median
                        // of its rows' residuals instead (as LightGBM and scikit-learn).
                        for &(start, end, node) in &leaf_ranges {
                            let mut residuals: Vec<f64> = rows[start..end]
                                .iter()
                                .map(|&r| y[r as usize] - scores[r as usize])
                                .collect();
                            tree.set_value(node, &[self.learning_rate * median(&mut residuals)]);
                        }
                    }
                    if rows_per_tree == n {
                        // Every row is in the tree: its leaf is known from the partition. Fixed
                        // blocks of rows are updated in parallel; a leaf's rows are in order,
                        // so its part in a block is found by binary search.
                        let tree = &tree;
                        let (rows, leaf_ranges) = (&rows, &leaf_ranges);
                        scores.par_chunks_mut(SCORE_BLOCK * k).enumerate().for_each(
                            |(b, block)| {
                                let lo = (b * SCORE_BLOCK) as u32;
                                let hi = lo.saturating_add(SCORE_BLOCK as u32);
                                for &(start, end, node) in leaf_ranges {
                                    let value = tree.value(node)[0];
                                    let leaf = &rows[start..end];
                                    let a = leaf.partition_point(|&r| r < lo);
                                    let z = leaf.partition_point(|&r| r < hi);
                                    for &r in &leaf[a..z] {
                                        block[(r - lo) as usize * k + out] += value;
                                    }
                                }
                            },
                        );
                    } else {
                        // Rows left out of this tree: walk it on their bin codes.
                        scores
                            .par_chunks_mut(k)
                            .enumerate()
                            .for_each(|(i, s)| s[out] += binned_value(&tree, row_codes, i));
                    }
                    if let Some((held, _)) = &validation {
                        let values: Vec<f64> = match held {
                            Held::Raw(_) => valid_rows
                                .par_iter()
                                .map(|row| tree.leaf_value(row)[0])
                                .collect(),
                            Held::Codes(vc) => (0..n_valid)
                                .into_par_iter()
                                .map(|i| binned_value(&tree, vc, i))
                                .collect(),
                        };
                        for (i, v) in values.into_iter().enumerate() {
                            valid_scores[i * k + out] += v;
                        }
                    }
                    if let Some(q) = quantized {
                        packed_buffer = q.packed;
                    }
                    trees.push(tree);
                }
            });
        }
        if let Some((_, yv)) = &validation {
            let rounds = trees.len() / k;
            if validation_loss.len() == rounds {
                let v = loss.gradients(yv, &valid_scores, &mut valid_gh, usize::MAX);
                validation_loss.push(v);
                if v < best - self.tol {
                    best_round = rounds;
                }
            }
            // Keep the rounds up to the best validation loss.
            trees.truncate(best_round * k);
            validation_loss.truncate(best_round + 1);
        }
        train_loss.push(train_mean(&scores, &mut gh));
        train_loss.truncate(trees.len() / k + 1);
        Ok(FittedGradientBoosting {
            n_features: codes.mapper.n_original(),
            feature_names: names,
            classes,
            init,
            trees,
            n_outputs: k,
            train_loss,
            validation_loss,
            marker: PhantomData,
        })
    }
}

/// A tree's value for training row `i`, walked on its bin codes (bin ≤ split bin ⇔ value ≤
/// Checked training records, targets as reals, the loss and the class names.
type Prepared<'d> = (ArrayView2<'d, f64>, Vec<f64>, Loss, Vec<String>);

impl GradientBoosting<usize> {
    /// The training data checked, with its loss and class names.
    fn prepare<'d, D: Labeled<usize> + ?Sized>(&self, data: &'d D) -> Result<Prepared<'d>> {
        self.check()?;
        let (x, y) = crate::dataset::supervised_allowing_missing(data)?;
        let classes = class_names(data, y);
        let loss = classification_loss(classes.len())?;
        Ok((x, y.iter().map(|&c| c as f64).collect(), loss, classes))
    }

    /// Fits on `train` with early stopping on the user's `valid` set (same features and
    /// classes): training stops once the validation log-loss has not improved by more than
    /// `tol` for `n_iter_no_change` rounds, and the rounds up to the best one are kept. No rows
    /// of `train` are held out.
    ///
    /// ```
    /// use learnkit::prelude::*;
    /// use learnkit::tree::GradientBoosting;
    ///
    /// let data = learnkit::data::MakeClassification::params().n_samples(800).seed(2).generate()?;
    /// let (train, valid) = learnkit::data::train_test_split(&data, 0.25, 0)?;
    /// let model = GradientBoosting::classifier()
    ///     .n_estimators(500)
    ///     .fit_with_validation(&train, &valid)?;
    /// assert!(model.n_rounds() < 500); // stopped once the validation loss stalled
    /// assert_eq!(model.validation_loss().len(), model.n_rounds() + 1);
    /// # Ok::<(), learnkit::Error>(())
    /// ```
    pub fn fit_with_validation<D: Labeled<usize> + ?Sized>(
        &self,
        train: &D,
        valid: &D,
    ) -> Result<FittedGradientBoosting<usize>> {
        let (x, y, loss, classes) = self.prepare(train)?;
        let (xv, yv) = crate::dataset::supervised_allowing_missing(valid)?;
        check_validation_features(x, xv)?;
        if let Some(names) = valid.class_names() {
            if names != classes.as_slice() {
                return Err(Error::invalid(
                    "validation classes",
                    names.join(","),
                    format!("must be the training classes {}", classes.join(",")),
                ));
            }
        }
        if let Some(&c) = yv.iter().find(|&&c| c >= classes.len()) {
            return Err(Error::invalid(
                "validation targets",
                c,
                format!("the training data has {} classes", classes.len()),
            ));
        }
        let yv: Vec<f64> = yv.iter().map(|&c| c as f64).collect();
        let names = train.feature_names();
        self.fit_loss(x, &y, loss, names, classes, Some((xv, &yv)))
    }
}

impl<T> GradientBoosting<T> {
    /// Fits on a binned dataset with `loss`. Early stopping holds out rows of the codes (binned
    /// with every row's thresholds, where a fit on the data bins the training rows alone).
    fn fit_binned_loss(
        &self,
        data: &BinnedDataset,
        loss: Loss,
        classes: Vec<String>,
    ) -> Result<FittedGradientBoosting<T>> {
        let names = data.feature_names.clone();
        let (codes, y) = (&data.codes, &data.targets);
        same_categorical(&self.categorical_features, &codes.mapper)?;
        if !self.early_stopping {
            return self.fit_codes(codes, y, loss, names, classes, None);
        }
        let (train, valid) = self.holdout(codes.n_samples)?;
        let d = codes.n_features;
        let pick = |rows: &[usize]| -> (RowCodes, Vec<f64>) {
            let mut picked = Vec::with_capacity(rows.len() * d);
            for &i in rows {
                picked.extend_from_slice(&codes.codes[i * d..(i + 1) * d]);
            }
            let part = RowCodes::from_parts(codes.mapper.clone(), rows.len(), picked);
            (part, rows.iter().map(|&i| y[i]).collect())
        };
        let ((ct, yt), (cv, yv)) = (pick(&train), pick(&valid));
        self.fit_codes(
            &ct,
            &yt,
            loss,
            names,
            classes,
            Some((Held::Codes(&cv), &yv)),
        )
    }
}

impl GradientBoosting<usize> {
    /// Fits on a binned classification dataset ([`BinnedDataset`], e.g. read from a Parquet
    /// file without its float matrix): the model [`Estimator::fit`] gives on the same rows
    /// (without early stopping, whose held-out rows are binned with the others here).
    pub fn fit_binned(&self, data: &BinnedDataset) -> Result<FittedGradientBoosting<usize>> {
        self.check()?;
        data.require_task(BinnedTask::Classification)?;
        let loss = classification_loss(data.class_names.len())?;
        self.fit_binned_loss(data, loss, data.class_names.clone())
    }
}

impl GradientBoosting<f64> {
    /// Fits on a binned regression dataset; see [`GradientBoosting::<usize>::fit_binned`].
    pub fn fit_binned(&self, data: &BinnedDataset) -> Result<FittedGradientBoosting<f64>> {
        self.check()?;
        data.require_task(BinnedTask::Regression)?;
        let loss = self.regression_loss(&data.targets)?;
        self.fit_binned_loss(data, loss, Vec::new())
    }
}

impl<T> GradientBoosting<T> {
    /// Refuses, when the rows are spread over more than one process, the options that need
    /// every row in one place.
    fn check_across(&self, processes: usize, loss: Loss) -> Result<()> {
        if processes == 1 {
            return Ok(());
        }
        let refuse = |name: &'static str, value: &dyn std::fmt::Display, reason: &str| {
            Err(Error::invalid(
                name,
                value,
                format!("{reason}; it is not supported across processes"),
            ))
        };
        if self.early_stopping {
            return refuse(
                "early_stopping",
                &true,
                "holds out rows drawn from all of them",
            );
        }
        if self.subsample < 1.0 {
            return refuse("subsample", &self.subsample, "draws rows from all of them");
        }
        if matches!(loss, Loss::Absolute | Loss::Huber(_)) {
            return refuse("loss", &"absolute or Huber", "takes medians of the targets");
        }
        Ok(())
    }

    /// Fits on this process's shard of the rows (`prepared`: its checked records, targets,
    /// loss and class names, or why they failed): every process's checks and columns are
    /// agreed first, then the bin thresholds, then the boosting rounds.
    fn fit_shard<C: Collective>(
        &self,
        prepared: Result<Prepared<'_>>,
        names: Vec<String>,
        collective: &C,
    ) -> Result<FittedGradientBoosting<T>> {
        // The histogram exchange (LEARNKIT_HISTOGRAM_EXCHANGE) must be the same everywhere.
        let exchange = Exchange::from_env();
        let prepared = prepared.and_then(|p| {
            check_categorical(&self.categorical_features, p.0.ncols())?;
            self.check_across(collective.processes(), p.2)?;
            if let Err(e) = &exchange {
                return Err(Error::invalid(Exchange::VARIABLE, "given", e));
            }
            Ok(p)
        });
        let description = prepared
            .as_ref()
            .map(|(_, _, _, classes)| {
                format!(
                    "features {}; classes {}; histogram exchange {:?}",
                    names.join(","),
                    classes.join(","),
                    exchange.as_ref().ok()
                )
            })
            .map_err(ToString::to_string);
        check_alike(collective, "columns and classes", description)?;
        let (x, y, loss, classes) = prepared?;
        let shard = Shard::of(collective, x.nrows());
        let mapper =
            BinMapper::fit_sharded(x, &self.categorical_features, collective, shard, |e| {
                not_a_category(&names, e)
            })?;
        let codes = RowCodes::with_mapper(x, mapper);
        self.fit_codes_on(&codes, &y, loss, (names, classes), None, collective, shard)
    }
}

impl GradientBoosting<usize> {
    /// Fits on `shard`, this process's share of the training rows, with the other processes
    /// of `collective` fitting on theirs (every process calls it): each gets the model one
    /// process fits on the rows of every shard concatenated in rank order — the same trees,
    /// splits and leaf values, bit for bit (with the default quantized gradients; with
    /// `quantized_gradients(false)` the histograms' real sums may differ in the last bits, and
    /// with them a near-tied split). Bin thresholds come from the same sample of all the rows,
    /// histograms and leaf sums are added across processes, and the initial scores from
    /// whole-number counts.
    ///
    /// Shards must have the same columns and class names (checked on every process: a
    /// mismatch is one [`Error::Distributed`] naming the rank, on every process). Early stopping,
    /// row subsampling and the median losses need all the rows in one place and are refused
    /// across processes. See [`crate::distributed`] for the backends.
    pub fn fit_distributed<D: Labeled<usize> + ?Sized>(
        &self,
        shard: &D,
        collective: &impl Collective,
    ) -> Result<FittedGradientBoosting<usize>> {
        self.fit_shard(self.prepare(shard), shard.feature_names(), collective)
    }
}

impl GradientBoosting<f64> {
    /// [`GradientBoosting::<usize>::fit_distributed`] for regression (squared error; the mean
    /// target summed exactly, so the initial score is the one-process one to the bit).
    pub fn fit_distributed<D: Labeled<f64> + ?Sized>(
        &self,
        shard: &D,
        collective: &impl Collective,
    ) -> Result<FittedGradientBoosting<f64>> {
        let prepared = self
            .prepare(shard)
            .map(|(x, y, loss)| (x, y, loss, Vec::new()));
        self.fit_shard(prepared, shard.feature_names(), collective)
    }
}

/// Log-loss for `k` classes (binary or softmax); fewer than two is an error.
fn classification_loss(k: usize) -> Result<Loss> {
    match k {
        0 | 1 => Err(Error::invalid(
            "targets",
            k,
            "gradient boosting needs at least 2 classes",
        )),
        2 => Ok(Loss::Binary),
        k => Ok(Loss::Softmax(k)),
    }
}

/// The validation records must have the training records' columns.
fn check_validation_features(x: ArrayView2<'_, f64>, xv: ArrayView2<'_, f64>) -> Result<()> {
    if xv.ncols() != x.ncols() {
        return Err(Error::shape(
            "validation records",
            format!("{} features", x.ncols()),
            format!("{} features", xv.ncols()),
        ));
    }
    Ok(())
}

impl<D: Labeled<usize> + ?Sized> Estimator<D> for GradientBoosting<usize> {
    type Fitted = FittedGradientBoosting<usize>;

    fn fit(&self, data: &D) -> Result<FittedGradientBoosting<usize>> {
        let (x, y, loss, classes) = self.prepare(data)?;
        self.fit_split(x, &y, loss, data.feature_names(), classes)
    }
}

impl GradientBoosting<f64> {
    /// The training data checked, with its loss.
    fn prepare<'d, D: Labeled<f64> + ?Sized>(
        &self,
        data: &'d D,
    ) -> Result<(ArrayView2<'d, f64>, Vec<f64>, Loss)> {
        self.check()?;
        let (x, y) = crate::dataset::supervised_allowing_missing(data)?;
        let y = y.to_vec();
        let loss = self.regression_loss(&y)?;
        Ok((x, y, loss))
    }

    /// The loss, once the targets are known not to overflow it.
    fn regression_loss(&self, y: &[f64]) -> Result<Loss> {
        let scale = validate::max_abs(y.iter());
        if !(scale * scale).is_finite() {
            return Err(Error::numerical(
                "gradient boosting",
                format!("targets up to {scale:.1e} overflow squared errors; rescale them"),
            ));
        }
        Ok(match self.loss {
            RegressionLoss::SquaredError => Loss::Squared,
            RegressionLoss::AbsoluteError => Loss::Absolute,
            RegressionLoss::Huber { delta } => Loss::Huber(delta),
        })
    }

    /// Fits on `train` with early stopping on the user's `valid` set (same features), as
    /// [`GradientBoosting::<usize>::fit_with_validation`] does for classes.
    pub fn fit_with_validation<D: Labeled<f64> + ?Sized>(
        &self,
        train: &D,
        valid: &D,
    ) -> Result<FittedGradientBoosting<f64>> {
        let (x, y, loss) = self.prepare(train)?;
        let (xv, yv) = crate::dataset::supervised_allowing_missing(valid)?;
        check_validation_features(x, xv)?;
        let yv = yv.to_vec();
        let names = train.feature_names();
        self.fit_loss(x, &y, loss, names, Vec::new(), Some((xv, &yv)))
    }
}

impl<D: Labeled<f64> + ?Sized> Estimator<D> for GradientBoosting<f64> {
    type Fitted = FittedGradientBoosting<f64>;

    fn fit(&self, data: &D) -> Result<FittedGradientBoosting<f64>> {
        let (x, y, loss) = self.prepare(data)?;
        self.fit_split(x, &y, loss, data.feature_names(), Vec::new())
    }
}
