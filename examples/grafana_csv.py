"""Renders Prometheus query_range results in the CSV shapes Grafana writes.

Used by make_series_fixtures.py: Grafana itself is not on this machine, so
its exporters are reproduced from their source (Grafana's `toCSV` in
packages/grafana-data/src/text/csv.ts for v7+, and the old graph panel's
`convertSeriesListToCsv` in app/core/utils/file_export.ts):

- v7+: header cells always quoted (`"` doubled), values quoted only when
  they contain a quote, newline or the delimiter, CRLF between rows and
  none after the last, the locale's list delimiter (`,` or `;`), an
  optional `sep=,` first line ("Download for Excel"); "Series joined by
  time" is an outer join with empty cells; "Formatted data" writes times
  as `YYYY-MM-DD HH:mm:ss` in the dashboard's zone (UTC here).
- Grafana 11+ Excel download: the same as UTF-16LE with a BOM, tabs.
- Old graph panel "series as rows": `"Series";"Time";"Value"`, ISO times
  with offset, numbers through `toLocaleString()` (en-US: `10,117,120`),
  `null` where the datasource had no point.
"""

import datetime
import glob
import json
import os

FILES = {
    "grafana-joined-epoch.csv": dict(time="epoch", delimiter=","),
    "grafana-joined-formatted.csv": dict(time="formatted", delimiter=","),
    "grafana-joined-semicolon.csv": dict(time="formatted", delimiter=";"),
    "grafana-excel.csv": dict(time="formatted", delimiter=",", excel=True),
}


def display_name(metric):
    name = metric.get("__name__", "")
    labels = ", ".join(f'{k}="{v}"' for k, v in sorted(metric.items()) if k != "__name__")
    return f"{name}{{{labels}}}" if labels else name


def js_number(text):
    """A Prometheus sample value as JavaScript's Number#toString writes it."""
    if text in ("NaN", "+Inf", "-Inf"):
        return {"NaN": "NaN", "+Inf": "Infinity", "-Inf": "-Infinity"}[text]
    v = float(text)
    if v == int(v) and abs(v) < 1e21:
        return str(int(v))
    return repr(v).replace("e-0", "e-").replace("e+0", "e+")


def en_us_locale(text):
    """Number#toLocaleString() in en-US: grouping commas, at most 3 decimals."""
    if text in ("NaN", "+Inf", "-Inf"):
        return {"NaN": "NaN", "+Inf": "∞", "-Inf": "-∞"}[text]
    s = f"{float(text):,.3f}".rstrip("0").rstrip(".")
    return "0" if s == "-0" else s


def load_series(directory):
    series = []
    for path in sorted(glob.glob(os.path.join(directory, "query_range.*.json"))):
        data = json.load(open(path))["data"]["result"]
        for r in data:
            series.append((display_name(r["metric"]), {float(t): v for t, v in r["values"]}))
    return series


def write_value(value, delimiter):
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "\n" in value or delimiter in value:
        return '"' + value + '"'
    return value


def joined(series, time, delimiter, excel=False):
    stamps = sorted({t for _, points in series for t in points})
    lines = []
    if excel:
        lines.append(f"sep={delimiter}")
    lines.append(delimiter.join('"' + n.replace('"', '""') + '"' for n in ["Time"] + [n for n, _ in series]))
    for t in stamps:
        if time == "epoch":
            cells = [str(int(round(t * 1000)))]
        else:
            cells = [datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")]
        for _, points in series:
            v = points.get(t)
            cells.append("" if v is None else write_value(js_number(v), delimiter))
        lines.append(delimiter.join(cells))
    return "\r\n".join(lines)


def series_as_rows(series, step=1.0):
    lines = ['"Series";"Time";"Value"']
    for name, points in series:
        if not points:
            continue
        t, end = min(points), max(points)
        while t <= end + 1e-9:
            v = points.get(t)
            when = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S+00:00")
            quoted = name.replace('"', '""')
            lines.append(f'"{quoted}";"{when}";' + ("null" if v is None else en_us_locale(v)))
            t = round(t + step, 3)
    return "\r\n".join(lines) + "\r\n"


def render_all(directory):
    series = load_series(directory)
    for name, opts in FILES.items():
        open(os.path.join(directory, name), "w", newline="").write(joined(series, **opts))
    text = joined(series, time="formatted", delimiter="\t")
    open(os.path.join(directory, "grafana-excel-utf16.csv"), "wb").write(b"\xff\xfe" + text.encode("utf-16-le"))
    # One series per file: the first memory series alone.
    first = [s for s in series if s[0].startswith("process_resident_memory_bytes")][:1]
    if first:
        open(os.path.join(directory, "grafana-single.csv"), "w", newline="").write(joined(first, "epoch", ","))
    open(os.path.join(directory, "grafana-series-rows.csv"), "w", newline="").write(series_as_rows(series))


def render_joined(directory):
    """Only the v7+ "series joined by time" CSV with epoch times."""
    series = load_series(directory)
    open(os.path.join(directory, "grafana-joined-epoch.csv"), "w", newline="").write(joined(series, time="epoch", delimiter=","))


if __name__ == "__main__":
    # Re-render the Grafana shapes of fixture directories from their JSON.
    import sys

    for d in sys.argv[1:]:
        render_all(d)
