//! Trigger cases for the supply_chain policies.

#[allow(unused_imports)]
use super::{t, Trigger};

pub fn cases() -> Vec<Trigger> {
    vec![]
}
