// pprof's call graph, laid out by the core and drawn here with DOM calls
// (names stay text). Drag to pan, wheel to zoom, hover a node to see its
// calls, click it to focus on it; right-click for more.
import { h, svg } from "../dom.js";
import { reportControls, profileControls } from "./controls.js";

/** A small menu of actions at a point. */
export function popupMenu(x, y, items) {
  document.querySelector(".popup")?.remove();
  const menu = h("div", { class: "popup", role: "menu", style: `left:${x}px;top:${y}px` },
    items.map(([label, action]) => h("button", { role: "menuitem", onclick: () => { menu.remove(); action(); } }, label)));
  document.body.append(menu);
  setTimeout(() => document.addEventListener("click", () => menu.remove(), { once: true }));
  menu.querySelector("button")?.focus();
}

function draw(d, handlers) {
  const edgesOf = new Map();
  const edges = d.edges.map((e, i) => {
    const g = svg("g", { class: "edge" },
      svg("title", {}, e.tooltip),
      svg("path", { d: e.path, fill: "none", stroke: e.stroke, "stroke-width": e.width, "stroke-dasharray": e.dotted ? "2,3" : "none" }),
      svg("polygon", { points: e.arrow, fill: e.stroke }),
      svg("text", { x: e.label_x, y: e.label_y, "font-size": 9, class: "edge-label" }, e.label));
    for (const end of [e.src, e.dst]) edgesOf.set(end, [...(edgesOf.get(end) ?? []), i]);
    return g;
  });
  const nodes = d.nodes.map((n, i) => {
    const top = n.y - n.h / 2 + 3 + n.font_size;
    const g = svg("g", { class: n.node === null ? "nodelet" : "node", tabindex: n.node === null ? -1 : 0, "data-name": n.name },
      svg("title", {}, n.tooltip),
      svg("rect", { x: n.x - n.w / 2, y: n.y - n.h / 2, width: n.w, height: n.h, fill: n.fill, stroke: n.stroke }),
      n.lines.map((line, k) => svg("text", { x: n.x, y: top + k * n.font_size * 1.25, "font-size": n.font_size, "text-anchor": "middle" }, line)));
    if (n.node !== null) {
      const light = (on) => (edgesOf.get(i) ?? []).forEach((k) => edges[k].classList.toggle("lit", on));
      g.addEventListener("pointerenter", () => light(true));
      g.addEventListener("pointerleave", () => light(false));
      g.addEventListener("click", (e) => !handlers.dragged() && handlers.onNode(n, e));
      g.addEventListener("keydown", (e) => e.key === "Enter" && handlers.onNode(n, e));
      g.addEventListener("contextmenu", (e) => { e.preventDefault(); handlers.onMenu(n, e.clientX, e.clientY); });
    }
    return g;
  });
  const legend = svg("g", { class: "legend" },
    svg("rect", { x: 10, y: 10, width: Math.max(d.width - 20, 10), height: d.legend_height, fill: "#f8f8f8", stroke: "#cccccc" }),
    d.legend.flatMap((l) => l.split("\n")).map((line, k) => svg("text", { x: 16, y: 29 + k * 16.25, "font-size": 13 }, line)));
  return [legend, ...edges, ...nodes];
}

export function renderGraph(view, state, { onChange, navigate, download }) {
  const d = view.drawing;
  const root = svg("svg", { class: "graph", viewBox: `0 0 ${d.width} ${d.height}`, "font-family": "sans-serif", role: "img", "aria-label": "call graph" });
  let box = { x: 0, y: 0, w: d.width, h: d.height };
  const setBox = () => root.setAttribute("viewBox", `${box.x} ${box.y} ${box.w} ${box.h}`);
  let drag = null;
  let moved = false;
  root.addEventListener("pointerdown", (e) => { drag = { x: e.clientX, y: e.clientY, box: { ...box } }; moved = false; });
  root.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const scale = box.w / root.clientWidth;
    if (Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 4) moved = true;
    box.x = drag.box.x - (e.clientX - drag.x) * scale;
    box.y = drag.box.y - (e.clientY - drag.y) * scale;
    setBox();
  });
  addEventListener("pointerup", () => (drag = null));
  root.addEventListener("wheel", (e) => {
    e.preventDefault();
    const r = root.getBoundingClientRect();
    const fx = (e.clientX - r.left) / r.width, fy = (e.clientY - r.top) / r.height;
    const k = e.deltaY > 0 ? 1.15 : 1 / 1.15;
    const nw = box.w * k, nh = box.h * k;
    box = { x: box.x + (box.w - nw) * fx, y: box.y + (box.h - nh) * fy, w: nw, h: nh };
    setBox();
  }, { passive: false });
  root.addEventListener("dblclick", () => { box = { x: 0, y: 0, w: d.width, h: d.height }; setBox(); });
  const menu = (n, x, y) => popupMenu(x, y, [
    ["Focus on it", () => onChange({ f: n.name_regex })],
    ["Ignore it", () => onChange({ i: n.name_regex })],
    ["Hide it", () => onChange({ h: n.name_regex })],
    ["Callers and callees", () => navigate("callers", { fn: n.name })],
    ["Source lines", () => navigate("list", { list: n.name })],
  ]);
  root.append(...draw(d, { dragged: () => moved, onNode: (n) => onChange({ f: n.name_regex }), onMenu: menu }));
  return [
    h("div", { class: "controls" },
      profileControls(view, onChange),
      reportControls(state, view.sample_types, onChange),
      h("button", { class: "button", onclick: () => download("graph_svg", "callgraph.svg") }, "Download SVG")),
    h("p", { class: "muted hint" }, "Click a node to focus on it, right-click for more; drag to pan, wheel to zoom, double-click to see it all."),
    h("div", { class: "graph-frame" }, root),
  ];
}
