//! A small SVG chart renderer (line and bar charts) for the HTML report.
//!
//! Our own rather than a plotting crate: the report needs two chart shapes (series over dates, and a
//! histogram of fixed buckets), inline in the page, styled by the page's CSS (so light and dark mode and
//! print follow it), with an accessible name and a `<title>` tooltip on every data point, and no
//! script. That is about 400 lines here against a dependency tree that draws to files or canvases.
//!
//! Every data point is an element of class `pt` (a circle on a line, a rect for a bar), so a test in a
//! browser can count what was drawn. Colours are classes `s0`, `s1`, … that the page's CSS maps to
//! its palette. Numbers are formatted the same in every locale; a chart without data says so instead
//! of drawing empty axes. Nothing here divides by zero or panics on odd input: non-finite values are
//! dropped, and a single point gets a padded axis.

use std::fmt::Write as _;

use crate::Date;

use super::format::{esc, num};

/// How a series is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A line through the points, each point marked.
    Line,
    /// A bar per point, side by side with the other bar series.
    Bar,
}

/// One series of a [`TimeChart`]: `(x, y)` with x in days since 1970-01-01 (fractions are times of day).
#[derive(Debug, Clone)]
pub(crate) struct Series {
    /// Its name, in the legend and the tooltips.
    pub name: String,
    /// Line or bars.
    pub kind: Kind,
    /// Its colour: class `s{color}`, which the page's CSS maps to its palette.
    pub color: usize,
    /// The points, in any order (lines are drawn in x order).
    pub points: Vec<(f64, f64)>,
}

/// Series over dates, with a dated x axis.
#[derive(Debug, Clone)]
pub(crate) struct TimeChart<'a> {
    /// A prefix for the SVG's element ids, unique in the page.
    pub id: &'a str,
    /// The accessible name (the figure's caption says it for sighted readers).
    pub title: &'a str,
    /// What y counts (`credentials`, `%`), over the axis.
    pub y_label: &'a str,
    /// A fixed top of the y axis (100 for percentages); else from the data.
    pub y_max: Option<f64>,
    /// Appended to y tick labels (`%`).
    pub y_suffix: &'a str,
    /// Size in SVG units (the page scales it to the column's width).
    pub width: f64,
    /// Height in SVG units.
    pub height: f64,
    /// The series, drawn in this order (bars first, then lines).
    pub series: Vec<Series>,
}

/// A bar per category, in order (the histograms).
#[derive(Debug, Clone)]
pub(crate) struct BarChart<'a> {
    /// A prefix for the SVG's element ids, unique in the page.
    pub id: &'a str,
    /// The accessible name.
    pub title: &'a str,
    /// What the categories are (`days`), under the axis.
    pub x_label: &'a str,
    /// What y counts, over the axis.
    pub y_label: &'a str,
    /// Size in SVG units.
    pub width: f64,
    /// Height in SVG units.
    pub height: f64,
    /// The bars' colour (class `s{color}`).
    pub color: usize,
    /// `(label, value)` per bar.
    pub bars: Vec<(String, f64)>,
}

const LEFT: f64 = 52.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 40.0;
/// Average advance of a tick label's character at the page's chart font size, for spacing labels.
const CHAR_WIDTH: f64 = 6.6;

/// The plot area inside the margins.
struct Frame {
    width: f64,
    height: f64,
    x0: f64,
    x1: f64,
    y0: f64,
    y1: f64,
}

impl Frame {
    fn new(width: f64, height: f64) -> Frame {
        // Sizes come from our own callers; still, keep a usable plot area whatever they say.
        let width = width.max(LEFT + RIGHT + 100.0);
        let height = height.max(TOP + BOTTOM + 60.0);
        Frame {
            width,
            height,
            x0: LEFT,
            x1: width - RIGHT,
            y0: height - BOTTOM,
            y1: TOP,
        }
    }

    fn plot_width(&self) -> f64 {
        self.x1 - self.x0
    }
}

/// The y scale: 0 to `top`, ticks every `step`.
struct YScale {
    top: f64,
    step: f64,
}

impl YScale {
    /// About five round ticks (1, 2 or 5 × 10ⁿ, whole numbers) covering `max`.
    fn nice(max: f64) -> YScale {
        let max = if max.is_finite() && max > 0.0 {
            max
        } else {
            1.0
        };
        let raw = max / 5.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * magnitude)
            .find(|s| max / s <= 7.0)
            .unwrap_or(10.0 * magnitude)
            .max(1.0);
        YScale {
            top: (max / step).ceil() * step,
            step,
        }
    }

    fn fixed(top: f64) -> YScale {
        let top = if top.is_finite() && top > 0.0 {
            top
        } else {
            1.0
        };
        YScale {
            top,
            step: YScale::nice(top).step,
        }
    }

    fn ticks(&self) -> impl Iterator<Item = f64> + '_ {
        // `top / step` is at most about 10 by construction.
        (0..=((self.top / self.step).round() as usize)).map(move |i| i as f64 * self.step)
    }

    fn y(&self, frame: &Frame, v: f64) -> f64 {
        frame.y0 - (v.clamp(0.0, self.top) / self.top) * (frame.y0 - frame.y1)
    }
}

/// Series over dates as an SVG element.
pub(crate) fn time_chart(chart: &TimeChart<'_>) -> String {
    let series: Vec<Series> = chart
        .series
        .iter()
        .map(|s| {
            let mut points: Vec<(f64, f64)> = s
                .points
                .iter()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
                .collect();
            points.sort_by(|a, b| a.0.total_cmp(&b.0));
            Series {
                name: s.name.clone(),
                kind: s.kind,
                color: s.color,
                points,
            }
        })
        .collect();
    let xs = || series.iter().flat_map(|s| s.points.iter().map(|p| p.0));
    let (Some(min), Some(max)) = (xs().min_by(f64::total_cmp), xs().max_by(f64::total_cmp)) else {
        return empty(chart.id, chart.title, chart.width, chart.height);
    };
    let frame = Frame::new(chart.width, chart.height);

    // Bars need a slot each: the smallest gap between two dates, a week when there is one date.
    let bar_series = series.iter().filter(|s| s.kind == Kind::Bar).count();
    let mut distinct: Vec<f64> = xs().collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let gap = distinct
        .windows(2)
        .map(|w| w[1] - w[0])
        .filter(|g| *g > 0.0)
        .min_by(f64::total_cmp)
        .unwrap_or(7.0);
    let (mut lo, mut hi) = (min, max);
    if hi - lo < 1.0 {
        // One day: three days either side, so the point sits in the middle of a daily axis.
        lo -= 3.0;
        hi += 3.0;
    } else if bar_series > 0 {
        lo -= gap / 2.0;
        hi += gap / 2.0;
    } else {
        let pad = (hi - lo) * 0.01;
        lo -= pad;
        hi += pad;
    }
    let x = |d: f64| frame.x0 + (d - lo) / (hi - lo) * frame.plot_width();
    let values = |kind: Kind| {
        series
            .iter()
            .filter(move |s| s.kind == kind)
            .flat_map(|s| s.points.iter().map(|p| p.1))
    };
    let cut = outlier_cut(values(Kind::Bar).collect());
    let data_max = values(Kind::Line)
        .fold(0.0, f64::max)
        .max(cut.unwrap_or_else(|| values(Kind::Bar).fold(0.0, f64::max)));
    let scale = match chart.y_max {
        Some(top) => YScale::fixed(top.max(data_max)),
        None => YScale::nice(data_max),
    };

    let mut svg = open(
        chart.id,
        chart.title,
        &summary(chart.title, &series, cut.map(|_| scale.top)),
        &frame,
    );
    y_axis(&mut svg, &frame, &scale, chart.y_label, chart.y_suffix);
    for (tick, label) in thin(date_ticks(lo, hi), frame.plot_width()) {
        let tx = x(tick);
        let _ = write!(
            svg,
            r#"<line class="tick" x1="{tx:.1}" y1="{y0:.1}" x2="{tx:.1}" y2="{y2:.1}"/><text class="xl" x="{tx:.1}" y="{ty:.1}" text-anchor="middle">{label}</text>"#,
            y0 = frame.y0,
            y2 = frame.y0 + 4.0,
            ty = frame.y0 + 16.0,
        );
    }
    let _ = write!(
        svg,
        r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">date (UTC)</text>"#,
        frame.x1,
        frame.height - 6.0
    );
    legend(
        &mut svg,
        &frame,
        series.iter().map(|s| (s.name.as_str(), s.kind, s.color)),
    );

    // Bars first, lines over them.
    let slot = (gap / (hi - lo) * frame.plot_width() * 0.8).clamp(2.0, 40.0);
    let bar_width = slot / bar_series.max(1) as f64;
    let mut bar_index = 0;
    for s in &series {
        if s.kind != Kind::Bar {
            continue;
        }
        let i = s.color;
        let offset = -slot / 2.0 + bar_index as f64 * bar_width;
        bar_index += 1;
        let _ = write!(svg, r#"<g class="bars s{i}">"#);
        let w = (bar_width - 0.5).max(1.0);
        let mut cuts = String::new();
        for &(d, v) in &s.points {
            let top = scale.y(&frame, v);
            let bx = x(d) + offset;
            let _ = write!(
                svg,
                r#"<rect class="pt s{i}" x="{bx:.1}" y="{top:.1}" width="{w:.1}" height="{:.1}"><title>{} · {}: {}</title></rect>"#,
                frame.y0 - top,
                day_label(d),
                esc(&s.name),
                num(v),
            );
            if v > scale.top {
                // A bar taller than the axis: broken near its top and labelled with its value.
                let _ = write!(
                    cuts,
                    r#"<path class="cut" d="M{:.1},{:.1} l{:.1},-4 M{:.1},{:.1} l{:.1},-4"/><text class="val" x="{:.1}" y="{:.1}">{}</text>"#,
                    bx - 1.0,
                    top + 12.0,
                    w + 2.0,
                    bx - 1.0,
                    top + 17.0,
                    w + 2.0,
                    bx + w + 4.0,
                    top + 10.0,
                    num(v),
                );
            }
        }
        svg.push_str("</g>");
        svg.push_str(&cuts);
    }
    for s in &series {
        if s.kind != Kind::Line {
            continue;
        }
        let i = s.color;
        let path: Vec<String> = s
            .points
            .iter()
            .map(|&(d, v)| format!("{:.1},{:.1}", x(d), scale.y(&frame, v)))
            .collect();
        let _ = write!(
            svg,
            r#"<g class="series s{i}"><polyline class="line s{i}" points="{}"/>"#,
            path.join(" ")
        );
        // Markers shrink as points crowd (a year of daily runs is 365 of them).
        let r = if s.points.len() > 120 { 1.6 } else { 3.0 };
        for &(d, v) in &s.points {
            let _ = write!(
                svg,
                r#"<circle class="pt s{i}" cx="{:.1}" cy="{:.1}" r="{r}"><title>{} · {}: {}</title></circle>"#,
                x(d),
                scale.y(&frame, v),
                day_label(d),
                esc(&s.name),
                num(v),
            );
        }
        svg.push_str("</g>");
    }
    svg.push_str("</svg>");
    svg
}

/// A bar per category as an SVG element, each bar labelled with its value.
pub(crate) fn bar_chart(chart: &BarChart<'_>) -> String {
    if chart.bars.is_empty() {
        return empty(chart.id, chart.title, chart.width, chart.height);
    }
    let frame = Frame::new(chart.width, chart.height);
    let value = |v: f64| if v.is_finite() { v.max(0.0) } else { 0.0 };
    let scale = YScale::nice(chart.bars.iter().map(|b| value(b.1)).fold(0.0, f64::max));
    let described: Vec<String> = chart
        .bars
        .iter()
        .map(|(label, v)| format!("{label}: {}", num(value(*v))))
        .collect();
    let mut svg = open(
        chart.id,
        chart.title,
        &format!("{}: {}", chart.title, described.join(", ")),
        &frame,
    );
    y_axis(&mut svg, &frame, &scale, chart.y_label, "");
    let band = frame.plot_width() / chart.bars.len() as f64;
    let width = (band * 0.72).max(1.0);
    let c = chart.color;
    let _ = write!(svg, r#"<g class="bars s{c}">"#);
    for (i, (label, v)) in chart.bars.iter().enumerate() {
        let v = value(*v);
        let cx = frame.x0 + band * (i as f64 + 0.5);
        let top = scale.y(&frame, v);
        let _ = write!(
            svg,
            r#"<rect class="pt s{c}" x="{:.1}" y="{top:.1}" width="{width:.1}" height="{:.1}"><title>{}: {}</title></rect><text class="val" x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text><text class="xl" x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            cx - width / 2.0,
            frame.y0 - top,
            esc(label),
            num(v),
            top - 5.0,
            num(v),
            frame.y0 + 16.0,
            esc(label),
        );
    }
    svg.push_str("</g>");
    let _ = write!(
        svg,
        r#"<text class="axis" x="{:.1}" y="{:.1}" text-anchor="end">{}</text></svg>"#,
        frame.x1,
        frame.height - 6.0,
        esc(chart.x_label)
    );
    svg
}

/// The "no data yet" state: the same box, so the layout does not jump, with a sentence in it.
fn empty(id: &str, title: &str, width: f64, height: f64) -> String {
    let frame = Frame::new(width, height);
    format!(
        r#"<svg class="chart empty" id="{id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0} {h:.0}" role="img" aria-labelledby="{id}-t"><title id="{id}-t">{t}: no data yet</title><rect class="frame" x="0.5" y="0.5" width="{w1:.0}" height="{h1:.0}" rx="6"/><text class="nodata" x="{cx:.1}" y="{cy:.1}" text-anchor="middle">No data yet</text></svg>"#,
        id = esc(id),
        t = esc(title),
        w = frame.width,
        h = frame.height,
        w1 = frame.width - 1.0,
        h1 = frame.height - 1.0,
        cx = frame.width / 2.0,
        cy = frame.height / 2.0,
    )
}

/// The `<svg>` start tag with its accessible name and description.
fn open(id: &str, title: &str, description: &str, frame: &Frame) -> String {
    format!(
        r#"<svg class="chart" id="{id}" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0} {h:.0}" role="img" aria-labelledby="{id}-t {id}-d"><title id="{id}-t">{t}</title><desc id="{id}-d">{d}</desc>"#,
        id = esc(id),
        t = esc(title),
        d = esc(description),
        w = frame.width,
        h = frame.height,
    )
}

/// Horizontal grid lines with their values, and what y counts over the axis.
fn y_axis(svg: &mut String, frame: &Frame, scale: &YScale, label: &str, suffix: &str) {
    for v in scale.ticks() {
        let y = scale.y(frame, v);
        let _ = write!(
            svg,
            r#"<line class="{}" x1="{:.1}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}"/><text class="yl" x="{:.1}" y="{:.1}" text-anchor="end">{}{}</text>"#,
            if v == 0.0 { "base" } else { "grid" },
            frame.x0,
            frame.x1,
            frame.x0 - 6.0,
            y + 4.0,
            num(v),
            esc(suffix),
        );
    }
    let _ = write!(
        svg,
        r#"<text class="axis" x="{:.1}" y="{:.1}">{}</text>"#,
        frame.x0 - 44.0,
        frame.y1 - 20.0,
        esc(label)
    );
}

/// The series' names and swatches, right-aligned over the plot.
fn legend<'a>(
    svg: &mut String,
    frame: &Frame,
    items: impl Iterator<Item = (&'a str, Kind, usize)>,
) {
    let items: Vec<(&str, Kind, usize)> = items.collect();
    if items.len() < 2 {
        return;
    }
    let widths: Vec<f64> = items
        .iter()
        .map(|(name, _, _)| 22.0 + name.chars().count() as f64 * CHAR_WIDTH + 16.0)
        .collect();
    let mut lx = frame.x1 - widths.iter().sum::<f64>();
    let ly = frame.y1 - 18.0;
    svg.push_str(r#"<g class="legend">"#);
    for ((name, kind, i), w) in items.into_iter().zip(widths) {
        match kind {
            Kind::Line => {
                let _ = write!(
                    svg,
                    r#"<line class="line s{i}" x1="{:.1}" y1="{ly:.1}" x2="{:.1}" y2="{ly:.1}"/>"#,
                    lx,
                    lx + 16.0
                );
            }
            Kind::Bar => {
                let _ = write!(
                    svg,
                    r#"<rect class="swatch s{i}" x="{:.1}" y="{:.1}" width="12" height="10"/>"#,
                    lx + 2.0,
                    ly - 5.0
                );
            }
        }
        let _ = write!(
            svg,
            r#"<text class="lg" x="{:.1}" y="{:.1}">{}</text>"#,
            lx + 22.0,
            ly + 4.0,
            esc(name)
        );
        lx += w;
    }
    svg.push_str("</g>");
}

/// The accessible description of series over dates: each series' first and last value.
fn summary(title: &str, series: &[Series], cut_at: Option<f64>) -> String {
    let parts: Vec<String> = series
        .iter()
        .filter_map(|s| {
            let first = s.points.first()?;
            let last = s.points.last()?;
            Some(format!(
                "{} {} on {} and {} on {}",
                s.name,
                num(first.1),
                day_label(first.0),
                num(last.1),
                day_label(last.0)
            ))
        })
        .collect();
    let cut = match cut_at {
        Some(top) => format!(" (bars above {} are cut, their values written)", num(top)),
        None => String::new(),
    };
    format!("{title}: {}{cut}", parts.join("; "))
}

/// Where to cut the y axis of a bar chart whose few tallest bars would flatten the rest (a first
/// history scan finds a backlog of 140, later weeks 0 to 6): at 1.5 × the 95th percentile of the
/// non-zero values, when the largest is more than 4 × that. None: draw everything to scale.
fn outlier_cut(mut values: Vec<f64>) -> Option<f64> {
    values.retain(|v| *v > 0.0);
    if values.len() < 5 {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let p95 = values[(values.len() - 1) * 95 / 100];
    let max = values[values.len() - 1];
    (max > 4.0 * p95).then_some(p95 * 1.5)
}

/// The date of a fractional day number.
fn day_label(d: f64) -> String {
    // Finite by the callers' filtering; `as` saturates anyway and `from_days` clamps.
    Date::from_days(d.floor() as i64).to_string()
}

/// Dated ticks between `lo` and `hi` (days): days or weeks over a short span, months over a few
/// years, years beyond; at most about a dozen.
fn date_ticks(lo: f64, hi: f64) -> Vec<(f64, String)> {
    let span = hi - lo;
    let first = lo.ceil() as i64;
    let last = hi.floor() as i64;
    let mut ticks = Vec::new();
    if span <= 75.0 {
        let step = [1, 2, 7, 14]
            .into_iter()
            .find(|s| span / *s as f64 <= 10.0)
            .unwrap_or(14);
        // Weekly ticks fall on Mondays (1970-01-01 was a Thursday).
        let mut d = first;
        if step >= 7 {
            d += (7 - (d + 3).rem_euclid(7)) % 7;
        }
        while d <= last {
            ticks.push((d as f64, Date::from_days(d).to_string()));
            d += step;
        }
        return ticks;
    }
    let start = Date::from_days(first);
    let months = span / 30.44;
    if months <= 12.0 * 8.0 {
        let step = [1, 2, 3, 6, 12]
            .into_iter()
            .find(|s| months / f64::from(*s) <= 12.0)
            .unwrap_or(12);
        let (mut year, mut month) = (start.year(), start.month());
        for _ in 0..200 {
            if (month - 1) % step == 0 {
                let Some(date) = month_start(year, month) else {
                    break;
                };
                let d = date.days();
                if d > last {
                    break;
                }
                if d >= first {
                    let label = if step == 12 {
                        format!("{year:04}")
                    } else {
                        format!("{year:04}-{month:02}")
                    };
                    ticks.push((d as f64, label));
                }
            }
            month += 1;
            if month > 12 {
                month = 1;
                year += 1;
            }
        }
        return ticks;
    }
    let years = span / 365.25;
    let step = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000]
        .into_iter()
        .find(|s| years / f64::from(*s) <= 10.0)
        .unwrap_or(5000);
    let mut year = start.year() + (step - start.year().rem_euclid(step)) % step;
    while let Some(date) = month_start(year, 1) {
        let d = date.days();
        if d > last {
            break;
        }
        if d >= first {
            ticks.push((d as f64, format!("{year:04}")));
        }
        year += step;
    }
    ticks
}

/// The first day of a month, for years the calendar covers.
fn month_start(year: i32, month: u32) -> Option<Date> {
    if !(0..=9999).contains(&year) {
        return None;
    }
    Date::parse(&format!("{year:04}-{month:02}-01"))
}

/// Drops every other tick until the labels fit side by side in `width`.
fn thin(ticks: Vec<(f64, String)>, width: f64) -> Vec<(f64, String)> {
    let longest = ticks.iter().map(|t| t.1.chars().count()).max().unwrap_or(0) as f64;
    let room = (longest * CHAR_WIDTH + 12.0).max(1.0);
    let fits = ((width / room).floor() as usize).max(1);
    let keep_every = ticks.len().div_ceil(fits).max(1);
    ticks
        .into_iter()
        .enumerate()
        .filter(|(i, _)| i % keep_every == 0)
        .map(|(_, t)| t)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> f64 {
        Date::parse(s).expect("a date").days() as f64
    }

    fn chart(series: Vec<Series>) -> String {
        time_chart(&TimeChart {
            id: "c",
            title: "Open credentials",
            y_label: "credentials",
            y_max: None,
            y_suffix: "",
            width: 800.0,
            height: 300.0,
            series,
        })
    }

    #[test]
    fn a_line_marks_every_point_and_dates_the_axis() {
        let points: Vec<(f64, f64)> = (0..52)
            .map(|w| (day("2026-01-05") + 7.0 * w as f64, w as f64))
            .collect();
        let svg = chart(vec![Series {
            name: "open".into(),
            kind: Kind::Line,
            color: 0,
            points,
        }]);
        assert_eq!(svg.matches(r#"<circle class="pt"#).count(), 52);
        assert!(svg.contains(">2026-03<"), "{svg}");
        assert!(svg.contains(r#"role="img""#));
        assert!(svg.contains("<title id=\"c-t\">Open credentials</title>"));
        assert!(svg.contains("open 0 on 2026-01-05 and 51 on 2026-12-28"));
    }

    #[test]
    fn buckets_are_drawn_as_as_many_bars() {
        let bars: Vec<(String, f64)> = ["0–1 d", "2–7 d", "8–30 d", "31–90 d", "91–365 d", "> 1 y"]
            .iter()
            .enumerate()
            .map(|(i, l)| (l.to_string(), i as f64))
            .collect();
        let svg = bar_chart(&BarChart {
            id: "h",
            title: "Exposure age",
            x_label: "days",
            y_label: "credentials",
            width: 600.0,
            height: 260.0,
            color: 0,
            bars,
        });
        assert_eq!(svg.matches(r#"<rect class="pt"#).count(), 6);
        assert!(svg.contains("&gt; 1 y"), "labels are escaped: {svg}");
    }

    #[test]
    fn no_data_is_said_not_drawn() {
        let svg = chart(vec![Series {
            name: "open".into(),
            kind: Kind::Line,
            color: 0,
            points: vec![(f64::NAN, 1.0)],
        }]);
        assert!(svg.contains("No data yet"));
        assert!(!svg.contains("class=\"pt"));
        let svg = bar_chart(&BarChart {
            id: "h",
            title: "t",
            x_label: "",
            y_label: "",
            width: 0.0,
            height: 0.0,
            color: 0,
            bars: vec![],
        });
        assert!(svg.contains("No data yet"));
    }

    #[test]
    fn one_point_and_zero_values_still_draw() {
        let svg = chart(vec![
            Series {
                name: "new".into(),
                kind: Kind::Bar,
                color: 2,
                points: vec![(day("2026-06-01"), 0.0)],
            },
            Series {
                name: "open".into(),
                kind: Kind::Line,
                color: 0,
                points: vec![(day("2026-06-01"), 0.0)],
            },
        ]);
        assert_eq!(svg.matches("class=\"pt").count(), 2);
        assert!(!svg.contains("NaN") && !svg.contains("inf"), "{svg}");
        assert!(svg.contains(">2026-06-01<"), "{svg}");
    }

    #[test]
    fn y_ticks_are_round() {
        let s = YScale::nice(137.0);
        assert_eq!((s.top, s.step), (140.0, 20.0));
        let s = YScale::nice(3.0);
        assert_eq!((s.top, s.step), (3.0, 1.0));
        let s = YScale::nice(0.0);
        assert_eq!((s.top, s.step), (1.0, 1.0));
        let s = YScale::fixed(100.0);
        assert_eq!((s.top, s.step), (100.0, 20.0));
    }

    #[test]
    fn date_ticks_suit_the_span() {
        let weekly = date_ticks(day("2026-01-01"), day("2026-02-10"));
        assert!(weekly.iter().all(|t| t.1.len() == 10));
        assert_eq!(weekly[0].1, "2026-01-05", "a Monday");
        let monthly = date_ticks(day("2026-01-01"), day("2026-12-31"));
        assert_eq!(monthly.len(), 12);
        let yearly = date_ticks(day("1990-01-01"), day("2026-12-31"));
        assert!(yearly.len() <= 10 && yearly.iter().all(|t| t.1.len() == 4));
        let huge = date_ticks(day("0001-01-01"), day("9999-12-31"));
        assert!(huge.len() <= 12);
    }
}
