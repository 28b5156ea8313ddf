// Memory over time: the core draws each chart (SVG, annotated); the page
// shows it as an image and adds the interaction: hover for values, drag to
// zoom, double-click to reset, the legend to switch series off.
import { h } from "../dom.js";

const urls = [];

function image(svgText, width) {
  const url = URL.createObjectURL(new Blob([svgText], { type: "image/svg+xml" }));
  urls.push(url);
  return h("img", { src: url, width, alt: "" });
}

/** Pixel x on the chart → unix seconds, with the core's own transform. */
function timeAt(plot, x) {
  return plot.t0 + ((x - plot.left) / (plot.right - plot.left)) * (plot.t1 - plot.t0);
}

function chartFigure(chart, process, { hoverAt, onZoom, onReset }) {
  const { plot } = chart;
  const tip = h("div", { class: "tip", hidden: true });
  const band = h("div", { class: "band", hidden: true });
  let dragFrom = null;
  let pending = 0;
  const x = (e) => e.offsetX;
  /** The values at pixel `px` in the tooltip. */
  const valuesAt = async (px) => {
    const ticket = ++pending;
    const values = await hoverAt(process, chart.kind, timeAt(plot, px));
    if (ticket !== pending || !values.length) return;
    tip.replaceChildren(h("div", { class: "muted" }, values[0].time),
      ...values.map((v) => h("div", {}, h("span", { class: "swatch", style: `background:${v.color}` }), `${v.name}: `, h("strong", {}, v.value))));
    tip.style.left = `${Math.max(0, Math.min(px + 12, plot.right - 220))}px`;
    tip.hidden = false;
  };
  // The keyboard's cursor (pixel x), drawn as a thin line: arrows move it
  // and show the values there, + zooms into the middle half around it,
  // 0 (or Escape) shows everything again.
  let cursorAt = null;
  const cursor = h("div", { class: "cursor", hidden: true });
  const moveCursor = (px) => {
    cursorAt = Math.max(plot.left, Math.min(plot.right, px));
    cursor.style.left = `${cursorAt}px`;
    cursor.hidden = false;
    valuesAt(cursorAt);
  };
  const overlay = h("div", {
    class: "overlay", tabindex: 0, role: "img", "data-focus": `chart-${process}-${chart.kind}`,
    "aria-label": `${chart.kind} chart: Left and Right arrows read the values over time, + zooms in around the cursor, 0 shows everything`,
    onkeydown: (e) => {
      // A 50th of the plot a press (a 10th with Shift); the first press starts at the edge it moves from.
      const step = ((plot.right - plot.left) / (e.shiftKey ? 10 : 50)) * (e.key === "ArrowRight" ? 1 : -1);
      if (e.key === "ArrowRight" || e.key === "ArrowLeft") moveCursor(cursorAt === null ? (step > 0 ? plot.left : plot.right) : cursorAt + step);
      else if (e.key === "Home" || e.key === "End") moveCursor(e.key === "Home" ? plot.left : plot.right);
      else if (e.key === "+" || e.key === "=") {
        const at = cursorAt ?? (plot.left + plot.right) / 2;
        const half = (plot.right - plot.left) / 4;
        onZoom(timeAt(plot, Math.max(plot.left, at - half)), timeAt(plot, Math.min(plot.right, at + half)));
      } else if (e.key === "0" || e.key === "Escape") {
        tip.hidden = true;
        cursor.hidden = true;
        cursorAt = null;
        if (e.key === "0") onReset();
      } else return;
      e.preventDefault();
    },
    onblur: () => { tip.hidden = true; cursor.hidden = true; },
    onpointermove: async (e) => {
      if (dragFrom !== null) {
        band.hidden = false;
        band.style.left = `${Math.min(dragFrom, x(e))}px`;
        band.style.width = `${Math.abs(x(e) - dragFrom)}px`;
      }
      if (x(e) < plot.left || x(e) > plot.right) return void (tip.hidden = true);
      valuesAt(x(e));
    },
    onpointerleave: () => { tip.hidden = true; band.hidden = true; dragFrom = null; },
    onpointerdown: (e) => { dragFrom = x(e); },
    onpointerup: (e) => {
      band.hidden = true;
      if (dragFrom !== null && Math.abs(x(e) - dragFrom) > 5) {
        const [a, b] = [dragFrom, x(e)].sort((p, q) => p - q).map((px) => timeAt(plot, px));
        onZoom(a, b);
      }
      dragFrom = null;
    },
    ondblclick: onReset,
  });
  const markers = chart.markers.map((m) =>
    h("div", { class: `marker ${m.label === "OOM kill" ? "oom" : ""}`, style: `left:${m.x}px`, title: `${m.label} at ${m.time_text}${m.detail ? ": " + m.detail : ""}`, dataset: { time: m.time } }));
  const svgText = chart.svg;
  const { width, height } = /width="(\d+)" height="(\d+)"/.exec(svgText)?.slice(1).reduce((a, v, k) => ({ ...a, [k ? "height" : "width"]: Number(v) }), {}) ?? {};
  // (The floor lines' spans and the plot's transform, for a test to hold
  // the drawing to: each line drawn only over the floors it was fitted to.)
  const dataset = { kind: chart.kind, plot: JSON.stringify(plot), floors: JSON.stringify(chart.floors) };
  return h("figure", { class: `chart ${chart.kind}`, dataset },
    chart.kind === "memory" ? null : h("figcaption", { class: "muted series-name" }, chart.legend.map((l) => [h("span", { class: "swatch", style: `background:${l.color}` }), l.name])),
    h("div", { class: "plot", style: `width:${width}px;height:${height}px` }, image(svgText, width), ...markers, band, cursor, overlay, tip),
    // The run's count (the Overview's, zoomed or not), then the ones in view.
    chart.caption ? h("figcaption", { class: "muted restarts" }, chart.caption) : null,
    chart.notes.length ? h("figcaption", { class: "muted notes" }, chart.notes.join("; ")) : null);
}

export function renderCharts(view, state, handlers) {
  while (urls.length) URL.revokeObjectURL(urls.pop());
  if (!view.processes.length) return h("p", { class: "muted" }, "No metrics loaded: drop a time-series CSV (Grafana's or any other) or a Prometheus export.");
  const note = view.note ? h("p", { class: "note muted" }, view.note) : null;
  return [note, ...view.processes.map((p) => {
    const memory = p.charts.find((c) => c.kind === "memory");
    return h("section", { class: "process", dataset: { verdict: p.verdict } },
      h("h2", {}, h("span", { class: `badge ${p.verdict}` }, p.verdict), " ", p.title),
      h("p", { class: "reason" }, p.reason),
      memory ? h("div", { class: "legend" }, memory.legend.map((l) =>
        h("button", { class: "legend-item", "aria-pressed": String(!l.hidden), onclick: () => handlers.onToggle(l.name) },
          h("span", { class: "swatch", style: `background:${l.color}` }), l.name))) : null,
      (state.from || state.to) ? h("p", { class: "muted" }, "Zoomed in: double-click a chart to see everything.") : null,
      p.charts.map((c) => chartFigure(c, p.index, handlers)));
  })];
}
