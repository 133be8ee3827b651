//! A small SVG chart renderer (line and bar charts) for the HTML report.
