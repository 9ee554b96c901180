//! Charts drawn on the server as SVG text: no chart library in the browser bundle, and the
//! picture is there without JavaScript. Labels are escaped; the page inserts the text as
//! markup.

/// Text safe inside SVG markup and attributes.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 16.0;
const BOTTOM: f64 = 40.0;

/// A line chart of `points` (label, value; a missing value breaks nothing, it is skipped)
/// on a y axis from `low` to `high`, titled `title` for screen readers.
pub fn line_chart(title: &str, points: &[(String, Option<f64>)], low: f64, high: f64) -> String {
    let span = if high > low { high - low } else { 1.0 };
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let step = if points.len() > 1 {
        plot_w / (points.len() - 1) as f64
    } else {
        0.0
    };
    let x_of = |i: usize| {
        if points.len() > 1 {
            LEFT + step * i as f64
        } else {
            LEFT + plot_w / 2.0
        }
    };
    let y_of = |v: f64| TOP + plot_h * (1.0 - (v.clamp(low, high) - low) / span);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{t}" class="chart"><title>{t}</title>"#,
        t = escape(title)
    );
    for tick in [low, (low + high) / 2.0, high] {
        let y = y_of(tick);
        svg.push_str(&format!(
            r#"<line x1="{LEFT}" x2="{x2}" y1="{y:.1}" y2="{y:.1}" class="grid"/><text x="{tx}" y="{ty:.1}" class="axis" text-anchor="end">{tick}</text>"#,
            x2 = WIDTH - RIGHT,
            tx = LEFT - 6.0,
            ty = y + 4.0,
        ));
    }
    let known: Vec<(f64, f64)> = points
        .iter()
        .enumerate()
        .filter_map(|(i, (_, v))| v.map(|v| (x_of(i), y_of(v))))
        .collect();
    if known.len() > 1 {
        let path: Vec<String> = known
            .iter()
            .map(|(x, y)| format!("{x:.1},{y:.1}"))
            .collect();
        svg.push_str(&format!(
            r#"<polyline points="{}" class="series"/>"#,
            path.join(" ")
        ));
    }
    for (i, (label, value)) in points.iter().enumerate() {
        let x = x_of(i);
        if let Some(v) = value {
            svg.push_str(&format!(
                r#"<circle cx="{x:.1}" cy="{y:.1}" r="4" class="point"><title>{l}: {v:.0}</title></circle>"#,
                y = y_of(*v),
                l = escape(label),
            ));
        }
        svg.push_str(&format!(
            r#"<text x="{x:.1}" y="{y}" class="axis" text-anchor="middle">{}</text>"#,
            escape(label),
            y = HEIGHT - BOTTOM + 18.0,
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chart_has_a_point_per_known_value_and_escaped_labels() {
        let points = vec![
            ("第1轮".to_string(), Some(20.0)),
            ("<b>".to_string(), None),
            ("第3轮".to_string(), Some(-40.0)),
        ];
        let svg = line_chart("NPS & trend", &points, -100.0, 100.0);
        assert_eq!(svg.matches("<circle").count(), 2);
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
        assert!(svg.contains("aria-label=\"NPS &amp; trend\""));
        assert!(svg.contains("<polyline"));
    }

    #[test]
    fn one_point_is_drawn_in_the_middle_without_a_line() {
        let svg = line_chart("NPS", &[("W1".to_string(), Some(0.0))], -100.0, 100.0);
        assert!(svg.contains("<circle cx=\"336.0\""), "{svg}");
        assert!(!svg.contains("<polyline"));
    }
}
