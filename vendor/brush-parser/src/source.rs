use std::fmt::Display;

/// Represents a position in source text.
#[derive(Clone, Default, Debug)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(
    any(test, feature = "serde"),
    derive(PartialEq, Eq, serde::Serialize, serde::Deserialize)
)]
pub struct SourcePosition {
    // agentops: `u32`, not `usize`: every token and word holds two
    // positions, and halving them shrinks a 2 KB pipeline's syntax tree
    // by a third (fewer fresh pages, less copying). Hook input is far below
    // 4 GiB; positions saturate rather than wrap.
    /// The 0-based index of the character in the input stream.
    pub index: u32,
    /// The 1-based line number.
    pub line: u32,
    /// The 1-based column number.
    pub column: u32,
}

impl Display for SourcePosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_fmt(format_args!("{},{}", self.line, self.column))
    }
}

impl SourcePosition {
    /// Returns a new `SourcePosition` offset by the given `SourcePositionOffset`.
    ///
    /// # Arguments
    ///
    /// * `offset` - The offset to apply.
    #[must_use]
    pub const fn offset(&self, offset: &SourcePositionOffset) -> Self {
        Self {
            index: self.index.saturating_add(offset.index),
            line: self.line.saturating_add(offset.line),
            column: if offset.line == 0 {
                self.column.saturating_add(offset.column)
            } else {
                offset.column.saturating_add(1)
            },
        }
    }
}

#[cfg(feature = "diagnostics")]
impl From<&SourcePosition> for miette::SourceOffset {
    #[allow(clippy::cast_sign_loss)]
    fn from(position: &SourcePosition) -> Self {
        (position.index as usize).into()
    }
}

/// Represents an offset in source text.
#[derive(Clone, Default, Debug)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(
    any(test, feature = "serde"),
    derive(PartialEq, Eq, serde::Serialize, serde::Deserialize)
)]
pub struct SourcePositionOffset {
    /// The 0-based character offset.
    pub index: u32,
    /// The 0-based line offset.
    pub line: u32,
    /// The 0-based column offset.
    pub column: u32,
}

/// Represents a span within source text.
#[derive(Clone, Default, Debug)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(
    any(test, feature = "serde"),
    derive(PartialEq, Eq, serde::Serialize, serde::Deserialize)
)]
pub struct SourceSpan {
    /// The start position.
    // agentops: held by value, not in an `Arc`: two allocations per token
    // cost a hook more than copying 24 bytes when a span is cloned.
    pub start: SourcePosition,
    /// The end position of the span (exclusive).
    pub end: SourcePosition,
}

impl SourceSpan {
    /// Returns the length of the token in characters.
    pub fn length(&self) -> usize {
        self.end.index.saturating_sub(self.start.index) as usize
    }
    pub(crate) fn within(start: &Self, end: &Self) -> Self {
        Self {
            start: start.start.clone(),
            end: end.end.clone(),
        }
    }
}
