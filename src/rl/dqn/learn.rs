//! The learning step, top to bottom: store the (n-step) transition, sample a mini-batch,
//! take a gradient step on the TD error, keep the target network in sync; and the [`Agent`]
//! implementation that drives it.

use learnkit_envs::{Features, Space};
use tch::{Device, Kind, Reduction, Tensor};

use super::config::{Loss, TargetUpdate, MAX_ENV_COPIES};
use super::{argmax, torch_error, Dqn, LearnStats};
use crate::error::{Error, Result};
use crate::rl::agent::{Agent, Transition};
use crate::rl::replay::PriorityTree;

impl<O: Features> Dqn<O> {
    /// One gradient step on a sampled mini-batch; returns (loss, mean Q).
    fn gradient_step(&mut self) -> Result<(f64, f64)> {
        let b = self.config.batch_size;
        let d = self.buffer.obs_dim() as i64;
        match (&self.priorities, self.config.prioritized) {
            (Some(tree), Some(p)) => {
                let progress = (self.step as f64 / p.beta_steps.max(1) as f64).min(1.0);
                let beta = p.beta_start + (1.0 - p.beta_start) * progress;
                self.buffer.sample_prioritized_into(
                    b,
                    tree,
                    beta,
                    &mut self.rng,
                    &mut self.batch,
                )?;
            }
            _ => self.buffer.sample_into(b, &mut self.rng, &mut self.batch)?,
        }
        let dev = self.device;
        let obs = Tensor::from_slice(&self.batch.observations)
            .view([b as i64, d])
            .to_device(dev);
        let next_obs = Tensor::from_slice(&self.batch.next_observations)
            .view([b as i64, d])
            .to_device(dev);
        let actions = Tensor::from_slice(&self.batch.actions)
            .to_device(dev)
            .unsqueeze(1);
        let rewards = Tensor::from_slice(&self.batch.rewards).to_device(dev);
        let not_done = Tensor::from_slice(&self.batch.terminated)
            .to_device(dev)
            .neg()
            + 1.0;

        let q = self
            .arch
            .forward(&self.online, &obs)
            .gather(1, &actions, false)
            .squeeze_dim(1);
        let next_q = tch::no_grad(|| {
            let target_q = self.arch.forward(&self.target, &next_obs);
            if self.config.double_dqn {
                let best = self.arch.forward(&self.online, &next_obs).argmax(1, true);
                target_q.gather(1, &best, false).squeeze_dim(1)
            } else {
                target_q.amax([1i64].as_slice(), false)
            }
        });
        let td_target = if self.config.n_step == 1 {
            rewards + next_q * not_done * self.config.gamma
        } else {
            // n-step transitions: γ to the power of the steps each one spans.
            let gamma = self.config.gamma;
            let discount: Vec<f32> = self
                .batch
                .steps
                .iter()
                .map(|&k| gamma.powi(k as i32) as f32)
                .collect();
            rewards + next_q * not_done * Tensor::from_slice(&discount).to_device(dev)
        };
        let loss = if self.priorities.is_some() {
            // Importance-weighted loss; the new priorities are the absolute TD errors.
            let each = match self.config.loss {
                Loss::Huber => q.smooth_l1_loss(&td_target, Reduction::None, 1.0),
                Loss::Mse => q.mse_loss(&td_target, Reduction::None),
            };
            let weights = Tensor::from_slice(&self.batch.weights).to_device(dev);
            let errors = (&td_target - &q).abs().detach().to_device(Device::Cpu);
            let errors = Vec::<f32>::try_from(&errors).map_err(torch_error)?;
            if let (Some(tree), Some(p)) = (&mut self.priorities, self.config.prioritized) {
                for (&slot, &e) in self.batch.indices.iter().zip(&errors) {
                    tree.set(slot, (f64::from(e) + p.epsilon).powf(p.alpha));
                }
            }
            (each * weights).mean(Kind::Float)
        } else {
            match self.config.loss {
                Loss::Huber => q.smooth_l1_loss(&td_target, Reduction::Mean, 1.0),
                Loss::Mse => q.mse_loss(&td_target, Reduction::Mean),
            }
        };
        self.online.zero_grad();
        loss.backward();
        let grad = self.online.grad();
        tch::no_grad(|| -> Result<()> {
            let mut grad = grad;
            if let Some(max) = self.config.max_grad_norm {
                let norm = f64::try_from(grad.norm()).map_err(torch_error)?;
                if norm > max {
                    let _ = grad.g_mul_scalar_(max / (norm + 1e-6));
                }
            }
            // Adam (Kingma & Ba), on the flat parameter vector.
            self.adam_t += 1;
            crate::neural::adam_step(
                &mut self.online,
                &grad,
                (&mut self.adam_m, &mut self.adam_v),
                self.adam_t as u64,
                self.config.learning_rate,
            );
            if let TargetUpdate::Soft { tau } = self.config.target_update {
                let _ = self.target.g_mul_scalar_(1.0 - tau);
                let _ = self.target.g_add_(&(self.online.detach() * tau));
            }
            Ok(())
        })?;
        self.mirror_stale = true;
        let loss = f64::try_from(&loss).map_err(torch_error)?;
        let mean_q = f64::try_from(q.mean(Kind::Float)).map_err(torch_error)?;
        Ok((loss, mean_q))
    }

    /// n-step returns: queues the transition with the ones before it from the same copy; once
    /// `n_step` are queued the oldest is stored with the discounted sum of their rewards and the
    /// newest next observation. When the episode ends every queued transition is stored, with
    /// the steps left (terminated: no bootstrap; truncated: γ^k bootstrap from the cut state).
    fn store_n_step(&mut self, t: &Transition<'_, O>) -> Result<()> {
        if t.env >= MAX_ENV_COPIES {
            return Err(Error::invalid(
                "transition env",
                t.env,
                format!("must be below {MAX_ENV_COPIES}"),
            ));
        }
        let (n, gamma) = (self.config.n_step, self.config.gamma);
        let queue = self.pending.entry(t.env).or_default();
        let mut features = self.spare.pop().unwrap_or_default();
        features.clone_from(&self.features.0);
        queue.push_back((features, t.action, t.reward));
        let done = t.terminated || t.truncated;
        while queue.len() == n || (done && !queue.is_empty()) {
            let steps = queue.len();
            let ret = queue
                .iter()
                .rev()
                .fold(0.0, |acc, &(_, _, reward)| reward + gamma * acc);
            let (obs, action, _) = queue.pop_front().expect("a queued transition");
            let (terminated, truncated) = if done {
                (t.terminated, t.truncated)
            } else {
                (false, false)
            };
            let slot = self.buffer.push_n(
                &obs,
                action,
                ret,
                &self.features.1,
                terminated,
                truncated,
                steps,
            )?;
            new_priority(&mut self.priorities, slot);
            self.spare.push(obs);
        }
        Ok(())
    }

    fn sync_target(&mut self) {
        tch::no_grad(|| self.target.copy_(&self.online.detach()));
    }
}

/// A new transition in `slot` gets the largest priority so far, so that it is replayed soon.
fn new_priority(tree: &mut Option<PriorityTree>, slot: usize) {
    if let Some(tree) = tree {
        tree.set(slot, tree.max_priority());
    }
}

impl<O: Features> Agent<O> for Dqn<O> {
    fn act(&mut self, observation: &O, explore: bool) -> Result<usize> {
        use rand::Rng as _;
        if explore && self.rng.gen::<f64>() < self.epsilon() {
            // The observation must still be one the network reads.
            observation.write_features(&self.space, &mut self.features.0)?;
            return Ok(self.rng.gen_range(0..self.n_actions().max(1)));
        }
        self.greedy(observation)
    }

    fn act_batch(&mut self, observations: &[O], explore: bool) -> Result<Vec<usize>> {
        use rand::Rng as _;
        let d = self.arch.sizes[0];
        let n_actions = self.n_actions().max(1);
        let epsilon = self.epsilon();
        // The same draws, in the same order, as `act` on each observation in turn.
        let mut actions = vec![None; observations.len()];
        let mut rows = Vec::with_capacity(observations.len() * d);
        for (o, slot) in observations.iter().zip(actions.iter_mut()) {
            o.write_features(&self.space, &mut self.features.0)?;
            if explore && self.rng.gen::<f64>() < epsilon {
                *slot = Some(self.rng.gen_range(0..n_actions));
            } else {
                rows.extend_from_slice(&self.features.0);
            }
        }
        if self.mirror_stale {
            self.refresh_mirror()?;
        }
        let q = self
            .mirror
            .q_values_batch(&self.arch, &rows, rows.len() / d);
        let mut greedy = q.chunks_exact(n_actions).map(argmax);
        actions
            .into_iter()
            .map(|a| {
                a.or_else(|| greedy.next())
                    .ok_or_else(|| Error::Torch("the Q-network returned too few values".into()))
            })
            .collect()
    }

    fn snapshot(&self) -> Result<Option<Vec<f64>>> {
        Ok(Some(
            self.parameters()?.into_iter().map(f64::from).collect(),
        ))
    }

    fn restore(&mut self, snapshot: &[f64]) -> Result<()> {
        let n = self.arch.n_params();
        if snapshot.len() != n {
            return Err(Error::shape(
                "DQN snapshot",
                format!("{n} parameters"),
                snapshot.len(),
            ));
        }
        let values: Vec<f32> = snapshot.iter().map(|&v| v as f32).collect();
        let flat = Tensor::from_slice(&values).to_device(self.device);
        tch::no_grad(|| {
            self.online.copy_(&flat);
            self.target.copy_(&flat);
        });
        self.refresh_mirror()
    }

    fn learn(&mut self, t: &Transition<'_, O>) -> Result<Option<f64>> {
        t.observation
            .write_features(&self.space, &mut self.features.0)?;
        t.next_observation
            .write_features(&self.space, &mut self.features.1)?;
        if self.config.n_step == 1 {
            let slot = self.buffer.push(
                &self.features.0,
                t.action,
                t.reward,
                &self.features.1,
                t.terminated,
                t.truncated,
            )?;
            new_priority(&mut self.priorities, slot);
        } else {
            self.store_n_step(t)?;
        }
        self.step += 1;
        let mut loss = None;
        if self.step >= self.config.learning_starts && self.step % self.config.train_frequency == 0
        {
            let (mut loss_sum, mut q_sum) = (0.0, 0.0);
            for _ in 0..self.config.gradient_steps {
                let (l, q) = self.gradient_step()?;
                loss_sum += l;
                q_sum += q;
            }
            let k = self.config.gradient_steps as f64;
            self.history.push(LearnStats {
                loss: loss_sum / k,
                mean_q: q_sum / k,
                step: self.step,
            });
            loss = Some(loss_sum / k);
        }
        if let TargetUpdate::Hard { every } = self.config.target_update {
            if self.step % every == 0 {
                self.sync_target();
            }
        }
        Ok(loss)
    }

    fn epsilon(&self) -> f64 {
        self.config.exploration.value(self.step)
    }

    fn check_env(&self, observation_space: &Space, n_actions: usize) -> Result<()> {
        let (inputs, outputs) = (
            self.arch.sizes.first().copied().unwrap_or(0),
            self.arch.sizes.last().copied().unwrap_or(0),
        );
        if observation_space.feature_len() != inputs || n_actions != outputs {
            return Err(Error::shape(
                "environment for this DQN",
                format!("{inputs} observation features and {outputs} actions"),
                format!(
                    "{} features and {n_actions} actions",
                    observation_space.feature_len()
                ),
            ));
        }
        Ok(())
    }
}
