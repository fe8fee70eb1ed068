use ndarray::{Array1, Array2, ArrayView2};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::learner::dataset::{BinMapper, BinnedData};
use super::learner::depthwise::{grow_tree, Sample, Targets};
use super::learner::{Serial, Tree};
use super::params::{check_criterion, MaxFeatures, TargetKind, TreeParams};
use super::trees_version;
use crate::dataset::Labeled;
use crate::distributed::{check_alike, Collective, Shard};
use crate::error::Result;
use crate::persist::Persist;
use crate::rng;
use crate::traits::{Classifier, Estimator, Hyperparams, Predict, PredictProba, Regressor};
use crate::validate;

hyperparams! {
    /// Hyper-parameters of a CART tree with scikit-learn's `DecisionTreeClassifier` /
    /// `DecisionTreeRegressor` defaults: Gini (classes) or squared error (values), unlimited
    /// depth, `min_samples_leaf = 1`, all features.
    ///
    /// ```
    /// use learnkit::prelude::*;
    /// use learnkit::tree::DecisionTreeClassifier;
    ///
    /// let iris = learnkit::data::iris()?;
    /// let tree = DecisionTreeClassifier::params().max_depth(Some(3)).fit(&iris)?;
    /// assert!(tree.depth() <= 3);
    /// assert!(tree.score_on(&iris)? > 0.95);
    /// println!("{}", tree.export_text());
    /// # Ok::<(), learnkit::Error>(())
    /// ```
    #[derive(Debug, Clone, PartialEq)]
    pub struct DecisionTree<T: TargetKind> {
        @tree_fields(T::CRITERION, MaxFeatures::All);
    }
    check check_task;
}

/// A classification tree's hyper-parameters.
pub type DecisionTreeClassifier = DecisionTree<usize>;
/// A regression tree's hyper-parameters.
pub type DecisionTreeRegressor = DecisionTree<f64>;

impl<T: TargetKind> DecisionTree<T> {
    /// scikit-learn's defaults.
    pub fn params() -> Self {
        Self::defaults()
    }

    fn check_task(&self) -> Result<()> {
        check_criterion(self.criterion, T::CLASSIFICATION)
    }

    /// The checked settings and the features each split draws from.
    fn grower_settings(&self, n_features: usize) -> Result<(TreeParams, usize)> {
        Ok((tree_params!(self), self.max_features.resolve(n_features)?))
    }

    /// Grows the tree on every row of `binned`.
    fn grow_on(&self, binned: &BinnedData, targets: Targets<'_>, n: usize) -> Result<Tree> {
        let (params, n_try) = self.grower_settings(binned.mapper.n_original())?;
        Ok(grow_tree(
            binned,
            targets,
            Sample::all(n),
            &params,
            n_try,
            &mut rng::seeded(self.seed),
            &Serial,
        ))
    }
}

/// The class names of a classification dataset, or `"0", "1", ...`.
pub(crate) fn class_names<D: Labeled<usize> + ?Sized>(
    data: &D,
    y: ndarray::ArrayView1<'_, usize>,
) -> Vec<String> {
    match data.class_names() {
        Some(names) => names.to_vec(),
        None => (0..=y.iter().copied().max().unwrap_or(0))
            .map(|c| c.to_string())
            .collect(),
    }
}

impl DecisionTreeClassifier {
    /// Fits on a binned classification dataset ([`crate::tree::BinnedDataset`]): the tree
    /// [`Estimator::fit`] gives on the same rows.
    pub fn fit_binned(
        &self,
        data: &crate::tree::BinnedDataset,
    ) -> Result<FittedDecisionTree<usize>> {
        self.check()?;
        let binned = super::forest::cart_codes(
            data,
            crate::tree::BinnedTask::Classification,
            &self.categorical_features,
        )?;
        let y: Vec<usize> = data.targets.iter().map(|&c| c as usize).collect();
        let targets = Targets::Classes(&y, data.class_names.len());
        let tree = self.grow_on(&binned, targets, y.len())?;
        let (names, classes) = (data.feature_names.clone(), data.class_names.clone());
        Ok(FittedDecisionTree::new(tree, names, classes))
    }
}

impl DecisionTreeRegressor {
    /// Fits on a binned regression dataset; see [`DecisionTreeClassifier::fit_binned`].
    pub fn fit_binned(&self, data: &crate::tree::BinnedDataset) -> Result<FittedDecisionTree<f64>> {
        self.check()?;
        let binned = super::forest::cart_codes(
            data,
            crate::tree::BinnedTask::Regression,
            &self.categorical_features,
        )?;
        let targets = Targets::Values(&data.targets);
        let tree = self.grow_on(&binned, targets, data.targets.len())?;
        let names = data.feature_names.clone();
        Ok(FittedDecisionTree::new(tree, names, Vec::new()))
    }
}

/// This process's records of a CART model's data-parallel fit, binned with the thresholds
/// every process agrees on. `prepared`: the checked records and the description the processes
/// must share, or why they failed; `check`: the model's own checks of the feature count. Any
/// failure, on any process, is the same error on every process.
pub(crate) fn shard_bins(
    prepared: std::result::Result<(ArrayView2<'_, f64>, String), String>,
    categorical: &[usize],
    names: &[String],
    collective: &impl Collective,
    check: impl Fn(usize) -> Result<()>,
) -> Result<(BinnedData, Shard)> {
    let prepared = prepared.and_then(|(x, description)| {
        check(x.ncols())
            .and_then(|()| super::params::check_categorical(categorical, x.ncols()))
            .map_err(|e| e.to_string())?;
        Ok((x, description))
    });
    let description = prepared.as_ref().map(|p| p.1.clone()).map_err(Clone::clone);
    check_alike(collective, "columns and classes", description)?;
    let Ok((x, _)) = prepared else {
        unreachable!("check_alike fails every process when one failed")
    };
    let shard = Shard::of(collective, x.nrows());
    let mapper = BinMapper::fit_sharded(x, categorical, collective, shard, |e| {
        super::params::not_a_category(names, e)
    })?;
    Ok((BinnedData::with_mapper(x, mapper), shard))
}

impl<T: TargetKind> DecisionTree<T> {
    /// Grows the tree on this process's shard of the rows (see [`shard_bins`]), with the other
    /// processes of `collective` on theirs.
    fn grow_shard(
        &self,
        prepared: std::result::Result<(ArrayView2<'_, f64>, String), String>,
        names: &[String],
        collective: &impl Collective,
        targets: Targets<'_>,
    ) -> Result<Tree> {
        let check = |d: usize| self.grower_settings(d).map(|_| ());
        let (binned, shard) = shard_bins(
            prepared,
            &self.categorical_features,
            names,
            collective,
            check,
        )?;
        let (params, n_try) = self.grower_settings(binned.mapper.n_original())?;
        Ok(grow_tree(
            &binned,
            targets,
            Sample::all(shard.rows),
            &params,
            n_try,
            &mut rng::seeded(self.seed),
            collective,
        ))
    }
}

impl DecisionTreeClassifier {
    /// Fits on `shard`, this process's share of the training rows, with the other processes
    /// of `collective` fitting on theirs (every process calls it): each gets the tree one
    /// process grows on the shards concatenated in rank order, bit for bit (class counts are
    /// whole numbers). Shards must share columns and class names; a mismatch or a bad shard is
    /// one [`crate::Error::Distributed`] naming the rank, on every process. See
    /// [`crate::distributed`].
    pub fn fit_distributed<D: Labeled<usize> + ?Sized>(
        &self,
        shard: &D,
        collective: &impl Collective,
    ) -> Result<FittedDecisionTree<usize>> {
        let names = shard.feature_names();
        let prepared = self
            .check()
            .and_then(|()| crate::dataset::supervised(shard))
            .map(|(x, y)| (x, y, class_names(shard, y)));
        let description = prepared.as_ref().map(|(x, _, classes)| {
            (
                *x,
                format!(
                    "features {}; classes {}",
                    names.join(","),
                    classes.join(",")
                ),
            )
        });
        let description = description.map_err(|e| e.to_string());
        let classes = prepared.as_ref().map(|p| p.2.clone()).unwrap_or_default();
        let y: Vec<usize> = prepared.as_ref().map(|p| p.1.to_vec()).unwrap_or_default();
        let targets = Targets::Classes(&y, classes.len());
        let tree = self.grow_shard(description, &names, collective, targets)?;
        Ok(FittedDecisionTree::new(tree, names, classes))
    }
}

impl DecisionTreeRegressor {
    /// [`DecisionTreeClassifier::fit_distributed`] for regression. The nodes' sums of targets
    /// and squared targets are reals added per process, so they equal the one-process sums to
    /// rounding (bit for bit when the targets are whole numbers), and a split the rounding
    /// ties may differ.
    pub fn fit_distributed<D: Labeled<f64> + ?Sized>(
        &self,
        shard: &D,
        collective: &impl Collective,
    ) -> Result<FittedDecisionTree<f64>> {
        let names = shard.feature_names();
        let prepared = self
            .check()
            .and_then(|()| crate::dataset::supervised(shard));
        let description = match &prepared {
            Ok((x, _)) => Ok((*x, format!("features {}", names.join(",")))),
            Err(e) => Err(e.to_string()),
        };
        let y: Vec<f64> = prepared.as_ref().map(|p| p.1.to_vec()).unwrap_or_default();
        let tree = self.grow_shard(description, &names, collective, Targets::Values(&y))?;
        Ok(FittedDecisionTree::new(tree, names, Vec::new()))
    }
}

impl<D: Labeled<usize> + ?Sized> Estimator<D> for DecisionTreeClassifier {
    type Fitted = FittedDecisionTree<usize>;

    fn fit(&self, data: &D) -> Result<FittedDecisionTree<usize>> {
        self.check()?;
        let (x, y) = crate::dataset::supervised(data)?;
        self.grower_settings(x.ncols())?;
        let classes = class_names(data, y);
        let binned =
            super::params::bin_for_cart(x, &self.categorical_features, &data.feature_names())?;
        let y: Vec<usize> = y.to_vec();
        let tree = self.grow_on(&binned, Targets::Classes(&y, classes.len()), y.len())?;
        Ok(FittedDecisionTree::new(tree, data.feature_names(), classes))
    }
}

impl<D: Labeled<f64> + ?Sized> Estimator<D> for DecisionTreeRegressor {
    type Fitted = FittedDecisionTree<f64>;

    fn fit(&self, data: &D) -> Result<FittedDecisionTree<f64>> {
        self.check()?;
        let (x, y) = crate::dataset::supervised(data)?;
        self.grower_settings(x.ncols())?;
        let binned =
            super::params::bin_for_cart(x, &self.categorical_features, &data.feature_names())?;
        let y: Vec<f64> = y.to_vec();
        let tree = self.grow_on(&binned, Targets::Values(&y), y.len())?;
        Ok(FittedDecisionTree::new(
            tree,
            data.feature_names(),
            Vec::new(),
        ))
    }
}

/// A fitted decision tree; `T = usize` for a classifier, `f64` for a regressor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FittedDecisionTree<T> {
    tree: Tree,
    feature_names: Vec<String>,
    classes: Vec<String>,
    #[serde(skip)]
    marker: std::marker::PhantomData<fn() -> T>,
}

impl<T> FittedDecisionTree<T> {
    fn new(tree: Tree, feature_names: Vec<String>, classes: Vec<String>) -> Self {
        Self {
            tree,
            feature_names,
            classes,
            marker: std::marker::PhantomData,
        }
    }

    /// The tree's nodes (root first).
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// Depth of the deepest leaf (root = 0).
    pub fn depth(&self) -> usize {
        self.tree.depth()
    }

    /// Number of leaves.
    pub fn n_leaves(&self) -> usize {
        self.tree.n_leaves()
    }

    /// Impurity-decrease importance per feature, summing to 1 (all zeros for a single leaf).
    pub fn feature_importances(&self) -> Array1<f64> {
        normalised(self.tree.importances())
    }

    /// Feature names seen at fit time.
    pub fn feature_names(&self) -> &[String] {
        &self.feature_names
    }

    /// The tree as indented text rules, like scikit-learn's `export_text`.
    pub fn export_text(&self) -> String {
        super::export::text(&self.tree, &self.feature_names, &self.classes)
    }

    /// The tree in Graphviz dot format.
    pub fn export_dot(&self) -> String {
        super::export::dot(&self.tree, &self.feature_names, &self.classes)
    }

    fn check_input(&self, x: ArrayView2<'_, f64>) -> Result<()> {
        validate::check_predict_input(x, self.feature_names.len())
    }

    fn leaf_values(&self, x: ArrayView2<'_, f64>) -> Result<Vec<&[f64]>> {
        self.check_input(x)?;
        let x = x.as_standard_layout();
        let rows = validate::row_slices(&x);
        // Blocks of rows in parallel, each walked in lockstep lanes.
        let leaves: Vec<u32> = rows
            .par_chunks(4096)
            .flat_map_iter(|block| {
                let mut out = Vec::with_capacity(block.len());
                self.tree.leaf_indices(block, &mut out);
                out
            })
            .collect();
        Ok(leaves
            .into_iter()
            .map(|leaf| self.tree.value(leaf as usize))
            .collect())
    }
}

pub(crate) fn normalised(v: &[f64]) -> Array1<f64> {
    let total: f64 = v.iter().sum();
    if total > 0.0 {
        Array1::from_iter(v.iter().map(|x| x / total))
    } else {
        Array1::zeros(v.len())
    }
}

pub(crate) use crate::metrics::argmax;

impl Predict for FittedDecisionTree<usize> {
    type Output = usize;

    fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<usize>> {
        Ok(self.leaf_values(x)?.into_iter().map(argmax).collect())
    }
}

impl PredictProba for FittedDecisionTree<usize> {
    fn classes(&self) -> &[String] {
        &self.classes
    }

    fn predict_proba_view(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let leaves = self.leaf_values(x)?;
        let k = self.classes.len();
        let mut out = Array2::zeros((leaves.len(), k));
        for (mut row, v) in out.rows_mut().into_iter().zip(leaves) {
            row.iter_mut().zip(v).for_each(|(o, p)| *o = *p);
        }
        Ok(out)
    }
}

impl Classifier for FittedDecisionTree<usize> {}

impl FittedDecisionTree<usize> {
    /// The accuracy on `data` of this tree cut at each depth `1..=max_depth` (a node below the
    /// cut predicts its ancestor's majority class): the over-fitting curve, from one pass over
    /// the rows instead of one refit per depth. Without feature sampling this equals refitting
    /// with `max_depth = d`, since CART grows each node the same way whatever the limit.
    pub fn accuracy_by_depth<D: Labeled<usize> + ?Sized>(
        &self,
        data: &D,
        max_depth: usize,
    ) -> Result<Vec<f64>> {
        let (x, y) = (data.as_records(), data.targets());
        self.check_input(x)?;
        if x.nrows() != y.len() {
            return Err(crate::error::Error::shape("targets", x.nrows(), y.len()));
        }
        let x = x.as_standard_layout();
        let rows = validate::row_slices(&x);
        let labels: Vec<usize> = y.to_vec();
        let majority: Vec<usize> = (0..self.tree.n_nodes())
            .map(|i| argmax(self.tree.value(i)))
            .collect();
        // correct[d] counts the rows whose path node at depth min(d, leaf depth) is right.
        let correct = rows
            .par_iter()
            .zip(labels.par_iter())
            .fold(
                || vec![0u64; max_depth + 1],
                |mut acc, (row, &label)| {
                    let (mut last, mut last_depth) = (0, 0);
                    self.tree.path(row, |depth, node| {
                        if depth <= max_depth {
                            acc[depth] += u64::from(majority[node] == label);
                            (last, last_depth) = (node, depth);
                        }
                    });
                    let hit = u64::from(majority[last] == label);
                    acc[last_depth + 1..].iter_mut().for_each(|c| *c += hit);
                    acc
                },
            )
            .reduce(
                || vec![0u64; max_depth + 1],
                |mut a, b| {
                    a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                    a
                },
            );
        let n = rows.len().max(1) as f64;
        Ok(correct[1..].iter().map(|&c| c as f64 / n).collect())
    }
}

impl Predict for FittedDecisionTree<f64> {
    type Output = f64;

    fn n_features(&self) -> usize {
        self.feature_names.len()
    }

    fn predict_view(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        Ok(self.leaf_values(x)?.into_iter().map(|v| v[0]).collect())
    }
}

impl Regressor for FittedDecisionTree<f64> {}

/// Checks that a loaded tree's node links and values are consistent.
pub(crate) fn validate_tree(tree: &Tree, n_features: usize, value_len: usize) -> Result<()> {
    if n_features == 0 || value_len == 0 {
        return Err(crate::error::Error::invalid_model(format!(
            "a tree model needs features and outputs; the file has {n_features} feature names \
             and {value_len} values per leaf"
        )));
    }
    tree.validate(n_features, value_len)
}

impl Persist for FittedDecisionTree<usize> {
    const KIND: &'static str = "DecisionTreeClassifier";

    fn written_version(&self) -> u32 {
        trees_version(std::slice::from_ref(&self.tree))
    }

    fn validate_loaded(&self) -> Result<()> {
        validate_tree(&self.tree, self.feature_names.len(), self.classes.len())
    }
}

impl Persist for FittedDecisionTree<f64> {
    const KIND: &'static str = "DecisionTreeRegressor";

    fn written_version(&self) -> u32 {
        trees_version(std::slice::from_ref(&self.tree))
    }

    fn validate_loaded(&self) -> Result<()> {
        validate_tree(&self.tree, self.feature_names.len(), 1)
    }
}
