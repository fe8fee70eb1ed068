//! Exact answers for the tabular benchmarks, by dynamic programming on the environments' own
//! rules: what the best possible policy earns, so a learnt policy can be measured against it.
//!
//! * [`value_iteration`] on any finite transition table (Taxi's [`learnkit_envs::Taxi::outcomes`]).
//! * [`blackjack`] — the optimal policy of Blackjack-v1 (infinite deck, dealer stands on 17) and
//!   its expected return per hand, and [`blackjack_policy_return`] for any other policy.

use learnkit_envs::blackjack::{encode, N_STATES};
use learnkit_envs::taxi::N_STATES as N_STATES_TAXI;
use learnkit_envs::{Taxi, TaxiOptions};

/// Optimal state values and a greedy policy of a finite MDP, by value iteration: `outcomes(s, a)`
/// lists `(probability, next state, reward, terminated)`; sweeps until no value moves by more
/// than `tol` (at most `max_sweeps`).
pub fn value_iteration<'a>(
    n_states: usize,
    n_actions: usize,
    outcomes: impl Fn(usize, usize) -> &'a [(f64, usize, f64, bool)],
    gamma: f64,
    tol: f64,
    max_sweeps: usize,
) -> (Vec<f64>, Vec<usize>) {
    let mut v = vec![0.0; n_states];
    let q = |v: &[f64], s: usize, a: usize| -> f64 {
        outcomes(s, a)
            .iter()
            .map(|&(p, s2, r, done)| p * (r + if done { 0.0 } else { gamma * v[s2] }))
            .sum()
    };
    for _ in 0..max_sweeps {
        let mut delta: f64 = 0.0;
        for s in 0..n_states {
            let best = (0..n_actions)
                .map(|a| q(&v, s, a))
                .fold(f64::NEG_INFINITY, f64::max);
            delta = delta.max((best - v[s]).abs());
            v[s] = best;
        }
        if delta < tol {
            break;
        }
    }
    let policy = (0..n_states)
        .map(|s| {
            (0..n_actions)
                .map(|a| (a, q(&v, s, a)))
                .fold(
                    (0, f64::NEG_INFINITY),
                    |b, (a, x)| if x > b.1 { (a, x) } else { b },
                )
                .0
        })
        .collect();
    (v, policy)
}

/// The values of a fixed `policy` (iterative policy evaluation on the same table as
/// [`value_iteration`]); at most `max_sweeps` sweeps, so a policy that never ends an episode
/// gets large negative values instead of looping for ever.
pub fn policy_evaluation<'a>(
    n_states: usize,
    outcomes: impl Fn(usize, usize) -> &'a [(f64, usize, f64, bool)],
    policy: impl Fn(usize) -> usize,
    gamma: f64,
    tol: f64,
    max_sweeps: usize,
) -> Vec<f64> {
    let mut v = vec![0.0; n_states];
    for _ in 0..max_sweeps {
        let mut delta: f64 = 0.0;
        for s in 0..n_states {
            let new: f64 = outcomes(s, policy(s))
                .iter()
                .map(|&(p, s2, r, done)| p * (r + if done { 0.0 } else { gamma * v[s2] }))
                .sum();
            delta = delta.max((new - v[s]).abs());
            v[s] = new;
        }
        if delta < tol {
            break;
        }
    }
    v
}

/// The exact expected return per episode of a Taxi `policy` (state → action) from the start
/// distribution (no time limit: a policy that never delivers scores very low).
pub fn taxi_policy_return(options: TaxiOptions, policy: impl Fn(usize) -> usize) -> f64 {
    let taxi = Taxi::new(options);
    let v = policy_evaluation(
        N_STATES_TAXI,
        |s, a| taxi.outcomes(s, a),
        policy,
        1.0,
        1e-12,
        5_000,
    );
    taxi.initial_distribution()
        .iter()
        .zip(&v)
        .map(|(p, v)| p * v)
        .sum()
}

/// The expected (undiscounted) return per episode of the optimal Taxi-v4 policy, from
/// Gymnasium's start distribution: value iteration on the environment's transition table.
pub fn taxi_optimal_return(options: TaxiOptions) -> f64 {
    let taxi = Taxi::new(options);
    let (v, _) = value_iteration(
        N_STATES_TAXI,
        6,
        |s, a| taxi.outcomes(s, a),
        1.0,
        1e-12,
        10_000,
    );
    taxi.initial_distribution()
        .iter()
        .zip(&v)
        .map(|(p, v)| p * v)
        .sum()
}

/// Probability of each card value 1–10 (ten-valued ranks four times as likely).
fn card_probability(v: usize) -> f64 {
    if v == 10 {
        4.0 / 13.0
    } else {
        1.0 / 13.0
    }
}

/// A hand's total from its sum with aces as 1: an ace counts 11 when that does not bust.
fn effective(raw: usize, ace: bool) -> usize {
    if ace && raw + 10 <= 21 {
        raw + 10
    } else {
        raw
    }
}

/// The dealer's final total given the face-up card: probabilities of 17, 18, 19, 20, 21 and a
/// bust (index 5), the hidden card drawn like any other.
fn dealer_outcomes(card: usize) -> [f64; 6] {
    fn from(raw: usize, ace: bool, p: f64, out: &mut [f64; 6]) {
        let total = effective(raw, ace);
        if raw > 21 {
            out[5] += p;
        } else if total >= 17 {
            out[total - 17] += p;
        } else {
            for v in 1..=10 {
                from(raw + v, ace || v == 1, p * card_probability(v), out);
            }
        }
    }
    let mut out = [0.0; 6];
    for hidden in 1..=10 {
        from(
            card + hidden,
            card == 1 || hidden == 1,
            card_probability(hidden),
            &mut out,
        );
    }
    out
}

/// Blackjack's rules for the planner: Gymnasium's `sab` and `natural` options.
#[derive(Debug, Clone, Copy)]
struct Rules {
    sab: bool,
    natural: bool,
}

impl Rules {
    /// The expected reward of sticking on `total` against face-up `card`; `natural`: the
    /// player's first two cards are an ace and a ten.
    fn stick(self, total: usize, card: usize, natural: bool, dealer: &[f64; 6]) -> f64 {
        let dealer_natural = match card {
            1 => card_probability(10),
            10 => card_probability(1),
            _ => 0.0,
        };
        if natural && self.sab {
            // Sutton & Barto: a natural wins unless the dealer has one too (a draw).
            return 1.0 - dealer_natural;
        }
        let mut value = 0.0;
        for (i, &p) in dealer.iter().enumerate() {
            let dealer_total = if i == 5 { 0 } else { 17 + i };
            value += p * match total.cmp(&dealer_total) {
                std::cmp::Ordering::Greater if natural && self.natural => 1.5,
                std::cmp::Ordering::Greater => 1.0,
                std::cmp::Ordering::Less => -1.0,
                std::cmp::Ordering::Equal => 0.0,
            };
        }
        value
    }

    /// The value of the hand (`raw` total with aces as 1, an ace held or not) under `policy`
    /// (`None`: the best action at every hand).
    fn value(
        self,
        raw: usize,
        ace: bool,
        card: usize,
        natural: bool,
        dealer: &[f64; 6],
        policy: Option<&dyn Fn(usize) -> usize>,
    ) -> f64 {
        let total = effective(raw, ace);
        let stick = self.stick(total, card, natural, dealer);
        let hit = || {
            (1..=10)
                .map(|v| {
                    let (raw2, ace2) = (raw + v, ace || v == 1);
                    let p = card_probability(v);
                    if raw2 > 21 {
                        -p
                    } else {
                        p * self.value(raw2, ace2, card, false, dealer, policy)
                    }
                })
                .sum::<f64>()
        };
        match policy {
            None => stick.max(hit()),
            Some(pi) => {
                let usable = ace && raw + 10 <= 21;
                if pi(encode(total, card, usable)) == 0 {
                    stick
                } else {
                    hit()
                }
            }
        }
    }

    /// The expected return per hand, averaged over every deal.
    fn expected_return(self, policy: Option<&dyn Fn(usize) -> usize>) -> f64 {
        let mut total = 0.0;
        for card in 1..=10 {
            let dealer = dealer_outcomes(card);
            for p1 in 1..=10 {
                for p2 in 1..=10 {
                    let p = card_probability(card) * card_probability(p1) * card_probability(p2);
                    let natural = (p1 == 1 && p2 == 10) || (p1 == 10 && p2 == 1);
                    total +=
                        p * self.value(p1 + p2, p1 == 1 || p2 == 1, card, natural, &dealer, policy);
                }
            }
        }
        total
    }
}

/// The optimal Blackjack-v1 policy (stick 0 / hit 1 for each observation index of
/// [`learnkit_envs::blackjack::encode`]) and its expected return per hand, for Gymnasium's
/// `sab` and `natural` options (Blackjack-v1 registers `sab = true`).
pub fn blackjack(sab: bool, natural: bool) -> (Vec<usize>, f64) {
    let rules = Rules { sab, natural };
    let mut policy = vec![0usize; N_STATES];
    for card in 1..=10 {
        let dealer = dealer_outcomes(card);
        for raw in 2..=21 {
            for ace in [false, true] {
                if ace && raw < 2 {
                    continue;
                }
                let total = effective(raw, ace);
                let usable = ace && raw + 10 <= 21;
                let stick = rules.stick(total, card, false, &dealer);
                let hit = rules.value(raw, ace, card, false, &dealer, None) > stick + 1e-12;
                policy[encode(total, card, usable)] = usize::from(hit);
            }
        }
    }
    (policy, rules.expected_return(None))
}

/// The exact expected return per hand of a Blackjack `policy` (from observation index to
/// action), for Gymnasium's `sab` and `natural` options.
pub fn blackjack_policy_return(policy: &dyn Fn(usize) -> usize, sab: bool, natural: bool) -> f64 {
    Rules { sab, natural }.expected_return(Some(policy))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dealer's final-total distribution sums to 1; with an ace showing it busts least.
    #[test]
    fn dealer_outcomes_are_a_distribution() {
        for card in 1..=10 {
            let d = dealer_outcomes(card);
            assert!((d.iter().sum::<f64>() - 1.0).abs() < 1e-12, "{card}: {d:?}");
        }
        assert!(dealer_outcomes(1)[5] < dealer_outcomes(6)[5]);
    }
}
