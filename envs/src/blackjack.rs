//! Blackjack-v1, as Gymnasium 1.4 registers it (Sutton & Barto's Example 5.1).
//!
//! Cards come from an infinite deck (ace = 1, 2–9, and four ten-valued ranks). The player
//! sees their sum, the dealer's face-up card and whether they hold a usable ace (an ace
//! counted as 11 without busting), and hits or sticks. After a stick the dealer draws to 17
//! or more.
//!
//! * **Actions** (2): stick (0), hit (1).
//! * **Observation**: `(player sum, dealer card, usable ace)` flattened to one index,
//!   [`encode`]`(sum, card, ace) = (sum·11 + card)·2 + ace` over Gymnasium's
//!   `Tuple(Discrete(32), Discrete(11), Discrete(2))` (704 states); [`decode`] reverses it.
//! * **Reward**: +1 win, −1 loss, 0 draw, when the episode ends (a bust or a stick).
//!   With `sab` (the default, as registered) a natural (ace and ten) wins +1 unless the dealer
//!   also has one; without `sab`, `natural` pays 1.5 for a winning natural.
//! * No time limit.
//!
//! Draws are NumPy's, in Gymnasium's order: `choice` of the 13 cards for each card, and at
//! reset also `choice` of the four suits and, when the dealer shows a ten, of J, Q or K (for
//! rendering, but they move the stream), so a seed deals Gymnasium's hands.

use crate::np_random::NpRandom;
use crate::{check_action, Env, EnvError, Space, Step};

const DECK: [usize; 13] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 10, 10, 10];
/// Number of (flattened) observations.
pub const N_STATES: usize = 32 * 11 * 2;

/// The observation index of (player sum, dealer card, usable ace).
pub fn encode(player_sum: usize, dealer_card: usize, usable_ace: bool) -> usize {
    (player_sum * 11 + dealer_card) * 2 + usize::from(usable_ace)
}

/// (player sum, dealer card, usable ace) of an observation index.
pub fn decode(state: usize) -> (usize, usize, bool) {
    (state / 22, (state / 2) % 11, state % 2 == 1)
}

fn usable_ace(hand: &[usize]) -> bool {
    hand.contains(&1) && hand.iter().sum::<usize>() + 10 <= 21
}

/// A hand's total, an ace counting 11 when that does not bust.
pub fn hand_sum(hand: &[usize]) -> usize {
    hand.iter().sum::<usize>() + if usable_ace(hand) { 10 } else { 0 }
}

fn score(hand: &[usize]) -> usize {
    let s = hand_sum(hand);
    if s > 21 {
        0
    } else {
        s
    }
}

fn is_natural(hand: &[usize]) -> bool {
    hand.len() == 2 && hand.contains(&1) && hand.contains(&10)
}

/// The Blackjack environment.
#[derive(Debug, Clone)]
pub struct Blackjack {
    sab: bool,
    natural: bool,
    player: Vec<usize>,
    dealer: Vec<usize>,
    rng: NpRandom,
    done: bool,
}

impl Default for Blackjack {
    fn default() -> Self {
        Self::v1()
    }
}

impl Blackjack {
    /// Blackjack-v1 as registered: `sab = true`, `natural = false`.
    pub fn v1() -> Self {
        Self::new(true, false)
    }

    /// Blackjack with Gymnasium's `sab` and `natural` options (`sab` overrides `natural`).
    pub fn new(sab: bool, natural: bool) -> Self {
        Self {
            sab,
            natural,
            player: Vec::new(),
            dealer: Vec::new(),
            rng: NpRandom::new(0),
            done: true,
        }
    }

    /// The player's and the dealer's cards.
    pub fn hands(&self) -> (&[usize], &[usize]) {
        (&self.player, &self.dealer)
    }

    fn draw(&mut self) -> usize {
        DECK[self.rng.integers(13) as usize]
    }

    fn observation(&self) -> usize {
        encode(
            hand_sum(&self.player),
            self.dealer[0],
            usable_ace(&self.player),
        )
    }
}

impl Env for Blackjack {
    type Observation = usize;

    fn observation_space(&self) -> Space {
        Space::Discrete(N_STATES)
    }

    fn n_actions(&self) -> usize {
        2
    }

    fn reset(&mut self, seed: Option<u64>) -> usize {
        if let Some(seed) = seed {
            self.rng = NpRandom::new(seed);
        }
        self.dealer = vec![self.draw(), self.draw()];
        self.player = vec![self.draw(), self.draw()];
        // The face-up card's suit, and its rank when it is worth ten (drawn for rendering).
        self.rng.integers(4);
        if self.dealer[0] == 10 {
            self.rng.integers(3);
        }
        self.done = false;
        self.observation()
    }

    fn step(&mut self, action: usize) -> Result<Step<usize>, EnvError> {
        check_action(action, 2)?;
        if self.done {
            return Err(EnvError::EpisodeOver);
        }
        let (reward, terminated) = if action == 1 {
            let card = self.draw();
            self.player.push(card);
            if hand_sum(&self.player) > 21 {
                (-1.0, true)
            } else {
                (0.0, false)
            }
        } else {
            while hand_sum(&self.dealer) < 17 {
                let card = self.draw();
                self.dealer.push(card);
            }
            let (p, d) = (score(&self.player), score(&self.dealer));
            let mut reward = if p > d {
                1.0
            } else if p < d {
                -1.0
            } else {
                0.0
            };
            if self.sab && is_natural(&self.player) && !is_natural(&self.dealer) {
                reward = 1.0;
            } else if !self.sab && self.natural && is_natural(&self.player) && reward == 1.0 {
                reward = 1.5;
            }
            (reward, true)
        };
        self.done = terminated;
        Ok(Step {
            observation: self.observation(),
            reward,
            terminated,
            truncated: false,
        })
    }
}
