use ndarray::{Array1, Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::binned::{BinnedDataset, BinnedTask};
use super::decision_tree::{class_names, normalised, shard_bins, validate_tree};
use super::learner::dataset::{BinnedData, RowCodes};
use super::learner::depthwise::{grow_tree, Sample, Targets};
use super::learner::leafwise::binned_leaf;
use super::learner::{Serial, Tree};
use super::params::bin_for_cart;
use super::params::{check_criterion, TargetKind};
use super::trees_version;
use crate::dataset::Labeled;
use crate::distributed::{Collective, Shard};
use crate::error::{Error, Result};
use crate::metrics;
use crate::persist::Persist;
use crate::rng;
use crate::traits::{Classifier, Estimator, Hyperparams, Predict, PredictProba, Regressor};
use crate::validate;

hyperparams! {
    /// Hyper-parameters of a random forest, with scikit-learn's defaults: 100 trees, bootstrap
    /// samples, `max_features = sqrt` (classification) or all (regression), fully grown trees.
    ///
    /// Trees grow in parallel with rayon. Tree `t` draws its bootstrap sample and its per-split
    /// feature subsets from a generator derived from `(seed, t)`, so the fitted forest is
    /// bit-identical for the same seed whatever the number of threads.
    ///
    /// ```
    /// use learnkit::prelude::*;
    /// use learnkit::tree::RandomForest;
    ///
    /// let iris = learnkit::data::iris()?;
    /// let forest = RandomForest::classifier().n_estimators(20).oob_score(true).seed(1).fit(&iris)?;
    /// assert!(forest.oob_score().unwrap() > 0.9);
    /// assert_eq!(forest.feature_importances().len(), 4);
    /// # Ok::<(), learnkit::Error>(())
    /// ```
    #[derive(Debug, Clone, PartialEq)]
    pub struct RandomForest<T: TargetKind> {
        @tree_fields(T::CRITERION, T::FOREST_MAX_FEATURES);
        /// Number of trees (1 to 100,000; default 100).
        pub(crate) n_estimators: usize = 100,
            valid |n| (1..=MAX_ESTIMATORS).contains(n),
            format!("must lie in 1..={MAX_ESTIMATORS} (every tree is kept in memory)");
        /// Train each tree on a bootstrap sample (default true).
        pub(crate) bootstrap: bool = true;
        /// Compute the out-of-bag score and its curve against the number of trees (needs
        /// bootstrap samples; default false).
        pub(crate) oob_score: bool = false;
    }
    check check_oob;
}

/// Most trees a forest accepts: far beyond where the out-of-bag error stops improving, and a
/// bound on the memory a command line can ask for.
pub const MAX_ESTIMATORS: usize = 100_000;

/// A classification forest's hyper-parameters.
pub type RandomForestClassifier = RandomForest<usize>;
/// A regression forest's hyper-parameters.
pub type RandomForestRegressor = RandomForest<f64>;

impl RandomForest<usize> {
    /// A classification forest (Gini, `max_features = sqrt`).
    pub fn classifier() -> Self {
        Self::defaults()
    }
}

impl RandomForest<f64> {
    /// A regression forest (squared error, all features per split).
    pub fn regressor() -> Self {
        Self::defaults()
    }
}

impl<T: TargetKind> RandomForest<T> {
    fn check_oob(&self) -> Result<()> {
        check_criterion(self.criterion, T::CLASSIFICATION)?;
        if self.oob_score && !self.bootstrap {
            return Err(Error::invalid("oob_score", true, "needs bootstrap = true"));
        }
        Ok(())
    }

    /// The training sample of tree `t` (a bootstrap, or every row); the generator then goes on
    /// to drive the tree's feature sampling.
    fn sample(&self, shard: Shard, t: usize) -> (Sample, rng::Rng) {
        let mut rng = rng::derived(self.seed, t as u64);
        let sample = if self.bootstrap {
            let rows = shard.offset..shard.offset + shard.rows;
            Sample::bootstrap_shard(shard.total, rows, &mut rng)
        } else {
            Sample::all(shard.rows)
        };
        (sample, rng)
    }

    /// Grows every tree on this process's shard of the rows, one tree after another (each
    /// tree's collectives in the same order on every process), the trees' own work in
    /// parallel.
    fn grow_shard(
        &self,
        binned: &BinnedData,
        targets: Targets<'_>,
        n_try: usize,
        collective: &impl Collective,
        shard: Shard,
    ) -> Vec<Tree> {
        let params = tree_params!(self);
        (0..self.n_estimators)
            .map(|t| {
                let (sample, mut rng) = self.sample(shard, t);
                grow_tree(
                    binned, targets, sample, &params, n_try, &mut rng, collective,
                )
            })
            .collect()
    }

    /// Fits on this process's shard, with more than one process (see
    /// [`RandomForestClassifier::fit_distributed`]; one process fits as [`Estimator::fit`]).
    fn fit_shard(
        &self,
        prepared: std::result::Result<(ArrayView2<'_, f64>, String), String>,
        targets: Targets<'_>,
        names: Vec<String>,
        classes: Vec<String>,
        collective: &impl Collective,
    ) -> Result<FittedForest<T>> {
        let check = |d: usize| {
            self.max_features.resolve(d)?;
            if self.oob_score && collective.processes() > 1 {
                return Err(Error::invalid(
                    "oob_score",
                    true,
                    "scores rows against the trees that left them out, which each process \
                     knows of its own rows only; it is not supported across processes",
                ));
            }
            Ok(())
        };
        let (binned, shard) = shard_bins(
            prepared,
            &self.categorical_features,
            &names,
            collective,
            check,
        )?;
        let d = binned.mapper.n_original();
        let n_try = self.max_features.resolve(d)?;
        let trees = self.grow_shard(&binned, targets, n_try, collective, shard);
        Ok(FittedForest {
            importances: average_importances(&trees, d),
            trees,
            feature_names: names,
            classes,
            oob_score: None,
            oob_curve: Vec::new(),
            marker: std::marker::PhantomData,
        })
    }

    /// Grows every tree in parallel; with `keep_in_bag`, also returns each tree's in-bag rows
    /// as a bitset (n/8 bytes per tree) for the out-of-bag score.
    fn grow_all(
        &self,
        binned: &BinnedData,
        targets: Targets<'_>,
        n_try: usize,
        keep_in_bag: bool,
    ) -> (Vec<Tree>, Vec<InBag>) {
        let n = binned.n_samples;
        let params = tree_params!(self);
        (0..self.n_estimators)
            .into_par_iter()
            .map(|t| {
                let (sample, mut rng) = self.sample(Shard::whole(n), t);
                let in_bag = if keep_in_bag {
                    InBag::new(n, &sample.rows)
                } else {
                    InBag::default()
                };
                let tree = grow_tree(binned, targets, sample, &params, n_try, &mut rng, &Serial);
                (tree, in_bag)
            })
            .unzip()
    }
}

/// The rows a tree was trained on, one bit per row.
#[derive(Debug, Default)]
struct InBag(Vec<u64>);

impl InBag {
    fn new(n: usize, rows: &[u32]) -> Self {
        let mut bits = vec![0u64; n.div_ceil(64)];
        for &r in rows {
            bits[r as usize / 64] |= 1 << (r % 64);
        }
        Self(bits)
    }

    fn contains(&self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }
}

/// Out-of-bag predictions accumulated tree by tree; returns the score after each tree count.
/// Trees are evaluated in parallel a batch at a time and summed in tree order, so memory stays
/// at one batch of leaf indices and the sums do not depend on the thread count.
fn oob_curve(
    trees: &[Tree],
    in_bag: &[InBag],
    x: ArrayView2<'_, f64>,
    width: usize,
    score: impl Fn(&[usize], &Array2<f64>) -> Option<f64>,
) -> (Option<f64>, Vec<(usize, f64)>) {
    let x = x.as_standard_layout();
    let rows = validate::row_slices(&x);
    let leaves = |tree: &Tree, out_of_bag: &[u32], leaf: &mut Vec<u32>| {
        let oob_rows: Vec<&[f64]> = out_of_bag.iter().map(|&i| rows[i as usize]).collect();
        tree.leaf_indices(&oob_rows, leaf);
    };
    oob_curve_by(trees, in_bag, x.nrows(), width, leaves, score)
}

/// [`oob_curve`] on binned rows (each walked on its codes).
fn oob_curve_binned(
    trees: &[Tree],
    in_bag: &[InBag],
    codes: &RowCodes,
    width: usize,
    score: impl Fn(&[usize], &Array2<f64>) -> Option<f64>,
) -> (Option<f64>, Vec<(usize, f64)>) {
    let leaves = |tree: &Tree, out_of_bag: &[u32], leaf: &mut Vec<u32>| {
        leaf.extend(
            out_of_bag
                .iter()
                .map(|&i| binned_leaf(tree, codes, i as usize) as u32),
        );
    };
    oob_curve_by(trees, in_bag, codes.n_samples, width, leaves, score)
}

/// The out-of-bag curve with `leaves(tree, rows, out)` giving the leaf of each of `rows`.
fn oob_curve_by(
    trees: &[Tree],
    in_bag: &[InBag],
    n: usize,
    width: usize,
    leaves_of: impl Fn(&Tree, &[u32], &mut Vec<u32>) + Sync,
    score: impl Fn(&[usize], &Array2<f64>) -> Option<f64>,
) -> (Option<f64>, Vec<(usize, f64)>) {
    let mut sums = Array2::<f64>::zeros((n, width));
    let mut votes = vec![0u32; n];
    let mut curve = Vec::new();
    let mut last = None;
    let step = (trees.len() / 50).max(1);
    let batch = (rayon::current_num_threads() * 2).max(2);
    for first in (0..trees.len()).step_by(batch) {
        let upto = (first + batch).min(trees.len());
        let leaves: Vec<Vec<(u32, u32)>> = (first..upto)
            .into_par_iter()
            .map(|t| {
                let out_of_bag: Vec<u32> = (0..n as u32)
                    .filter(|&i| !in_bag[t].contains(i as usize))
                    .collect();
                let mut leaf = Vec::with_capacity(out_of_bag.len());
                leaves_of(&trees[t], &out_of_bag, &mut leaf);
                out_of_bag.into_iter().zip(leaf).collect()
            })
            .collect();
        for (t, leaves) in (first..upto).zip(leaves) {
            for (i, leaf) in leaves {
                let i = i as usize;
                votes[i] += 1;
                sums.row_mut(i)
                    .iter_mut()
                    .zip(trees[t].value(leaf as usize))
                    .for_each(|(s, p)| *s += p);
            }
            if (t + 1) % step == 0 || t + 1 == trees.len() {
                let covered: Vec<usize> = (0..n).filter(|&i| votes[i] > 0).collect();
                let mut mean = Array2::zeros((covered.len(), width));
                for (r, &i) in covered.iter().enumerate() {
                    let scale = 1.0 / votes[i] as f64;
                    mean.row_mut(r)
                        .iter_mut()
                        .zip(sums.row(i))
                        .for_each(|(m, s)| *m = s * scale);
                }
                last = score(&covered, &mean);
                if let Some(s) = last {
                    curve.push((t + 1, s));
                }
            }
        }
    }
    (last, curve)
}

fn average_importances(trees: &[Tree], n_features: usize) -> Vec<f64> {
    let mut total = vec![0.0; n_features];
    for tree in trees {
        let imp = normalised(tree.importances());
        total.iter_mut().zip(&imp).for_each(|(t, v)| *t += v);
    }
    normalised(&total).to_vec()
}

/// The feature-major codes of a binned dataset for the CART grower, which takes no missing
/// values; `task` is the one the model needs.
pub(crate) fn cart_codes(
    data: &BinnedDataset,
    task: BinnedTask,
    categorical: &[usize],
) -> Result<BinnedData> {
    data.require_task(task)?;
    let mapper = &data.codes.mapper;
    super::params::same_categorical(categorical, mapper)?;
    // A categorical feature's missing bin may hold rare categories (no missing value: those
    // were refused when the data was read without --allow-missing).
    let missing =
        (0..mapper.n_features()).find(|&f| mapper.missing[f] && !mapper.is_categorical(f));
    if let Some(f) = missing {
        return Err(Error::invalid(
            "binned dataset",
            format!("feature `{}`", crate::data::shown(&data.feature_names[f])),
            "has missing values, which only gradient boosting accepts",
        ));
    }
    Ok(BinnedData::from_rows(&data.codes))
}

/// The rows an out-of-bag score walks: the values, or their codes.
#[derive(Clone, Copy)]
enum OobRows<'a> {
    Values(ArrayView2<'a, f64>),
    Codes(&'a RowCodes),
}

impl<T: TargetKind> RandomForest<T> {
    /// Grows the forest on `binned` (consumed: freed before the out-of-bag pass) and scores
    /// its out-of-bag rows when asked.
    fn fit_on(
        &self,
        binned: BinnedData,
        targets: Targets<'_>,
        n_try: usize,
        rows: OobRows<'_>,
        feature_names: Vec<String>,
        classes: Vec<String>,
    ) -> FittedForest<T> {
        let d = binned.mapper.n_original();
        let (grown, in_bag) = self.grow_all(&binned, targets, n_try, self.oob_score);
        drop(binned);
        let width = match targets {
            Targets::Classes(_, k) => k,
            Targets::Values(_) => 1,
        };
        let score = |rows: &[usize], pred: &Array2<f64>| match targets {
            Targets::Classes(labels, _) => {
                let truth: Array1<usize> = rows.iter().map(|&i| labels[i]).collect();
                let predicted = metrics::argmax_rows(pred.view());
                metrics::accuracy(truth.view(), predicted.view()).ok()
            }
            Targets::Values(values) => {
                let truth: Array1<f64> = rows.iter().map(|&i| values[i]).collect();
                metrics::r2(truth.view(), pred.column(0)).ok()
            }
        };
        let (oob, curve) = match (self.oob_score, rows) {
            (false, _) => (None, Vec::new()),
            (true, OobRows::Values(x)) => oob_curve(&grown, &in_bag, x, width, score),
            (true, OobRows::Codes(c)) => oob_curve_binned(&grown, &in_bag, c, width, score),
        };
        FittedForest {
            importances: average_importances(&grown, d),
            trees: grown,
            feature_names,
            classes,
            oob_score: oob,
            oob_curve: curve,
            marker: std::marker::PhantomData,
        }
    }
}

impl RandomForest<usize> {
    /// Fits on a binned classification dataset ([`BinnedDataset`]): the forest
    /// [`Estimator::fit`] gives on the same rows, out-of-bag score included.
    pub fn fit_binned(&self, data: &BinnedDataset) -> Result<FittedForest<usize>> {
        self.check()?;
        let binned = cart_codes(data, BinnedTask::Classification, &self.categorical_features)?;
        let n_try = self.max_features.resolve(data.n_features())?;
        let labels: Vec<usize> = data.targets.iter().map(|&c| c as usize).collect();
        let targets = Targets::Classes(&labels, data.class_names.len());
        let rows = OobRows::Codes(&data.codes);
        let (names, classes) = (data.feature_names.clone(), data.class_names.clone());
        Ok(self.fit_on(binned, targets, n_try, rows, names, classes))
    }
}

impl RandomForest<f64> {
    /// Fits on a binned regression dataset; see [`RandomForest::<usize>::fit_binned`].
    pub fn fit_binned(&self, data: &BinnedDataset) -> Result<FittedForest<f64>> {
        self.check()?;
        let binned = cart_codes(data, BinnedTask::Regression, &self.categorical_features)?;
        let n_try = self.max_features.resolve(data.n_features())?;
        let targets = Targets::Values(&data.targets);
        let rows = OobRows::Codes(&data.codes);
        let names = data.feature_names.clone();
        Ok(self.fit_on(binned, targets, n_try, rows, names, Vec::new()))
    }
}

impl RandomForest<usize> {
    /// Fits on `shard`, this process's share of the training rows, with the other processes
    /// of `collective` fitting on theirs (every process calls it): each gets the forest one
    /// process grows on the shards concatenated in rank order, bit for bit. Tree `t`'s
    /// bootstrap is drawn over all the rows with the generator of `(seed, t)` on every process,
    /// each keeping the draws that fall in its shard, so the shard layout does not change the
    /// forest. Trees grow one after another (each one's work in parallel); the out-of-bag score
    /// is refused across processes. Shards must share columns and class names (see
    /// [`crate::distributed`]).
    pub fn fit_distributed<D: Labeled<usize> + ?Sized>(
        &self,
        shard: &D,
        collective: &impl Collective,
    ) -> Result<FittedForest<usize>> {
        if collective.processes() == 1 {
            return self.fit(shard);
        }
        let names = shard.feature_names();
        let prepared = self
            .check()
            .and_then(|()| crate::dataset::supervised(shard))
            .map(|(x, y)| (x, y, class_names(shard, y)));
        let classes = prepared.as_ref().map(|p| p.2.clone()).unwrap_or_default();
        let labels: Vec<usize> = prepared.as_ref().map(|p| p.1.to_vec()).unwrap_or_default();
        let description = match &prepared {
            Ok((x, _, classes)) => Ok((
                *x,
                format!(
                    "features {}; classes {}",
                    names.join(","),
                    classes.join(",")
                ),
            )),
            Err(e) => Err(e.to_string()),
        };
        let targets = Targets::Classes(&labels, classes.len());
        self.fit_shard(description, targets, names, classes, collective)
    }
}

impl RandomForest<f64> {
    /// [`RandomForestClassifier::fit_distributed`] for regression: node sums are reals added
    /// per process, equal to the one-process sums to rounding (bit for bit for whole-number
    /// targets).
    pub fn fit_distributed<D: Labeled<f64> + ?Sized>(
        &self,
        shard: &D,
        collective: &impl Collective,
    ) -> Result<FittedForest<f64>> {
        if collective.processes() == 1 {
            return self.fit(shard);
        }
        let names = shard.feature_names();
        let prepared = self
            .check()
            .and_then(|()| crate::dataset::supervised(shard));
        let values: Vec<f64> = prepared.as_ref().map(|p| p.1.to_vec()).unwrap_or_default();
        let description = match &prepared {
            Ok((x, _)) => Ok((*x, format!("features {}", names.join(",")))),
            Err(e) => Err(e.to_string()),
        };
        self.fit_shard(
            description,
            Targets::Values(&values),
            names,
            Vec::new(),
            collective,
        )
    }
}

impl<D: Labeled<usize> + ?Sized> Estimator<D> for RandomForest<usize> {
    type Fitted = FittedForest<usize>;

    fn fit(&self, data: &D) -> Result<FittedForest<usize>> {
        self.check()?;
        let (x, y) = crate::dataset::supervised(data)?;
        let n_try = self.max_features.resolve(x.ncols())?;
        let classes = class_names(data, y);
        let labels: Vec<usize> = y.to_vec();
        let targets = Targets::Classes(&labels, classes.len());
        let binned = bin_for_cart(x, &self.categorical_features, &data.feature_names())?;
        let rows = OobRows::Values(x);
        Ok(self.fit_on(binned, targets, n_try, rows, data.feature_names(), classes))
    }
}

impl<D: Labeled<f64> + ?Sized> Estimator<D> for RandomForest<f64> {
    type Fitted = FittedForest<f64>;

    fn fit(&self, data: &D) -> Result<FittedForest<f64>> {
        self.check()?;
        let (x, y) = crate::dataset::supervised(data)?;
        let n_try = self.max_features.resolve(x.ncols())?;
        let values: Vec<f64> = y.to_vec();
        let binned = bin_for_cart(x, &self.categorical_features, &data.feature_names())?;
        let rows = OobRows::Values(x);
        let names = data.feature_names();
        Ok(self.fit_on(
            binned,
            Targets::Values(&values),
            n_try,
            rows,
            names,
            Vec::new(),
        ))
    }
}

/// Rows per block of a forest's prediction.
const PREDICT_BLOCK: usize = 256;

/// A fitted random forest; `T = usize` for a classifier, `f64` for a regressor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedForest<T> {
    trees: Vec<Tree>,
    feature_names: Vec<String>,
    classes: Vec<String>,
    importances: Vec<f64>,
    oob_score: Option<f64>,
    oob_curve: Vec<(usize, f64)>,
    #[serde(skip)]
    marker: std::marker::PhantomData<fn() -> T>,
}

impl<T> FittedForest<T> {
    /// The trees.
    pub fn trees(&self) -> &[Tree] {
        &self.trees
    }

    /// Mean impurity-decrease importance per feature (each tree's normalised first), summing
    /// to 1.
    pub fn feature_importances(&self) -> Array1<f64> {
        Array1::from(self.importances.clone())
    }

    /// Out-of-bag score (accuracy or R²), when asked for.
    pub fn oob_score(&self) -> Option<f64> {
        self.oob_score
    }

    /// The out-of-bag score after the first `t` trees, for up to 50 values of `t`.
    pub fn oob_curve(&self) -> &[(usize, f64)] {
        &self.oob_curve
    }

    /// Feature names seen at fit time.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// Tree `t` as indented text rules, like scikit-learn's `export_text`.
    pub fn export_text(&self, t: usize) -> Option<String> {
        let tree = self.trees.get(t)?;
        Some(crate::tree::export::text(
            tree,
            &self.feature_names,
            &self.classes,
        ))
    }

    /// Tree `t` in Graphviz dot format.
    pub fn export_dot(&self, t: usize) -> Option<String> {
        let tree = self.trees.get(t)?;
        Some(crate::tree::export::dot(
            tree,
            &self.feature_names,
            &self.classes,
        ))
    }

    /// Mean of the trees' leaf values for every row, in parallel over rows.
    fn mean_values(&self, x: ArrayView2<'_, f64>, width: usize) -> Result<Array2<f64>> {
        validate::check_predict_input(x, self.feature_names.len())?;
        let x = x.as_standard_layout();
        let rows = validate::row_slices(&x);
        let scale = 1.0 / self.trees.len().max(1) as f64;
        // Blocks of rows, trees outer and rows inner: the top levels of each tree stay in
        // cache across the block. Each row's sum still runs in tree order (thread-independent).
        let flat: Vec<f64> = rows
            .par_chunks(PREDICT_BLOCK)
            .flat_map_iter(|block| {
                let mut acc = vec![0.0; block.len() * width];
                let mut leaves = Vec::with_capacity(block.len());
                for tree in &self.trees {
                    tree.leaf_indices(block, &mut leaves);
                    for (&leaf, out) in leaves.iter().zip(acc.chunks_mut(width)) {
                        out.iter_mut()
                            .zip(tree.value(leaf as usize))
                            .for_each(|(a, v)| *a += v);
                    }
                }
                acc.into_iter().map(move |a| a * scale)
            })
            .collect();
        Array2::from_shape_vec((rows.len(), width), flat)
            .map_err(|e| Error::shape("forest output", width, e))
    }
}

impl Predict for FittedForest<usize> {
    type Output = usize;

    fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        Ok(metrics::argmax_rows(self.predict_proba_view(x)?.view()))
    }
}

impl PredictProba for FittedForest<usize> {
    fn classes(&self) -> &[String] {
        &self.classes
    }

    /// The mean of the trees' class probabilities.
    fn predict_proba_view(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        self.mean_values(x, self.classes.len())
    }
}

impl Classifier for FittedForest<usize> {}

impl Predict for FittedForest<f64> {
    type Output = f64;

    fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        Ok(self.mean_values(x, 1)?.column(0).to_owned())
    }
}

impl Regressor for FittedForest<f64> {}

impl<T> FittedForest<T> {
    /// Checks a loaded forest: at least one tree, every tree valid for the features and
    /// `value_len` values per leaf, one finite importance per feature.
    fn validate_parts(&self, value_len: usize) -> Result<()> {
        let n_features = self.feature_names.len();
        if self.trees.is_empty() {
            return Err(Error::invalid_model("a forest without trees"));
        }
        if self.importances.len() != n_features || self.importances.iter().any(|v| !v.is_finite()) {
            return Err(Error::invalid_model(format!(
                "{} importances for {n_features} features, or a non-finite one",
                self.importances.len()
            )));
        }
        self.trees
            .iter()
            .try_for_each(|t| validate_tree(t, n_features, value_len))
    }
}

impl Persist for FittedForest<usize> {
    const KIND: &'static str = "RandomForestClassifier";

    fn written_version(&self) -> u32 {
        trees_version(&self.trees)
    }

    fn validate_loaded(&self) -> Result<()> {
        self.validate_parts(self.classes.len())
    }
}

impl Persist for FittedForest<f64> {
    const KIND: &'static str = "RandomForestRegressor";

    fn written_version(&self) -> u32 {
        trees_version(&self.trees)
    }

    fn validate_loaded(&self) -> Result<()> {
        self.validate_parts(1)
    }
}
