//! Base64 and hex decoding for encoded programs (`b64decode('…')`,
//! `Buffer.from('…', 'base64')`, `pwsh -EncodedCommand`).

/// Decode standard or URL-safe base64 (padding optional, whitespace
/// ignored). `None` when the text is not base64.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    let mut seen = 0usize;
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        seen += 1;
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    (seen > 0).then_some(out)
}

/// Decode hex text (`bytes.fromhex`, `Buffer.from(…, 'hex')`).
pub(crate) fn decode_hex(text: &str) -> Option<Vec<u8>> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    let val = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    digits
        .chunks(2)
        .map(|p| Some(val(p[0])? << 4 | val(p[1])?))
        .collect()
}

/// Text from decoded bytes, when they are UTF-8 (lossily otherwise).
pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The script of `pwsh -EncodedCommand BASE64`: base64 of UTF-16LE text.
pub fn decode_powershell(b64: &str) -> Option<String> {
    let bytes = decode(b64)?;
    let units: Vec<u16> = bytes
        .chunks(2)
        .map(|p| u16::from(p[0]) | (u16::from(*p.get(1).unwrap_or(&0)) << 8))
        .collect();
    Some(String::from_utf16_lossy(&units))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes() {
        assert_eq!(decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(decode("not base64!"), None);
        assert_eq!(decode_hex("6869").as_deref(), Some(&b"hi"[..]));
        assert_eq!(
            decode_powershell(
                "UgBlAG0AbwB2AGUALQBJAHQAZQBtACAALQBSAGUAYwB1AHIAcwBlACAAJABIAE8ATQBFAA=="
            )
            .as_deref(),
            Some("Remove-Item -Recurse $HOME")
        );
    }
}
