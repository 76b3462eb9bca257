//! Trigger cases for the workflow policies.

#[allow(unused_imports)]
use super::{t, Trigger};

pub fn cases() -> Vec<Trigger> {
    vec![]
}
