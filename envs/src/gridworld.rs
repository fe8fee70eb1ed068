//! Gridworlds read from ASCII maps: FrozenLake, CliffWalking, or any map file.
//!
//! A map file holds optional `key = value` settings, then the grid, one row per line:
//!
//! | char | cell | entering it |
//! |---|---|---|
//! | `S` | start | (floor) |
//! | `G` | goal | `goal_reward`, terminates |
//! | `H` | hole | `hole_reward`, terminates |
//! | `C` | cliff | `cliff_reward`, back to the start, does **not** terminate |
//! | `#` | wall | cannot be entered: the agent stays where it is |
//! | `.` or `F` | floor | `step_reward` |
//!
//! Settings: `step_reward`, `goal_reward`, `hole_reward`, `cliff_reward` (numbers),
//! `slippery` (`true`/`false`), `max_steps` (0 for none). Blank lines and lines starting with
//! `//` are ignored.
//!
//! Actions follow FrozenLake: 0 left, 1 down, 2 right, 3 up. Moving off the grid or into a wall
//! leaves the agent in place. On a slippery map the agent moves in the intended direction or
//! either perpendicular one, each with probability 1/3 (Gymnasium's FrozenLake rule).
//! Observations are state indices `row * width + col`.

use std::path::Path;

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

use crate::{check_action, Env, EnvError, Space, Step};

/// A cell of the grid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell {
    /// The start cell (floor).
    Start,
    /// Plain floor.
    Floor,
    /// The goal: terminates with `goal_reward`.
    Goal,
    /// A hole: terminates with `hole_reward`.
    Hole,
    /// A cliff: `cliff_reward` and back to the start, without terminating.
    Cliff,
    /// A wall: cannot be entered.
    Wall,
}

impl Cell {
    fn from_char(c: char) -> Option<Cell> {
        Some(match c {
            'S' => Cell::Start,
            '.' | 'F' => Cell::Floor,
            'G' => Cell::Goal,
            'H' => Cell::Hole,
            'C' => Cell::Cliff,
            '#' => Cell::Wall,
            _ => return None,
        })
    }

    /// The map character for this cell.
    pub fn to_char(self) -> char {
        match self {
            Cell::Start => 'S',
            Cell::Floor => '.',
            Cell::Goal => 'G',
            Cell::Hole => 'H',
            Cell::Cliff => 'C',
            Cell::Wall => '#',
        }
    }
}

/// The four moves, numbered as FrozenLake's actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GridAction {
    /// 0: one column left.
    Left = 0,
    /// 1: one row down.
    Down = 1,
    /// 2: one column right.
    Right = 2,
    /// 3: one row up.
    Up = 3,
}

impl GridAction {
    /// All actions in index order.
    pub const ALL: [GridAction; 4] = [
        GridAction::Left,
        GridAction::Down,
        GridAction::Right,
        GridAction::Up,
    ];

    /// An arrow for drawing policies.
    pub fn arrow(self) -> char {
        match self {
            GridAction::Left => '←',
            GridAction::Down => '↓',
            GridAction::Right => '→',
            GridAction::Up => '↑',
        }
    }

    fn delta(self) -> (isize, isize) {
        match self {
            GridAction::Left => (0, -1),
            GridAction::Down => (1, 0),
            GridAction::Right => (0, 1),
            GridAction::Up => (-1, 0),
        }
    }
}

/// The largest map file [`MapSpec::from_file`] reads (1 MiB; maps are at most a few thousand
/// cells).
pub const MAX_MAP_BYTES: u64 = 1 << 20;

/// A parsed map: the grid and its rules.
#[derive(Debug, Clone, PartialEq)]
pub struct MapSpec {
    /// A name for messages and reports.
    pub name: String,
    /// Cells, row-major.
    pub cells: Vec<Cell>,
    /// Grid height.
    pub height: usize,
    /// Grid width.
    pub width: usize,
    /// Reward for an ordinary step.
    pub step_reward: f64,
    /// Reward for reaching the goal.
    pub goal_reward: f64,
    /// Reward for falling into a hole.
    pub hole_reward: f64,
    /// Reward for stepping onto the cliff.
    pub cliff_reward: f64,
    /// Whether moves slip sideways (1/3 each way).
    pub slippery: bool,
    /// Time limit; `None` for none.
    pub max_steps: Option<usize>,
}

/// The largest grid side a map may have (reports draw one square per cell).
pub const MAX_SIDE: usize = 100;

/// A map name made safe for file names: ASCII letters, digits, `_` and `-` (anything else
/// becomes `_`), at most 64 characters, `map` when nothing is left. Report and log files are
/// named after maps, and a name from a file must not steer them elsewhere (`../../x`).
pub fn safe_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if cleaned.trim_matches('_').is_empty() {
        "map".into()
    } else {
        cleaned
    }
}

const FROZEN4: &str = include_str!("../maps/frozen_lake_4x4.txt");
const FROZEN8: &str = include_str!("../maps/frozen_lake_8x8.txt");
const CLIFF: &str = include_str!("../maps/cliff_walking.txt");

impl MapSpec {
    /// Parses map text; `source` names it in error messages.
    pub fn parse(text: &str, source: &str) -> Result<MapSpec, EnvError> {
        let bad = |line: usize, message: String| EnvError::BadMap {
            source_name: source.to_string(),
            line,
            message,
        };
        let default_name = Path::new(source)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let mut spec = MapSpec {
            name: safe_name(&default_name),
            cells: Vec::new(),
            height: 0,
            width: 0,
            step_reward: 0.0,
            goal_reward: 1.0,
            hole_reward: 0.0,
            cliff_reward: -100.0,
            slippery: false,
            max_steps: None,
        };
        let mut start_line = None;
        for (i, raw) in text.lines().enumerate() {
            let line_no = i + 1;
            let line = raw.trim();
            if line.is_empty() || line.starts_with("//") {
                continue;
            }
            if let Some((key, value)) = line.split_once('=') {
                if spec.height > 0 {
                    return Err(bad(line_no, "settings must come before the grid".into()));
                }
                let (key, value) = (key.trim(), value.trim());
                let number = || {
                    value
                        .parse::<f64>()
                        .ok()
                        .filter(|v| v.is_finite())
                        .ok_or_else(|| {
                            bad(line_no, format!("`{key}` needs a number, got `{value}`"))
                        })
                };
                match key {
                    "name" => spec.name = safe_name(value),
                    "step_reward" => spec.step_reward = number()?,
                    "goal_reward" => spec.goal_reward = number()?,
                    "hole_reward" => spec.hole_reward = number()?,
                    "cliff_reward" => spec.cliff_reward = number()?,
                    "slippery" => {
                        spec.slippery = value.parse().map_err(|_| {
                            bad(
                                line_no,
                                format!("`slippery` needs true or false, got `{value}`"),
                            )
                        })?
                    }
                    "max_steps" => {
                        let n: usize = value.parse().map_err(|_| {
                            bad(
                                line_no,
                                format!("`max_steps` needs a whole number, got `{value}`"),
                            )
                        })?;
                        spec.max_steps = (n > 0).then_some(n);
                    }
                    _ => return Err(bad(line_no, format!("unknown setting `{key}`"))),
                }
                continue;
            }
            let row: Vec<char> = line.chars().collect();
            if spec.height == 0 {
                spec.width = row.len();
            } else if row.len() != spec.width {
                return Err(bad(
                    line_no,
                    format!(
                        "ragged row: {} cells where the first row has {}",
                        row.len(),
                        spec.width
                    ),
                ));
            }
            for (col, &c) in row.iter().enumerate() {
                let cell = Cell::from_char(c).ok_or_else(|| {
                    bad(
                        line_no,
                        format!(
                            "unknown character `{c}` in column {} (use S G H C # . F)",
                            col + 1
                        ),
                    )
                })?;
                if cell == Cell::Start {
                    if let Some(first) = start_line {
                        return Err(bad(
                            line_no,
                            format!("a second start `S` (the first is on line {first})"),
                        ));
                    }
                    start_line = Some(line_no);
                }
                spec.cells.push(cell);
            }
            spec.height += 1;
        }
        if spec.height == 0 {
            return Err(bad(
                text.lines().count().max(1),
                "the map has no grid rows".into(),
            ));
        }
        let Some(start_line) = start_line else {
            return Err(bad(
                text.lines().count().max(1),
                "the map has no start cell `S`".into(),
            ));
        };
        if spec.width > MAX_SIDE || spec.height > MAX_SIDE {
            return Err(bad(
                text.lines().count().max(1),
                format!(
                    "the grid is {}×{}; maps are limited to {MAX_SIDE}×{MAX_SIDE} cells",
                    spec.height, spec.width
                ),
            ));
        }
        if !spec.cells.contains(&Cell::Goal) {
            return Err(bad(
                text.lines().count().max(1),
                "the map has no goal `G`: no episode could ever succeed".into(),
            ));
        }
        if !spec.goal_reachable() {
            return Err(bad(
                start_line,
                "no goal `G` can be reached from the start `S` (walls `#`, holes `H` and \
                 cliffs `C` cut every path)"
                    .into(),
            ));
        }
        Ok(spec)
    }

    /// Checks a map assembled field by field: a `width × height` grid (each side 1 to
    /// [`MAX_SIDE`]) with exactly one start, finite rewards and a goal reachable from the start.
    /// [`MapSpec::parse`] and the built-in maps always pass; [`GridWorld::new`] calls this.
    pub fn check(&self) -> Result<(), EnvError> {
        let bad = |message: String| EnvError::BadMap {
            source_name: self.name.clone(),
            line: 1,
            message,
        };
        if self.width == 0 || self.height == 0 || self.width > MAX_SIDE || self.height > MAX_SIDE {
            return Err(bad(format!(
                "the grid is {}×{}; each side must lie in 1..={MAX_SIDE}",
                self.height, self.width
            )));
        }
        if self.cells.len() != self.width * self.height {
            return Err(bad(format!(
                "{} cells for a {}×{} grid",
                self.cells.len(),
                self.height,
                self.width
            )));
        }
        let starts = self.cells.iter().filter(|&&c| c == Cell::Start).count();
        if starts != 1 {
            return Err(bad(format!(
                "{starts} start cells `S`; a map has exactly one"
            )));
        }
        let rewards = [
            self.step_reward,
            self.goal_reward,
            self.hole_reward,
            self.cliff_reward,
        ];
        if rewards.iter().any(|r| !r.is_finite()) {
            return Err(bad(format!("rewards must be finite, got {rewards:?}")));
        }
        if !self.goal_reachable() {
            return Err(bad("no goal `G` can be reached from the start `S`".into()));
        }
        Ok(())
    }

    /// Whether some goal can be reached from the start through floor cells (breadth-first
    /// search; holes end the episode and cliffs send the agent back, so neither is a path).
    fn goal_reachable(&self) -> bool {
        let Some(start) = self.cells.iter().position(|&c| c == Cell::Start) else {
            return false;
        };
        let mut seen = vec![false; self.cells.len()];
        let mut queue = std::collections::VecDeque::from([start]);
        seen[start] = true;
        while let Some(i) = queue.pop_front() {
            if self.cells[i] == Cell::Goal {
                return true;
            }
            let (r, c) = ((i / self.width) as isize, (i % self.width) as isize);
            for (dr, dc) in [(0, -1), (1, 0), (0, 1), (-1, 0)] {
                let (nr, nc) = (r + dr, c + dc);
                if nr < 0 || nc < 0 || nr >= self.height as isize || nc >= self.width as isize {
                    continue;
                }
                let j = nr as usize * self.width + nc as usize;
                if !seen[j] && matches!(self.cells[j], Cell::Floor | Cell::Start | Cell::Goal) {
                    seen[j] = true;
                    queue.push_back(j);
                }
            }
        }
        false
    }

    /// Reads a map file: a regular file (a FIFO or a device is refused before it is opened,
    /// where it could block or never end) of at most [`MAX_MAP_BYTES`].
    pub fn from_file(path: impl AsRef<Path>) -> Result<MapSpec, EnvError> {
        use std::io::Read as _;
        let path = path.as_ref();
        let io = |source: std::io::Error| EnvError::Io {
            path: path.display().to_string(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(io)?;
        if !meta.is_file() {
            return Err(io(std::io::Error::other("not a regular file")));
        }
        let mut text = String::new();
        std::fs::File::open(path)
            .map_err(io)?
            .take(MAX_MAP_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(io)?;
        if text.len() as u64 > MAX_MAP_BYTES {
            return Err(io(std::io::Error::other(format!(
                "larger than the {MAX_MAP_BYTES}-byte limit of a map file"
            ))));
        }
        MapSpec::parse(&text, &path.display().to_string())
    }

    /// FrozenLake-v1 4×4 (`SFFF/FHFH/FFFH/HFFG`), slippery or not, 100-step limit.
    pub fn frozen_lake_4x4(slippery: bool) -> MapSpec {
        let mut spec = Self::builtin(FROZEN4, "frozen_lake_4x4");
        spec.slippery = slippery;
        spec
    }

    /// FrozenLake-v1 8×8, slippery or not, 200-step limit.
    pub fn frozen_lake_8x8(slippery: bool) -> MapSpec {
        let mut spec = Self::builtin(FROZEN8, "frozen_lake_8x8");
        spec.slippery = slippery;
        spec
    }

    /// CliffWalking-v1: 4×12, −1 per step, −100 and back to the start on the cliff.
    pub fn cliff_walking() -> MapSpec {
        Self::builtin(CLIFF, "cliff_walking")
    }

    fn builtin(text: &str, name: &str) -> MapSpec {
        match MapSpec::parse(text, name) {
            Ok(spec) => spec,
            // The built-in maps are checked by the tests; this arm is unreachable.
            Err(e) => unreachable!("built-in map {name} is invalid: {e}"),
        }
    }

    /// The start state index.
    pub fn start(&self) -> usize {
        self.cells
            .iter()
            .position(|&c| c == Cell::Start)
            .unwrap_or(0)
    }

    /// The cell at a state index.
    pub fn cell(&self, state: usize) -> Cell {
        self.cells[state]
    }

    /// The state reached by moving `action` from `state`, before any cell effect.
    pub fn moved(&self, state: usize, action: GridAction) -> usize {
        let (r, c) = ((state / self.width) as isize, (state % self.width) as isize);
        let (dr, dc) = action.delta();
        let (nr, nc) = (r + dr, c + dc);
        if nr < 0 || nc < 0 || nr >= self.height as isize || nc >= self.width as isize {
            return state;
        }
        let next = nr as usize * self.width + nc as usize;
        if self.cells[next] == Cell::Wall {
            state
        } else {
            next
        }
    }
}

/// A gridworld environment built from a [`MapSpec`]. Its time limit (if the map has one) is
/// applied inside: the step that reaches it is `truncated`.
#[derive(Debug, Clone)]
pub struct GridWorld {
    spec: MapSpec,
    state: usize,
    elapsed: usize,
    done: bool,
    rng: Xoshiro256PlusPlus,
}

impl GridWorld {
    /// An environment for `spec`, seeded with 0; call [`Env::reset`] before stepping. A map
    /// whose public fields disagree is an error ([`MapSpec::check`]).
    pub fn new(spec: MapSpec) -> Result<Self, EnvError> {
        spec.check()?;
        let state = spec.start();
        Ok(Self {
            spec,
            state,
            elapsed: 0,
            done: true,
            rng: Xoshiro256PlusPlus::seed_from_u64(0),
        })
    }

    /// The map.
    pub fn spec(&self) -> &MapSpec {
        &self.spec
    }

    /// The current state index.
    pub fn state(&self) -> usize {
        self.state
    }
}

impl Env for GridWorld {
    type Observation = usize;

    fn observation_space(&self) -> Space {
        Space::Discrete(self.spec.cells.len())
    }

    fn n_actions(&self) -> usize {
        4
    }

    fn reset(&mut self, seed: Option<u64>) -> usize {
        if let Some(seed) = seed {
            self.rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        }
        self.state = self.spec.start();
        self.elapsed = 0;
        self.done = false;
        self.state
    }

    fn step(&mut self, action: usize) -> Result<Step<usize>, EnvError> {
        check_action(action, 4)?;
        if self.done {
            return Err(EnvError::EpisodeOver);
        }
        let intended = GridAction::ALL[action];
        let actual = if self.spec.slippery {
            // Intended direction or one of the two perpendicular ones, 1/3 each.
            let shift = [3usize, 0, 1][self.rng.gen_range(0..3)];
            GridAction::ALL[(action + shift) % 4]
        } else {
            intended
        };
        let next = self.spec.moved(self.state, actual);
        let (reward, terminated, next) = match self.spec.cell(next) {
            Cell::Goal => (self.spec.goal_reward, true, next),
            Cell::Hole => (self.spec.hole_reward, true, next),
            Cell::Cliff => (self.spec.cliff_reward, false, self.spec.start()),
            Cell::Start | Cell::Floor | Cell::Wall => (self.spec.step_reward, false, next),
        };
        self.state = next;
        self.elapsed += 1;
        let truncated = !terminated && self.spec.max_steps.is_some_and(|m| self.elapsed >= m);
        self.done = terminated || truncated;
        Ok(Step {
            observation: next,
            reward,
            terminated,
            truncated,
        })
    }

    fn max_episode_steps(&self) -> Option<usize> {
        self.spec.max_steps
    }

    fn is_success(&self) -> bool {
        self.spec.cell(self.state) == Cell::Goal
    }
}
