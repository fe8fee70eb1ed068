//! Taxi-v4, as Gymnasium 1.4 defines it (Dietterich's taxi domain).
//!
//! A taxi on a 5×5 grid with walls picks up a passenger at one of four stands (R, G, Y, B) and
//! drops them at another.
//!
//! ```text
//! +---------+
//! |R: | : :G|
//! | : | : : |
//! | : : : : |
//! | | : | : |
//! |Y| : |B: |
//! +---------+
//! ```
//!
//! * **Actions** (6): south, north, east, west, pick up, drop off.
//! * **Observation**: the state index `((row·5 + col)·5 + passenger)·4 + destination`, 500
//!   states; passenger 0–3 is a stand, 4 is in the taxi.
//! * **Reward**: −1 per step, +20 for delivering, −10 for an illegal pick-up or drop-off.
//!   Dropping the passenger at another stand leaves them there (−1).
//! * **Termination**: the delivery. **Time limit**: 200 steps ([`Taxi::v4`]).
//! * **Start**: uniform over the 300 states with the passenger at a stand other than the
//!   destination.
//! * **Options** ([`TaxiOptions`]): `is_rainy` — a move goes where intended with probability
//!   0.8 and slips to either side with 0.1 each (a blocked move does not slip);
//!   `fickle_passenger` — with probability 0.3 per episode, the passenger changes destination
//!   once, after the first move with them aboard.
//!
//! Random draws are NumPy's, in Gymnasium's order (one `random()` per reset and per step, for
//! the categorical sample over the transition table; one more at reset with a fickle passenger;
//! `choice` of three destinations when they change), so a seed gives Gymnasium's episode.

use crate::np_random::NpRandom;
use crate::{check_action, Env, EnvError, Space, Step, TimeLimit};

const MAP: [&[u8; 11]; 7] = [
    b"+---------+",
    b"|R: | : :G|",
    b"| : | : : |",
    b"| : : : : |",
    b"| | : | : |",
    b"|Y| : |B: |",
    b"+---------+",
];

/// The four stands (row, column): R, G, Y, B.
pub const LOCATIONS: [(usize, usize); 4] = [(0, 0), (0, 4), (4, 0), (4, 3)];
/// Number of states.
pub const N_STATES: usize = 500;
/// Taxi-v4's time limit.
pub const MAX_EPISODE_STEPS: usize = 200;

/// Taxi-v4's options (Gymnasium's keyword arguments).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TaxiOptions {
    /// Moves slip sideways.
    pub is_rainy: bool,
    /// The passenger may change destination once.
    pub fickle_passenger: bool,
    /// Probability of the intended move when rainy (0.8).
    pub rainy_probability: f64,
    /// Probability that the passenger is fickle in an episode (0.3).
    pub fickle_probability: f64,
}

impl Default for TaxiOptions {
    fn default() -> Self {
        Self {
            is_rainy: false,
            fickle_passenger: false,
            rainy_probability: 0.8,
            fickle_probability: 0.3,
        }
    }
}

/// One outcome of an action: probability, next state, reward, terminated.
type Outcome = (f64, usize, f64, bool);

/// The Taxi environment (without a time limit; see [`Taxi::v4`]).
#[derive(Debug, Clone)]
pub struct Taxi {
    options: TaxiOptions,
    /// `transitions[s·6 + a]`: the outcomes, in Gymnasium's order.
    transitions: Vec<Vec<Outcome>>,
    initial: Vec<f64>,
    state: usize,
    fickle_step: bool,
    rng: NpRandom,
    done: bool,
}

/// The state index of (row, column, passenger, destination).
pub fn encode(row: usize, col: usize, passenger: usize, destination: usize) -> usize {
    ((row * 5 + col) * 5 + passenger) * 4 + destination
}

/// (row, column, passenger, destination) of a state index.
pub fn decode(state: usize) -> (usize, usize, usize, usize) {
    let destination = state % 4;
    let passenger = (state / 4) % 5;
    let col = (state / 20) % 5;
    let row = state / 100;
    (row, col, passenger, destination)
}

fn open(row: usize, column: usize) -> bool {
    MAP[row][column] == b':'
}

impl Default for Taxi {
    fn default() -> Self {
        Self::new(TaxiOptions::default())
    }
}

impl Taxi {
    /// A Taxi with `options`, seeded with 0; call [`Env::reset`] before stepping.
    pub fn new(options: TaxiOptions) -> Self {
        let mut transitions = vec![Vec::new(); N_STATES * 6];
        let mut initial = vec![0.0; N_STATES];
        for row in 0..5 {
            for col in 0..5 {
                for pass in 0..5 {
                    for dest in 0..4 {
                        let state = encode(row, col, pass, dest);
                        if pass < 4 && pass != dest {
                            initial[state] += 1.0;
                        }
                        for action in 0..6 {
                            transitions[state * 6 + action] = if options.is_rainy {
                                rainy(&options, row, col, pass, dest, action)
                            } else {
                                vec![dry(row, col, pass, dest, action)]
                            };
                        }
                    }
                }
            }
        }
        let total: f64 = initial.iter().sum();
        initial.iter_mut().for_each(|p| *p /= total);
        Self {
            options,
            transitions,
            initial,
            state: 0,
            fickle_step: false,
            rng: NpRandom::new(0),
            done: true,
        }
    }

    /// Taxi-v4 (default options) with its 200-step time limit.
    pub fn v4() -> TimeLimit<Taxi> {
        TimeLimit::new(Taxi::default(), MAX_EPISODE_STEPS)
    }

    /// Taxi-v4 with `options` and its 200-step time limit.
    pub fn v4_with(options: TaxiOptions) -> TimeLimit<Taxi> {
        TimeLimit::new(Taxi::new(options), MAX_EPISODE_STEPS)
    }

    /// The transition table: for state `s` and action `a`, the outcomes
    /// `(probability, next state, reward, terminated)` (for value iteration).
    pub fn outcomes(&self, state: usize, action: usize) -> &[(f64, usize, f64, bool)] {
        &self.transitions[state * 6 + action]
    }

    /// The start distribution over states.
    pub fn initial_distribution(&self) -> &[f64] {
        &self.initial
    }

    /// Gymnasium's `categorical_sample`: the first index whose running sum exceeds a uniform
    /// draw.
    fn categorical(rng: &mut NpRandom, probabilities: impl Iterator<Item = f64>) -> usize {
        let u = rng.random();
        let mut sum = 0.0;
        for (i, p) in probabilities.enumerate() {
            sum += p;
            if sum > u {
                return i;
            }
        }
        // NumPy's argmax of an all-false array is 0.
        0
    }
}

/// Gymnasium's `_pickup`.
fn pickup(taxi: (usize, usize), pass: usize, reward: f64) -> (usize, f64) {
    if pass < 4 && taxi == LOCATIONS[pass] {
        (4, reward)
    } else {
        (pass, -10.0)
    }
}

/// Gymnasium's `_dropoff`: (passenger, reward, terminated).
fn dropoff(taxi: (usize, usize), pass: usize, dest: usize, reward: f64) -> (usize, f64, bool) {
    if taxi == LOCATIONS[dest] && pass == 4 {
        (dest, 20.0, true)
    } else if pass == 4 {
        match LOCATIONS.iter().position(|&l| l == taxi) {
            Some(stand) => (stand, reward, false),
            None => (pass, -10.0, false),
        }
    } else {
        (pass, -10.0, false)
    }
}

/// Gymnasium's `_build_dry_transitions` for one state and action.
fn dry(row: usize, col: usize, pass: usize, dest: usize, action: usize) -> Outcome {
    let (mut new_row, mut new_col, mut new_pass) = (row, col, pass);
    let (mut reward, mut terminated) = (-1.0, false);
    match action {
        0 => new_row = (row + 1).min(4),
        1 => new_row = row.saturating_sub(1),
        _ => {}
    }
    if action == 2 && open(1 + row, 2 * col + 2) {
        new_col = (col + 1).min(4);
    } else if action == 3 && open(1 + row, 2 * col) {
        new_col = col.saturating_sub(1);
    } else if action == 4 {
        (new_pass, reward) = pickup((row, col), pass, reward);
    } else if action == 5 {
        (new_pass, reward, terminated) = dropoff((row, col), pass, dest, reward);
    }
    (
        1.0,
        encode(new_row, new_col, new_pass, dest),
        reward,
        terminated,
    )
}

/// Gymnasium's `_calc_new_position`: a lateral slip, blocked by walls.
fn slip(row: usize, col: usize, (dr, dc): (isize, isize)) -> (usize, usize) {
    let new_row = (row as isize + dr).clamp(0, 4) as usize;
    let new_col = (col as isize + dc).clamp(0, 4) as usize;
    if dc == 1 && !open(1 + new_row, 2 * new_col) {
        return (row, col);
    }
    if dc == -1 && !open(1 + new_row, 2 * new_col + 2) {
        return (row, col);
    }
    (new_row, new_col)
}

/// Gymnasium's `_build_rainy_transitions` for one state and action.
fn rainy(
    options: &TaxiOptions,
    row: usize,
    col: usize,
    pass: usize,
    dest: usize,
    action: usize,
) -> Vec<Outcome> {
    // (forward, left, right) for south, north, east, west.
    const MOVES: [[(isize, isize); 3]; 4] = [
        [(1, 0), (0, 1), (0, -1)],
        [(-1, 0), (0, -1), (0, 1)],
        [(0, 1), (-1, 0), (1, 0)],
        [(0, -1), (1, 0), (-1, 0)],
    ];
    let (mut left, mut right) = ((row, col), (row, col));
    let (mut new_row, mut new_col, mut new_pass) = (row, col, pass);
    let (mut reward, mut terminated) = (-1.0, false);
    let can_move = (action == 0 && row < 4)
        || (action == 1 && row > 0)
        || (action == 2 && open(1 + row, 2 * col + 2))
        || (action == 3 && open(1 + row, 2 * col));
    if can_move {
        let (dr, dc) = MOVES[action][0];
        new_row = (row as isize + dr).clamp(0, 4) as usize;
        new_col = (col as isize + dc).clamp(0, 4) as usize;
        left = slip(row, col, MOVES[action][1]);
        right = slip(row, col, MOVES[action][2]);
    } else if action == 4 {
        (new_pass, reward) = pickup((row, col), pass, reward);
    } else if action == 5 {
        (new_pass, reward, terminated) = dropoff((row, col), pass, dest, reward);
    }
    let intended = encode(new_row, new_col, new_pass, dest);
    if action <= 3 {
        let lateral = (1.0 - options.rainy_probability) / 2.0;
        vec![
            (options.rainy_probability, intended, -1.0, terminated),
            (
                lateral,
                encode(left.0, left.1, new_pass, dest),
                -1.0,
                terminated,
            ),
            (
                lateral,
                encode(right.0, right.1, new_pass, dest),
                -1.0,
                terminated,
            ),
        ]
    } else {
        vec![(1.0, intended, reward, terminated)]
    }
}

impl Env for Taxi {
    type Observation = usize;

    fn observation_space(&self) -> Space {
        Space::Discrete(N_STATES)
    }

    fn n_actions(&self) -> usize {
        6
    }

    fn reset(&mut self, seed: Option<u64>) -> usize {
        if let Some(seed) = seed {
            self.rng = NpRandom::new(seed);
        }
        self.state = Self::categorical(&mut self.rng, self.initial.iter().copied());
        self.fickle_step =
            self.options.fickle_passenger && self.rng.random() < self.options.fickle_probability;
        self.done = false;
        self.state
    }

    fn step(&mut self, action: usize) -> Result<Step<usize>, EnvError> {
        check_action(action, 6)?;
        if self.done {
            return Err(EnvError::EpisodeOver);
        }
        let outcomes = &self.transitions[self.state * 6 + action];
        let i = Self::categorical(&mut self.rng, outcomes.iter().map(|o| o.0));
        let (_, mut next, reward, terminated) = outcomes[i];
        let (old_row, old_col, old_pass, old_dest) = decode(self.state);
        let (row, col, pass, _) = decode(next);
        if self.options.fickle_passenger
            && self.fickle_step
            && old_pass == 4
            && (row != old_row || col != old_col)
        {
            self.fickle_step = false;
            let others: Vec<usize> = (0..4).filter(|&d| d != old_dest).collect();
            let dest = others[self.rng.integers(others.len() as u64) as usize];
            next = encode(row, col, pass, dest);
        }
        self.state = next;
        self.done = terminated;
        Ok(Step {
            observation: next,
            reward,
            terminated,
            truncated: false,
        })
    }
}
