//! The values a validator needs besides the secret, collected while scanning when validation was asked
//! for ([`crate::Scanner::with_validation_parts`]): the rule regex's other named groups (`capture.NAME`)
//! and the non-secret parts of a multi-part credential found near the secret (`pair.NAME`: a Twilio
//! account SID, an Algolia application id, an Azure tenant). Parts that are secrets of their own (an AWS
//! secret key) are other findings, paired after the scan (`live`).

use regex::bytes::Regex;

use crate::rules::spec::verify::VerifySpec;
use crate::rules::Rule;

/// Most bytes searched on each side of a secret for a nearby part, whatever `within` says: bounds the
/// work one finding can cause (a 50-line window of minified text would otherwise be megabytes).
const MAX_NEAR_BYTES: usize = 8 * 1024;

/// What to collect for one rule.
#[derive(Debug)]
pub(crate) struct RuleParts {
    /// The regex's named groups other than `secret`.
    groups: bool,
    /// `(pair.NAME, regex, lines)`.
    near: Vec<(String, Regex, usize)>,
}

/// [`RuleParts`] by rule index; `None` for rules without a validator that needs parts.
#[derive(Debug, Default)]
pub(crate) struct PartsTable(Vec<Option<RuleParts>>);

impl PartsTable {
    /// Reads every rule's `[rule.verify]` table. A table that does not read (it was checked when the
    /// rule was loaded) or a pair regex that does not compile collects nothing for that part.
    pub fn build(rules: &[Rule]) -> PartsTable {
        PartsTable(
            rules
                .iter()
                .map(|r| {
                    let spec: VerifySpec = toml::from_str(r.verify_text()?).ok()?;
                    let near: Vec<_> = spec
                        .pair
                        .iter()
                        .filter_map(|p| {
                            let re = Regex::new(p.regex.as_deref()?).ok()?;
                            Some((format!("pair.{}", p.name), re, p.within()))
                        })
                        .collect();
                    let groups = r
                        .compiled()
                        .is_ok_and(|c| c.regex.capture_names().flatten().any(|n| n != "secret"));
                    (groups || !near.is_empty()).then_some(RuleParts { groups, near })
                })
                .collect(),
        )
    }

    pub fn get(&self, rule: usize) -> Option<&RuleParts> {
        self.0.get(rule).and_then(Option::as_ref)
    }
}

impl RuleParts {
    /// The parts of the secret at `hay[start..end]`, found by `rule`.
    pub fn collect(
        &self,
        rule: &Rule,
        hay: &[u8],
        start: usize,
        end: usize,
    ) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if self.groups {
            if let Ok(c) = rule.compiled() {
                let from = start.saturating_sub(rule.window()).min(start);
                let to = (end + rule.window()).min(hay.len());
                let mut loc = c.regex.capture_locations();
                let mut pos = from;
                while pos <= start {
                    let Some(m) = c.regex.captures_read_at(&mut loc, &hay[..to], pos) else {
                        break;
                    };
                    if c.secret(&loc) == Some((start, end)) {
                        for (i, name) in c.regex.capture_names().enumerate() {
                            if let (Some(name), Some((s, e))) = (name, loc.get(i)) {
                                if name != "secret" {
                                    out.push((
                                        format!("capture.{name}"),
                                        String::from_utf8_lossy(&hay[s..e]).into_owned(),
                                    ));
                                }
                            }
                        }
                        break;
                    }
                    pos = if m.end() > m.start() {
                        m.start() + 1
                    } else {
                        m.end() + 1
                    };
                }
            }
        }
        for (name, re, lines) in &self.near {
            let (from, to) = around(hay, start, end, *lines);
            let best = re
                .captures_iter(&hay[from..to])
                .filter_map(|caps| {
                    let m = caps.name("value").or_else(|| caps.get(0))?;
                    let (s, e) = (from + m.start(), from + m.end());
                    // Not the secret itself.
                    (e <= start || s >= end).then_some((s, e))
                })
                .min_by_key(|&(s, e)| if e <= start { start - e } else { s - end });
            if let Some((s, e)) = best {
                out.push((
                    name.clone(),
                    String::from_utf8_lossy(&hay[s..e]).into_owned(),
                ));
            }
        }
        out
    }
}

/// The byte range of `lines` lines above `start` and below `end`, at most [`MAX_NEAR_BYTES`] each way.
fn around(hay: &[u8], start: usize, end: usize, lines: usize) -> (usize, usize) {
    let floor = start.saturating_sub(MAX_NEAR_BYTES);
    let mut from = start;
    let mut seen = 0;
    while from > floor {
        if hay[from - 1] == b'\n' {
            if seen == lines {
                break;
            }
            seen += 1;
        }
        from -= 1;
    }
    let ceil = (end + MAX_NEAR_BYTES).min(hay.len());
    let mut to = end;
    let mut seen = 0;
    while to < ceil {
        if hay[to] == b'\n' {
            if seen == lines {
                break;
            }
            seen += 1;
        }
        to += 1;
    }
    (from, to)
}

#[cfg(test)]
mod tests {
    use super::around;

    #[test]
    fn around_counts_lines_each_way() {
        let hay = b"a\nb\nc\nSECRET\nd\ne\nf\n";
        let s = 6;
        let (from, to) = around(hay, s, s + 6, 1);
        assert_eq!(&hay[from..to], b"c\nSECRET\nd");
        let (from, to) = around(hay, s, s + 6, 0);
        assert_eq!(&hay[from..to], b"SECRET");
    }
}
