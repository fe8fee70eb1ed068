//! Arbitrary text as a gridworld map: an error naming a line, or a map an episode can run on.
#![no_main]

use learnkit_envs::{Env, GridWorld, MapSpec};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|bytes: &[u8]| {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return;
    };
    if let Ok(spec) = MapSpec::parse(text, "fuzz") {
        // A parsed map is a valid one: building its environment must succeed.
        let mut env = GridWorld::new(spec).expect("a parsed map builds a gridworld");
        env.reset(Some(0));
        for action in [0, 1, 2, 3, 1, 1] {
            if env.step(action).map(|s| s.done()).unwrap_or(true) {
                break;
            }
        }
    }
});
