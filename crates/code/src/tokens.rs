pub(crate) fn analyse(_l: crate::Language, _c: &str, _d: u8) -> crate::Facts {
    crate::Facts::default()
}
