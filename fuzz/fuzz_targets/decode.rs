//! The decoders (`leakhound_core::fuzzing`): base64, hex and percent decoding of encoded runs, the
//! search for a run's bounds, assignment values, Kubernetes env pairs and a Secret's values, and the
//! encoded forms of markers. The first byte picks the encoding and a position; the rest is the text.
#![no_main]

use base64::Engine as _;
use leakhound_core::fuzzing;
use libfuzzer_sys::fuzz_target;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&sel, hay)) = data.split_first() else {
        return;
    };
    let n = sel % 3;
    let len = hay.len();
    let pos = if len == 0 {
        0
    } else {
        usize::from(sel) * 7919 % (len + 1)
    };

    // Decoding any run: never panics, and never produces more than the run holds.
    if let Some(out) = fuzzing::decode(hay, n) {
        assert!(out.len() >= 8);
        match n {
            0 => assert!(out.len() <= len * 3 / 4 + 3, "{} from {len}", out.len()),
            1 => assert_eq!(out.len(), len / 2),
            _ => assert!(out.len() < len),
        }
    }
    // Round trips: what an encoder writes decodes back to the bytes.
    if len >= 8 {
        let b64 = base64::engine::general_purpose::STANDARD.encode(hay);
        assert_eq!(
            fuzzing::decode(b64.as_bytes(), 0).as_deref(),
            Some(hay),
            "base64 {b64}"
        );
        let url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hay);
        assert_eq!(
            fuzzing::decode(url.as_bytes(), 0).as_deref(),
            Some(hay),
            "base64url {url}"
        );
        let h = hex(hay);
        assert_eq!(
            fuzzing::decode(h.as_bytes(), 1).as_deref(),
            Some(hay),
            "hex {h}"
        );
        let pct: String = hay.iter().map(|b| format!("%{b:02X}")).collect();
        assert_eq!(
            fuzzing::decode(pct.as_bytes(), 2).as_deref(),
            Some(hay),
            "percent {pct}"
        );
    }

    // The run around a hit contains the hit and stays inside the text.
    let s = pos;
    let e = (s + usize::from(sel & 7)).min(len);
    let (lo, hi) = fuzzing::enclosing_run(hay, s, e, n);
    assert!(
        lo <= s && e <= hi && hi <= len,
        "({lo}, {hi}) around ({s}, {e}) in {len}"
    );

    let _ = fuzzing::base64_text_prefix(hay);
    let _ = fuzzing::mostly_text(hay);

    // Assignment values, queried as the matcher queries them (from keyword hits, runs remembered
    // across queries): the same as measured afresh, and inside the text after the query.
    let mut positions: Vec<usize> = (1..=len)
        .filter(|&i| matches!(hay[i - 1], b'=' | b':' | b'd' | b'y'))
        .take(64)
        .collect();
    positions.push(pos);
    if sel & 1 == 1 {
        positions.reverse();
    }
    if sel & 2 == 2 {
        // Interleaved walks, as the prefilter's.
        positions.sort_by_key(|&p| (p % 4, p));
    }
    let remembered = fuzzing::assignment_values(hay, &positions);
    for (&p, got) in positions.iter().zip(&remembered) {
        assert_eq!(
            *got,
            fuzzing::assignment_value(hay, p),
            "assignment value at {p}"
        );
        if let Some((vs, ve, enc)) = *got {
            assert!(p <= vs && vs + 16 <= ve && ve <= len, "{p} {vs} {ve} {len}");
            assert!(enc < 3);
        }
    }
    if let Some((ns, ne, vs, ve)) = fuzzing::name_value_pair(hay, pos) {
        assert!(pos <= ns && ns < ne && ne < vs && vs < ve && ve <= len);
        assert!(!hay[ne..vs].is_empty() && hay[ne..vs].contains(&b'\n'));
    }
    let limit = usize::from(sel);
    let values = fuzzing::document_values(hay, limit);
    assert!(values.len() <= limit);
    for &(a, b) in &values {
        assert!(a + 12 <= b && b <= len);
        assert!(!hay[a..b].contains(&b'\n'));
    }

    // The encoded forms of a marker are found in the marker's own encodings.
    if let Ok(keyword) = std::str::from_utf8(&hay[..len.min(40)]) {
        let (forms, pct) = fuzzing::encoded_forms(keyword);
        let encodings: Vec<String> = (0..3)
            .map(|a| {
                let mut buf = vec![0u8; a];
                buf.extend_from_slice(keyword.as_bytes());
                base64::engine::general_purpose::STANDARD_NO_PAD.encode(&buf)
            })
            .collect();
        for f in &forms {
            assert!(
                encodings.iter().any(|e| e.contains(f.as_str())),
                "{f} for {keyword:?}"
            );
        }
        if let Some(p) = pct {
            // (`%` itself is not escaped: markers have none.)
            if keyword.len() >= 8 && !keyword.contains('%') {
                assert_eq!(
                    fuzzing::decode(p.as_bytes(), 2).as_deref(),
                    Some(keyword.as_bytes())
                );
            }
        }
    }
});
