//! Hyper-parameters by name, for search: values, grids, distributions, and the [`SetParam`]
//! trait each parameter type implements.

use rand::Rng as _;

use crate::data::shown;
use crate::error::{Error, Result};
use crate::rng::Rng;

/// A hyper-parameter value as a grid or a command line gives it.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `none` (for example no depth limit).
    None,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A real number.
    Float(f64),
    /// A word (`sqrt`, `gini`, ...).
    Str(String),
}

impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Value::None => f.write_str("none"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => write!(f, "{x}"),
            Value::Str(s) => f.write_str(s),
        }
    }
}

impl Value {
    /// Reads `none`, `true`/`false`, an integer, a real number, or else a word.
    pub fn parse(text: &str) -> Self {
        let t = text.trim();
        match t.to_ascii_lowercase().as_str() {
            "none" | "null" => return Value::None,
            "true" => return Value::Bool(true),
            "false" => return Value::Bool(false),
            _ => {}
        }
        if let Ok(i) = t.parse::<i64>() {
            return Value::Int(i);
        }
        match t.parse::<f64>() {
            Ok(x) => Value::Float(x),
            Err(_) => Value::Str(t.to_string()),
        }
    }

    fn wrong(&self, name: &'static str, wanted: &str) -> Error {
        Error::invalid(name, self, format!("must be {wanted}"))
    }

    /// A count (a non-negative integer).
    pub fn as_usize(&self, name: &'static str) -> Result<usize> {
        match self {
            Value::Int(i) if *i >= 0 => Ok(*i as usize),
            _ => Err(self.wrong(name, "a non-negative integer")),
        }
    }

    /// An optional count: `none` or a non-negative integer.
    pub fn as_opt_usize(&self, name: &'static str) -> Result<Option<usize>> {
        match self {
            Value::None => Ok(None),
            _ => self
                .as_usize(name)
                .map(Some)
                .map_err(|_| self.wrong(name, "a non-negative integer or none")),
        }
    }

    /// A real number (integers convert).
    pub fn as_f64(&self, name: &'static str) -> Result<f64> {
        match self {
            Value::Float(x) => Ok(*x),
            Value::Int(i) => Ok(*i as f64),
            _ => Err(self.wrong(name, "a number")),
        }
    }

    /// `true` or `false`.
    pub fn as_bool(&self, name: &'static str) -> Result<bool> {
        match self {
            Value::Bool(b) => Ok(*b),
            _ => Err(self.wrong(name, "true or false")),
        }
    }

    /// A word.
    pub fn as_str(&self, name: &'static str) -> Result<&str> {
        match self {
            Value::Str(s) => Ok(s),
            _ => Err(self.wrong(name, "a word")),
        }
    }
}

/// A parameter type whose hyper-parameters can be set by name — what a search needs.
pub trait SetParam: Sized {
    /// The names [`SetParam::set_param`] accepts.
    fn param_names(&self) -> Vec<&'static str>;

    /// Each parameter's name and value, as an error message shows it (what a saved agent
    /// records and `learnkit inspect` lists), in [`SetParam::param_names`]'s order.
    fn shown(&self) -> Vec<(&'static str, String)>;

    /// [`SetParam::shown`] as owned pairs: what a model or agent file records.
    fn settings(&self) -> Vec<(String, String)> {
        self.shown()
            .into_iter()
            .map(|(name, value)| (name.to_string(), value))
            .collect()
    }

    /// Sets parameter `name`; an unknown name or a value of the wrong type is an error naming
    /// both. Whether the value is allowed is [`crate::Hyperparams::check`]'s business.
    fn set_param(self, name: &str, value: &Value) -> Result<Self>;

    /// Sets each `(name, value)` in turn.
    fn with_params(self, params: &[(String, Value)]) -> Result<Self> {
        params
            .iter()
            .try_fold(self, |p, (name, value)| p.set_param(name, value))
    }
}

/// The type of a hyper-parameter: how its value reads in an error message, and how a search grid
/// or a command line sets it by name. Types a grid cannot spell (schedules, network layouts)
/// keep the default [`ParamValue::from_value`], an error that points to the setter.
pub trait ParamValue: Sized {
    /// The value as an error message shows it.
    fn show(&self) -> String;

    /// The value `value` stands for, for parameter `name`.
    fn from_value(value: &Value, name: &'static str) -> Result<Self> {
        Err(Error::invalid(
            name,
            value,
            "cannot be set by name; use its setter",
        ))
    }
}

/// The error for a name a parameter type does not have.
pub fn unknown_param(model: &str, name: &str, known: &[&str]) -> Error {
    Error::invalid(
        "parameter",
        name,
        format!(
            "{model} has no parameter of that name; it has {}",
            known.join(", ")
        ),
    )
}

/// A grid: for each parameter name, the values to try; candidates are every combination.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ParamGrid {
    axes: Vec<(String, Vec<Value>)>,
}

impl ParamGrid {
    /// An empty grid (one candidate: the parameters as given).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a parameter and its values.
    pub fn add(mut self, name: &str, values: Vec<Value>) -> Self {
        self.axes.push((name.to_string(), values));
        self
    }

    /// Reads `"max_depth=2,4,none;max_features=sqrt,0.5"`: parameters separated by `;`, values
    /// by `,`.
    pub fn parse(text: &str) -> Result<Self> {
        let mut grid = Self::new();
        for part in text.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, values) = part.split_once('=').ok_or_else(|| {
                Error::invalid(
                    "grid",
                    part.to_string(),
                    "write name=value,value;name=value",
                )
            })?;
            let values: Vec<Value> = values
                .split(',')
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(Value::parse)
                .collect();
            if values.is_empty() {
                return Err(Error::invalid(
                    "grid",
                    part.to_string(),
                    "a parameter needs at least one value",
                ));
            }
            let name = name.trim();
            if name.is_empty() {
                return Err(Error::invalid(
                    "grid",
                    part,
                    "a parameter needs a name before `=`",
                ));
            }
            if grid.axes.iter().any(|(n, _)| n == name) {
                return Err(Error::invalid("grid", name, "names a parameter twice"));
            }
            grid = grid.add(name, values);
        }
        if grid.axes.is_empty() {
            return Err(Error::invalid("grid", text, "is empty"));
        }
        grid.size()?;
        Ok(grid)
    }

    /// How many candidates the grid holds, or an error when that is more than
    /// [`MAX_CANDIDATES`] (counted without building them).
    pub fn size(&self) -> Result<usize> {
        let size = self
            .axes
            .iter()
            .try_fold(1usize, |n, (_, values)| n.checked_mul(values.len()));
        match size {
            Some(n) if n <= MAX_CANDIDATES => Ok(n),
            _ => {
                let mut axes: Vec<String> = self
                    .axes
                    .iter()
                    .take(6)
                    .map(|(name, values)| format!("{}: {}", shown(name), values.len()))
                    .collect();
                if self.axes.len() > 6 {
                    axes.push(format!("… ({} parameters)", self.axes.len()));
                }
                Err(Error::invalid(
                    "grid",
                    axes.join(" × "),
                    format!("holds more than {MAX_CANDIDATES} candidates"),
                ))
            }
        }
    }

    /// The parameter names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.axes.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Every combination, the last parameter varying fastest (scikit-learn's order).
    pub fn candidates(&self) -> Vec<Vec<(String, Value)>> {
        let mut out: Vec<Vec<(String, Value)>> = vec![Vec::new()];
        for (name, values) in &self.axes {
            out = out
                .into_iter()
                .flat_map(|prefix| {
                    values.iter().map(move |v| {
                        let mut c = prefix.clone();
                        c.push((name.clone(), v.clone()));
                        c
                    })
                })
                .collect();
        }
        out
    }
}

/// The most candidates a search evaluates (a grid's combinations, a random search's draws):
/// each is at least one fit per fold, so more is no search anyone can wait for, and counting
/// them first keeps a typo from allocating the candidates of a search that never ends.
pub const MAX_CANDIDATES: usize = 100_000;

/// A distribution to draw one hyper-parameter from in a random search.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// Uniform real in `[low, high)`.
    Uniform(f64, f64),
    /// Log-uniform real in `[low, high)` (both > 0): every decade equally likely.
    LogUniform(f64, f64),
    /// Uniform integer in `[low, high]`.
    IntRange(i64, i64),
    /// One of these values, equally likely.
    Choice(Vec<Value>),
}

impl Distribution {
    /// Reads `uniform(0.1,10)`, `loguniform(1e-3,1e2)`, `int(2,16)` or `a,b,c` (a choice).
    pub fn parse(text: &str) -> Result<Self> {
        let t = text.trim();
        let call = |prefix: &str| -> Option<Vec<&str>> {
            t.strip_prefix(prefix)
                .and_then(|r| r.strip_prefix('('))
                .and_then(|r| r.strip_suffix(')'))
                .map(|inner| inner.split(',').map(str::trim).collect())
        };
        let bad = |why: &str| Error::invalid("distribution", t, why.to_string());
        let two_reals = |args: Vec<&str>| -> Result<(f64, f64)> {
            match args.as_slice() {
                [a, b] => Ok((
                    a.parse().map_err(|_| bad("bounds must be numbers"))?,
                    b.parse().map_err(|_| bad("bounds must be numbers"))?,
                )),
                _ => Err(bad("needs two bounds")),
            }
        };
        let dist = if let Some(args) = call("loguniform") {
            let (a, b) = two_reals(args)?;
            Distribution::LogUniform(a, b)
        } else if let Some(args) = call("uniform") {
            let (a, b) = two_reals(args)?;
            Distribution::Uniform(a, b)
        } else if let Some(args) = call("int") {
            let (a, b) = two_reals(args)?;
            if a.fract() != 0.0 || b.fract() != 0.0 {
                return Err(bad("integer bounds must be integers"));
            }
            // Beyond 2^53 a bound read as a number is no longer the integer written.
            if a.abs() > 9_007_199_254_740_992.0 || b.abs() > 9_007_199_254_740_992.0 {
                return Err(bad("integer bounds must lie within ±2^53"));
            }
            Distribution::IntRange(a as i64, b as i64)
        } else {
            Distribution::Choice(
                t.split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty())
                    .map(Value::parse)
                    .collect(),
            )
        };
        dist.check()?;
        Ok(dist)
    }

    /// Fails on empty or reversed ranges and non-positive log bounds.
    pub fn check(&self) -> Result<()> {
        let ok = match self {
            // The width must be finite too: uniform(-1e308, 1e308) cannot be sampled.
            Distribution::Uniform(a, b) => (b - a).is_finite() && a < b,
            Distribution::LogUniform(a, b) => a.is_finite() && b.is_finite() && *a > 0.0 && a < b,
            Distribution::IntRange(a, b) => a <= b,
            Distribution::Choice(values) => !values.is_empty(),
        };
        if !ok {
            return Err(Error::invalid(
                "distribution",
                format!("{self:?}"),
                "needs low < high (low > 0 for loguniform) or at least one choice",
            ));
        }
        Ok(())
    }

    /// One draw.
    pub fn sample(&self, rng: &mut Rng) -> Value {
        match self {
            Distribution::Uniform(a, b) => Value::Float(rng.gen_range(*a..*b)),
            Distribution::LogUniform(a, b) => Value::Float(rng.gen_range(a.ln()..b.ln()).exp()),
            Distribution::IntRange(a, b) => Value::Int(rng.gen_range(*a..=*b)),
            Distribution::Choice(values) => values[rng.gen_range(0..values.len())].clone(),
        }
    }
}
