//! The oracle over a stream of JSON Lines (`cors-harness verdict`): one verdict or error line
//! out per case line in, bad lines reported and skipped.

use std::io::{BufRead, Write};

use crate::case_json::{CaseJson, ErrorLine, VerdictLine};
use crate::profile::BrowserProfile;

/// Judges every line of `input`, writing one JSON line per non-blank input line to `out`.
/// Returns how many lines were bad (not a valid case, or the server script was incomplete).
pub fn judge_lines(
    input: impl BufRead,
    out: &mut impl Write,
    profile: &'static BrowserProfile,
) -> std::io::Result<u64> {
    let mut bad = 0;
    let mut buf = Vec::with_capacity(1024);
    for (index, line) in input.split(b'\n').enumerate() {
        let line = line?;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        buf.clear();
        match judge(&line, profile) {
            Ok(verdict) => serde_json::to_writer(&mut buf, &verdict)?,
            Err((id, error)) => {
                bad += 1;
                serde_json::to_writer(&mut buf, &ErrorLine { id, error, line: index as u64 + 1 })?;
            }
        }
        buf.push(b'\n');
        out.write_all(&buf)?;
    }
    out.flush()?;
    Ok(bad)
}

/// Judges one line.
pub fn judge(line: &[u8], profile: &'static BrowserProfile) -> Result<VerdictLine, (serde_json::Value, String)> {
    let parsed: CaseJson = serde_json::from_slice(line).map_err(|e| {
        // Recover the id of a line that is JSON but not a valid case, so errors can be matched up.
        let id = serde_json::from_slice::<serde_json::Value>(line)
            .ok()
            .and_then(|v| v.get("id").cloned())
            .unwrap_or(serde_json::Value::Null);
        (id, format!("invalid case: {e}"))
    })?;
    let id = parsed.id.clone();
    let case = match parsed.into_case(profile) {
        Ok(case) => case,
        Err(e) => return Err((id, e.0)),
    };
    let verdict = case.evaluate().map_err(|e| (id.clone(), e.to_string()))?;
    Ok(VerdictLine::new(id, &verdict))
}
