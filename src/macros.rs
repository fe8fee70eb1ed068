//! Crate-internal macros.

/// Declares a hyper-parameter type from one field list, and from that list alone generates:
/// the struct, `defaults()` (each field's `= default`), one chained setter per field documented
/// by the field's own doc comment, `Hyperparams::check` (each field's `valid |v| rule, reason`,
/// then the type's own `check fn;` for rules that tie fields together) and `SetParam` (every
/// field by its name, the values read by [`crate::model_selection::ParamValue`]). A type with a
/// task parameter (`<T: Bound>`) gets a hidden `PhantomData` marker and no `params()`; the
/// others get `params()`, the defaults.
///
/// ```text
/// hyperparams! {
///     /// Doc of the type.
///     #[derive(Debug, Clone, PartialEq)]
///     pub struct Name {
///         /// Doc of the field and its setter (default 8).
///         pub(crate) n_clusters: usize = 8, valid |k| *k >= 1, "must be at least 1";
///         /// Random seed.
///         pub(crate) seed: u64 = 0;
///     }
///     check check_more;   // optional: fn check_more(&self) -> Result<()>
/// }
/// ```
macro_rules! hyperparams {
    // The tree settings every tree model has (`@tree_fields(criterion default, max_features
    // default);` first in the list), with scikit-learn's meanings and defaults.
    (
        $(#[$meta:meta])*
        pub struct $name:ident $(<$t:ident: $bound:path>)? {
            @tree_fields($criterion:expr, $max_features:expr);
            $($rest:tt)*
        }
        $($tail:tt)*
    ) => {
        hyperparams! {
            $(#[$meta])*
            pub struct $name $(<$t: $bound>)? {
                /// Impurity criterion: Gini (the classifiers' default) or entropy for classes,
                /// squared error for values.
                pub(crate) criterion: $crate::tree::Criterion = $criterion;
                /// Maximum depth; `None` (default) grows until leaves are pure or too small.
                pub(crate) max_depth: Option<usize> = None,
                    valid |d| *d != Some(0), "must be at least 1 (or none for no limit)";
                /// Minimum samples to split a node (default 2).
                pub(crate) min_samples_split: usize = 2, valid |n| *n >= 2, "must be at least 2";
                /// Minimum samples in each leaf (default 1).
                pub(crate) min_samples_leaf: usize = 1, valid |n| *n >= 1, "must be at least 1";
                /// Minimum weighted impurity decrease for a split (default 0).
                pub(crate) min_impurity_decrease: f64 = 0.0,
                    valid |v| v.is_finite() && *v >= 0.0, "must be ≥ 0";
                /// Features considered per split: a count ≥ 1, a fraction in (0, 1], `sqrt`,
                /// `log2` or all (default: all, but `sqrt` for classification forests).
                pub(crate) max_features: $crate::tree::MaxFeatures = $max_features,
                    valid |m| m.is_valid(),
                    "must be a count ≥ 1, a fraction in (0, 1], sqrt, log2 or all";
                /// Random seed: the per-split feature order, and in forests the bootstrap
                /// samples (default 0).
                pub(crate) seed: u64 = 0;
                /// Indices of the categorical features (default none): each value of such a
                /// column is a category (a whole number ≥ 0), and a split sends a set of
                /// categories left — one against the rest for at most 4 categories, else the
                /// categories sorted by their mean target (two classes or values: Breiman's
                /// order, which holds the best subset) or by their share of the node's most
                /// frequent class, split at the best point of that order. Categories not seen
                /// in training go right.
                pub(crate) categorical_features: Vec<usize> = Vec::new();
                $($rest)*
            }
            $($tail)*
        }
    };
    (
        $(#[$meta:meta])*
        pub struct $name:ident $(<$t:ident: $bound:path>)? {
            $(
                $(#[doc = $doc:literal])*
                $fvis:vis $field:ident : $ty:ty = $default:expr
                    $(, valid |$v:ident| $cond:expr, $reason:expr)? ;
            )*
        }
        $(check $extra:ident;)?
    ) => {
        $(#[$meta])*
        pub struct $name $(<$t>)? {
            $( $(#[doc = $doc])* $fvis $field: $ty, )*
            $( marker: ::std::marker::PhantomData<fn() -> $t>, )?
        }

        impl $(<$t: $bound>)? $name $(<$t>)? {
            /// The defaults: each setter's documentation gives its own.
            pub(crate) fn defaults() -> Self {
                Self {
                    $( $field: $default, )*
                    $( marker: ::std::marker::PhantomData::<fn() -> $t>, )?
                }
            }

            $(
                $(#[doc = $doc])*
                pub fn $field(mut self, value: $ty) -> Self {
                    self.$field = value;
                    self
                }
            )*

            /// Each field's own rule, in the order of the fields.
            fn check_fields(&self) -> $crate::error::Result<()> {
                $($(
                    {
                        let $v = &self.$field;
                        if !($cond) {
                            return Err($crate::error::Error::invalid(
                                stringify!($field),
                                $crate::model_selection::ParamValue::show($v),
                                $reason,
                            ));
                        }
                    }
                )?)*
                Ok(())
            }
        }

        hyperparams!(@params $name $(<$t>)?);

        impl $(<$t: $bound>)? $crate::traits::Hyperparams for $name $(<$t>)? {
            fn check(&self) -> $crate::error::Result<()> {
                self.check_fields()?;
                $( self.$extra()?; )?
                Ok(())
            }
        }

        impl $(<$t: $bound>)? $crate::model_selection::SetParam for $name $(<$t>)? {
            fn param_names(&self) -> Vec<&'static str> {
                vec![$(stringify!($field)),*]
            }

            fn shown(&self) -> Vec<(&'static str, String)> {
                vec![$((
                    stringify!($field),
                    $crate::model_selection::ParamValue::show(&self.$field),
                )),*]
            }

            /// Sets the field called `name` (or, for scikit-learn's capitalised `C`, its
            /// lower-case spelling).
            fn set_param(
                mut self,
                name: &str,
                value: &$crate::model_selection::Value,
            ) -> $crate::error::Result<Self> {
                match name.to_ascii_lowercase().as_str() {
                    $(
                        stringify!($field) => {
                            self.$field = $crate::model_selection::ParamValue::from_value(
                                value,
                                stringify!($field),
                            )?
                        }
                    )*
                    _ => {
                        return Err($crate::model_selection::unknown_param(
                            stringify!($name),
                            name,
                            &$crate::model_selection::SetParam::param_names(&self),
                        ))
                    }
                }
                Ok(self)
            }
        }
    };
    (@params $name:ident) => {
        impl $name {
            /// The defaults: each setter's documentation gives its own.
            pub fn params() -> Self {
                Self::defaults()
            }
        }
    };
    (@params $name:ident <$t:ident>) => {};
}
