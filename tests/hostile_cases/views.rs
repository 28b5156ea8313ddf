use super::*;

pub fn cases() -> Vec<Case> {
    Vec::new()
}
