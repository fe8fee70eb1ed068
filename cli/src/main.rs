//! `learnkit`: train a model and keep it, then predict, evaluate and inspect with it.
//!
//! ```text
//! learnkit train forest --data train.csv --target species --test test.csv --save forest.json
//! learnkit predict --model forest.json --data new.csv --output predictions.csv [--proba]
//! learnkit evaluate --model forest.json --data labelled.csv --target species
//! learnkit inspect forest.json [--tree 0]
//! learnkit cv forest --data train.csv --target species --cv 5 --stratified
//! learnkit search tree --data train.csv --target species --grid "max_depth=2,4,none" --save best.json
//! learnkit rl train --algo q-learning --env taxi --save taxi.json
//! learnkit rl play --agent taxi.json --episodes 100 --gif taxi.gif
//! learnkit completions bash > /etc/bash_completion.d/learnkit
//! ```
//!
//! Every failure — bad flags, unreadable or hostile files, a model that does not fit the data —
//! ends with one line on stderr, `error: …`, and exit status 2, leaving no partial output.

mod commands;
mod model;
mod rl;
mod select;
mod table;

use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

/// Train, save, predict, evaluate and inspect learnkit models.
#[derive(Parser, Debug)]
#[command(name = "learnkit", version, about, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Fit a model on a CSV, Parquet or Arrow file, score it on held-out data and save it.
    #[command(
        after_help = "Example:\n  learnkit train forest --data train.csv --target y \
                            --test test.csv --save forest.json -p n_estimators=200"
    )]
    Train(commands::TrainArgs),
    /// Predict a CSV, Parquet or Arrow file with a saved model (columns matched by name).
    #[command(
        after_help = "Example:\n  learnkit predict --model forest.json --data new.csv \
                            --output predictions.csv --proba"
    )]
    Predict(commands::PredictArgs),
    /// Score a saved model on labelled data.
    #[command(
        after_help = "Example:\n  learnkit evaluate --model forest.json --data \
                            labelled.csv --target y --out reports/"
    )]
    Evaluate(commands::EvaluateArgs),
    /// Cross-validate one model configuration.
    #[command(
        after_help = "Example:\n  learnkit cv forest --data train.csv --target y --cv 5 \
                            --stratified -p n_estimators=100"
    )]
    Cv(select::SelectArgs),
    /// Search hyper-parameters by cross-validation (grid, halving or random) and save the best.
    #[command(
        after_help = "Example:\n  learnkit search tree --data train.csv --target y \
                            --grid \"max_depth=2,4,8,none;criterion=gini,entropy\" --save best.json"
    )]
    Search(select::SearchArgs),
    /// Describe a saved model: kind, features, classes, sizes, importances.
    #[command(after_help = "Example:\n  learnkit inspect forest.json --tree 0")]
    Inspect(commands::InspectArgs),
    /// Train an agent and keep it, or replay a kept one (`rl train`, `rl play`).
    Rl {
        /// What to do.
        #[command(subcommand)]
        command: rl::RlCommand,
    },
    /// Print a shell completion script.
    #[command(
        after_help = "Example:\n  learnkit completions bash > ~/.local/share/bash-completion/completions/learnkit"
    )]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: Shell,
    },
}

/// Shells with completion scripts.
#[derive(ValueEnum, Debug, Clone, Copy)]
pub enum Shell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
    /// PowerShell.
    Powershell,
    /// Elvish.
    Elvish,
}

fn main() -> ExitCode {
    let cli: Cli = learnkit_cli::parse_args();
    match cli.command {
        Command::Train(args) => commands::train(&args),
        Command::Predict(args) => commands::predict(&args),
        Command::Evaluate(args) => commands::evaluate(&args),
        Command::Inspect(args) => commands::inspect(&args),
        Command::Cv(args) => select::cv(&args),
        Command::Search(args) => select::search(&args),
        Command::Rl { command } => rl::main(&command),
        Command::Completions { shell } => {
            use clap_complete::Shell as S;
            let shell = match shell {
                Shell::Bash => S::Bash,
                Shell::Zsh => S::Zsh,
                Shell::Fish => S::Fish,
                Shell::Powershell => S::PowerShell,
                Shell::Elvish => S::Elvish,
            };
            let mut command = Cli::command();
            let mut out = std::io::stdout();
            clap_complete::generate(shell, &mut command, "learnkit", &mut out);
            ExitCode::SUCCESS
        }
    }
}
