// pprof's call graph, laid out by the core and drawn here with DOM calls
// (names stay text). It opens readable: the whole graph when it fits the
// panel with every label at 11 px or more, else its heaviest path at that
// scale with an overview of the whole in a corner (click or drag it to
// move). Drag to pan, wheel or +/− to zoom, double-click or 0 to see it
// all, arrows to pan; Tab walks the nodes (the view follows), Enter
// focuses on one; click a node to focus on it, right-click for more.
import { h, svg } from "../dom.js";
import { reportControls, profileControls } from "./controls.js";

/** The smallest label size, in CSS pixels, the graph opens at. */
const READABLE = 11;
/** A small graph is not blown up beyond this scale to fill the panel. */
const MAX_FIT = 1.6;
/** The overview's largest size, in pixels. */
const OVERVIEW = { w: 220, h: 160 };

/** A small menu of actions at a point. */
export function popupMenu(x, y, items) {
  document.querySelector(".popup")?.remove();
  const menu = h("div", { class: "popup", role: "menu", style: `left:${x}px;top:${y}px` },
    items.map(([label, action]) => h("button", { role: "menuitem", onclick: () => { menu.remove(); action(); } }, label)));
  document.body.append(menu);
  setTimeout(() => document.addEventListener("click", () => menu.remove(), { once: true }));
  // By keyboard: arrows move between the items, Escape closes it and goes
  // back to where it was opened from.
  const opener = document.activeElement;
  menu.addEventListener("keydown", (e) => {
    const items = [...menu.querySelectorAll("button")];
    const k = items.indexOf(document.activeElement);
    if (e.key === "Escape") {
      menu.remove();
      opener?.focus?.();
    } else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      items[(k + (e.key === "ArrowDown" ? 1 : items.length - 1)) % items.length].focus();
    } else return;
    e.preventDefault();
  });
  menu.querySelector("button")?.focus();
}

/**
 * Edges drawn in the task that shows the graph; the rest follow in tasks of
 * EDGE_CHUNK, one a frame. Styling and laying out a drawing at the core's
 * 400-call cap (~2,000 SVG elements, ~650 labels) at once took one 90–150
 * ms task; 100 edges with 80 nodes still made tasks of 50–65 ms in a third
 * of the loads. A graph of up to 50 calls is drawn at once.
 */
const EDGES_AT_ONCE = 50;
const EDGE_CHUNK = 50;

function draw(d, handlers) {
  const edgesOf = new Map();
  d.edges.forEach((e, i) => {
    for (const end of [e.src, e.dst]) edgesOf.set(end, [...(edgesOf.get(end) ?? []), i]);
  });
  const edges = [];
  const edgeLayer = svg("g", { class: "edges" });
  const drawEdges = (upTo) => {
    const from = edges.length;
    for (const e of d.edges.slice(from, upTo)) {
      edges.push(svg("g", { class: "edge" },
        svg("title", {}, e.tooltip),
        svg("path", { d: e.path, fill: "none", stroke: e.stroke, "stroke-width": e.width, "stroke-dasharray": e.dotted ? "2,3" : "none" }),
        svg("polygon", { points: e.arrow, fill: e.stroke }),
        svg("text", { x: e.label_x, y: e.label_y, "font-size": d.edge_font, class: "edge-label" }, e.label)));
    }
    edgeLayer.append(...edges.slice(from));
  };
  drawEdges(EDGES_AT_ONCE);
  const more = () => {
    if (!edgeLayer.isConnected) return; // the view was left
    drawEdges(edges.length + EDGE_CHUNK);
    if (edges.length < d.edges.length) requestAnimationFrame(() => setTimeout(more));
    else edgeLayer.dataset.complete = "";
  };
  /** The rest of the edges, once the drawing is in the document. */
  const drawRest = () => {
    if (edges.length < d.edges.length) requestAnimationFrame(() => setTimeout(more));
    else edgeLayer.dataset.complete = "";
  };
  const nodes = d.nodes.map((n, i) => {
    const top = n.y - n.h / 2 + 3 + n.font_size;
    const g = svg("g", { class: n.node === null ? "nodelet" : "node", tabindex: n.node === null ? -1 : 0, "data-name": n.name, "data-index": i },
      svg("title", {}, n.tooltip),
      svg("rect", { x: n.x - n.w / 2, y: n.y - n.h / 2, width: n.w, height: n.h, fill: n.fill, stroke: n.stroke }),
      n.lines.map((line, k) => svg("text", { x: n.x, y: top + k * n.font_size * 1.25, "font-size": n.font_size, "text-anchor": "middle" }, line)));
    if (n.node !== null) {
      // An edge not drawn yet is lit once it is.
      const light = (on) => (edgesOf.get(i) ?? []).forEach((k) => edges[k]?.classList.toggle("lit", on));
      g.addEventListener("pointerenter", () => light(true));
      g.addEventListener("pointerleave", () => light(false));
      g.addEventListener("focus", () => light(true));
      g.addEventListener("blur", () => light(false));
      g.addEventListener("click", (e) => !handlers.dragged() && handlers.onNode(n, e));
      g.addEventListener("keydown", (e) => e.key === "Enter" && handlers.onNode(n, e));
      g.addEventListener("contextmenu", (e) => { e.preventDefault(); handlers.onMenu(n, e.clientX, e.clientY); });
    }
    return g;
  });
  const b = d.legend_box;
  const legend = svg("g", { class: "legend" },
    svg("rect", { x: b.x, y: b.y, width: b.w, height: b.h, fill: "#f8f8f8", stroke: "#cccccc" }),
    d.legend.flatMap((l) => l.split("\n")).map((line, k) => svg("text", { x: b.x + 6, y: b.y + 6 + d.legend_font * (1 + k * 1.25), "font-size": d.legend_font }, line)));
  return { parts: [legend, edgeLayer, ...nodes], drawRest };
}

/** The whole drawing in small, with the part on show; `onMove(x, y)` when clicked or dragged (drawing units). */
function overview(d, onMove) {
  const k = Math.min(OVERVIEW.w / d.width, OVERVIEW.h / d.height);
  const win = svg("rect", { class: "window", "vector-effect": "non-scaling-stroke" });
  const b = d.legend_box;
  const map = svg("svg", { class: "overview", viewBox: `0 0 ${d.width} ${d.height}`, width: Math.round(d.width * k), height: Math.round(d.height * k), "aria-hidden": "true" },
    svg("rect", { x: b.x, y: b.y, width: b.w, height: b.h, fill: "#eeeeee" }),
    d.edges.map((e) => svg("path", { d: e.path, fill: "none", stroke: e.stroke, "vector-effect": "non-scaling-stroke" })),
    d.nodes.map((n) => svg("rect", { x: n.x - n.w / 2, y: n.y - n.h / 2, width: n.w, height: n.h, fill: n.fill, stroke: n.stroke, "vector-effect": "non-scaling-stroke" })),
    win);
  const at = (e) => {
    const r = map.getBoundingClientRect();
    onMove((e.clientX - r.left) / r.width * d.width, (e.clientY - r.top) / r.height * d.height);
  };
  map.addEventListener("pointerdown", (e) => { e.preventDefault(); map.setPointerCapture(e.pointerId); at(e); });
  map.addEventListener("pointermove", (e) => map.hasPointerCapture(e.pointerId) && at(e));
  map.show = (box) => {
    for (const [key, value] of Object.entries({ x: box.x, y: box.y, width: box.w, height: box.h })) win.setAttribute(key, value);
  };
  return map;
}

export function renderGraph(view, state, { onChange, navigate, download }) {
  const d = view.drawing;
  const root = svg("svg", {
    class: "graph", viewBox: `0 0 ${d.width} ${d.height}`, "font-family": "sans-serif", tabindex: 0, role: "group", "data-focus": "graph",
    "aria-label": "call graph: Tab moves through the nodes, Enter focuses on one; + and − zoom, arrows pan, 0 shows it all",
  });
  // What is on show: the viewBox, always of the panel's shape, so its
  // width over the panel's is the scale.
  let box = { x: 0, y: 0, w: d.width, h: d.height };
  let size = null; // the panel in pixels, once laid out
  const map = overview(d, (x, y) => size && show({ ...box, x: x - box.w / 2, y: y - box.h / 2 }));
  const show = (b) => {
    box = b;
    root.setAttribute("viewBox", `${box.x} ${box.y} ${box.w} ${box.h}`);
    root.dataset.scale = (size.w / box.w).toFixed(3);
    map.show(box);
    const whole = box.x <= 0.5 && box.y <= 0.5 && box.x + box.w >= d.width - 0.5 && box.y + box.h >= d.height - 0.5;
    map.classList.toggle("hidden", whole);
  };
  /** The panel's shape at `scale`, centred on (cx, cy). */
  const at = (scale, cx, cy) => {
    const w = size.w / scale, h = size.h / scale;
    return { x: cx - w / 2, y: cy - h / 2, w, h };
  };
  const zoom = (k, fx = 0.5, fy = 0.5) => {
    const scale = Math.min(Math.max(size.w / box.w * k, 0.02), 8);
    const w = size.w / scale, h = size.h / scale;
    show({ x: box.x + (box.w - w) * fx, y: box.y + (box.h - h) * fy, w, h });
  };
  const whole = () => show(at(Math.min(size.w / d.width, size.h / d.height), d.width / 2, d.height / 2));
  /** Where the graph opens: all of it if readable, else its heaviest path at the readable scale. */
  const opening = () => {
    const fit = Math.min(size.w / d.width, size.h / d.height, MAX_FIT);
    if (fit * d.min_font >= READABLE) {
      root.dataset.opened = "whole";
      return show(at(fit, d.width / 2, d.height / 2));
    }
    root.dataset.opened = "heaviest path";
    const scale = READABLE / d.min_font;
    const { w, h } = at(scale, 0, 0);
    const hot = d.hot_box;
    const hottest = d.nodes[d.hot_path.at(-1)];
    // Across: the path's middle, or its hottest node when the path is wider.
    let x = hot.w <= w ? hot.x + hot.w / 2 - w / 2 : (hottest?.x ?? 0) - w / 2;
    // Down: the path's middle, or, when it is taller, its end (the hottest
    // node) at the bottom with as many callers as fit above it.
    let y = hot.h <= h ? hot.y + hot.h / 2 - h / 2 : hot.y + hot.h + 10 - h;
    // Inside the drawing where the panel is smaller than it.
    if (w < d.width) x = Math.min(Math.max(x, 0), d.width - w);
    if (h < d.height) y = Math.min(Math.max(y, 0), d.height - h);
    show({ x, y, w, h });
  };
  let drawingDue = false; // the drawing is put in once, by the first layout
  /** Sizes the panel to the window below its top, then shows what it showed (or the opening). */
  const layout = () => {
    if (!frame.isConnected) return;
    const top = frame.getBoundingClientRect().top + scrollY;
    // Down to the window's bottom less the body's own bottom padding: the
    // page then does not scroll at all (a node focused by Tab cannot move it).
    const below = parseFloat(getComputedStyle(document.body).paddingBottom) || 0;
    frame.style.height = `${Math.max(360, innerHeight - top - below - 2)}px`;
    const before = size && { scale: size.w / box.w, cx: box.x + box.w / 2, cy: box.y + box.h / 2 };
    const r = root.getBoundingClientRect();
    size = { w: r.width, h: r.height };
    if (size.w && size.h) {
      if (before) show(at(before.scale, before.cx, before.cy));
      else opening();
    }
    // Put in once, a frame after the panel: its text is then laid out at
    // the viewBox just set, in a task of its own (for graph-permutations-80,
    // 80 nodes, the panel's style and layout took ~10 ms, the drawing's
    // ~30 ms, together one task of 46–65 ms).
    if (!drawingDue) {
      drawingDue = true;
      requestAnimationFrame(() => setTimeout(() => {
        if (!frame.isConnected) return; // the view was left
        root.append(...drawing.parts);
        drawing.drawRest();
        // The drawing on screen (the view's "painted" mark comes a frame before it): what the bench times.
        requestAnimationFrame(() => setTimeout(() => performance.mark("drawn:graph")));
      }));
    }
  };

  // Drag to pan (a click that moved is not a click), wheel to zoom, double-click to see it all.
  let drag = null;
  let moved = false;
  const endDrag = () => { drag = null; root.classList.remove("dragging"); };
  root.addEventListener("pointerdown", (e) => {
    if (e.button !== 0) return;
    drag = { x: e.clientX, y: e.clientY, box: { ...box }, id: e.pointerId };
    moved = false;
  });
  root.addEventListener("pointermove", (e) => {
    if (!drag || !size) return;
    if (!e.buttons) return endDrag(); // released outside the panel
    if (!moved && Math.abs(e.clientX - drag.x) + Math.abs(e.clientY - drag.y) > 4) {
      moved = true;
      root.setPointerCapture(drag.id);
      root.classList.add("dragging");
    }
    if (!moved) return;
    const k = box.w / size.w;
    show({ ...box, x: drag.box.x - (e.clientX - drag.x) * k, y: drag.box.y - (e.clientY - drag.y) * k });
  });
  root.addEventListener("pointerup", endDrag);
  root.addEventListener("pointercancel", endDrag);
  root.addEventListener("wheel", (e) => {
    if (!size) return;
    e.preventDefault();
    const r = root.getBoundingClientRect();
    zoom(e.deltaY > 0 ? 1 / 1.15 : 1.15, (e.clientX - r.left) / r.width, (e.clientY - r.top) / r.height);
  }, { passive: false });
  root.addEventListener("dblclick", () => size && whole());
  // Keys: + − zoom, 0 all, arrows pan; a node reached by Tab is brought into view.
  root.addEventListener("keydown", (e) => {
    if (!size || e.ctrlKey || e.metaKey || e.altKey) return;
    const step = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] }[e.key];
    if (e.key === "+" || e.key === "=") zoom(1.25);
    else if (e.key === "-" || e.key === "_") zoom(1 / 1.25);
    else if (e.key === "0") whole();
    else if (step) show({ ...box, x: box.x + step[0] * box.w * 0.2, y: box.y + step[1] * box.h * 0.2 });
    else return;
    e.preventDefault();
  });
  // The browser scrolls the page to show a node focused off screen; the
  // graph pans to it instead, and the page stays where it was.
  let pageAt = null;
  root.addEventListener("keydown", (e) => e.key === "Tab" && (pageAt = scrollY), { capture: true });
  root.addEventListener("focusin", (e) => {
    const g = e.target.closest?.("g.node");
    if (!g || !size || !g.matches(":focus-visible")) return;
    const n = d.nodes[Number(g.dataset.index)];
    const inside = n.x - n.w / 2 >= box.x && n.x + n.w / 2 <= box.x + box.w && n.y - n.h / 2 >= box.y && n.y + n.h / 2 <= box.y + box.h;
    if (!inside) show(at(Math.max(size.w / box.w, READABLE / d.min_font), n.x, n.y));
    if (pageAt !== null) {
      const y = pageAt;
      requestAnimationFrame(() => scrollTo(scrollX, y));
      pageAt = null;
    }
  });

  const menu = (n, x, y) => popupMenu(x, y, [
    ["Focus on it", () => onChange({ f: n.name_regex })],
    ["Ignore it", () => onChange({ i: n.name_regex })],
    ["Hide it", () => onChange({ h: n.name_regex })],
    ["Callers and callees", () => navigate("callers", { fn: n.name })],
    ["Source lines", () => navigate("list", { list: n.name })],
  ]);
  // Put in once the panel's size is known and the viewBox set: SVG text is
  // laid out at its scale on screen, so laying the drawing out at any other
  // viewBox first is work thrown away (~30 ms at the 400-call cap).
  const drawing = draw(d, { dragged: () => moved, onNode: (n) => onChange({ f: n.name_regex }), onMenu: menu });
  const tool = (label, title, action) => h("button", { class: "button", title, "aria-label": title, onclick: () => size && action() }, label);
  const frame = h("div", { class: "graph-frame" }, root,
    h("div", { class: "graph-tools" },
      tool("+", "zoom in (+)", () => zoom(1.25)),
      tool("−", "zoom out (−)", () => zoom(1 / 1.25)),
      tool("All", "see it all (0 or double-click)", whole)),
    map);
  // Laid out once in the document (it needs the panel's size), and again when the window changes.
  requestAnimationFrame(layout);
  const onResize = () => (frame.isConnected ? layout() : removeEventListener("resize", onResize));
  addEventListener("resize", onResize);
  return [
    h("div", { class: "controls" },
      profileControls(view, onChange),
      reportControls(state, view.sample_types, onChange),
      h("button", { class: "button", onclick: () => download("graph_svg", "callgraph.svg") }, "Download SVG"),
      h("span", { class: "muted hint" }, "Click a node to focus on it, right-click for more; drag to pan, wheel or +/− to zoom, double-click or 0 to see it all.")),
    frame,
  ];
}
