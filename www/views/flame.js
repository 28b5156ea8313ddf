// Flame graphs on a canvas (roots on top): the core gives the frames as
// fractions of the view; frames under half a pixel are not drawn. Click a
// frame to zoom into it, the breadcrumb to zoom out, search to highlight;
// right-click for its callers and callees.
import { h } from "../dom.js";
import { reportControls, profileControls, select, field } from "./controls.js";
import { popupMenu } from "./graph.js";

const ROW = 18;

/** A canvas drawing `flame`'s frames; `onFrame(frame, event)` on click. */
export function flameCanvas(flame, { onFrame, onMenu, label }) {
  const depth = flame.frames.reduce((m, f) => Math.max(m, f.depth), 0) + 1;
  const canvas = h("canvas", {
    class: "flame", role: "img", tabindex: 0, dataset: { focus: label },
    "aria-label": `${label}: arrow keys move between frames, Enter zooms into one, the context-menu key (Shift+F10) offers more`,
  });
  // The frame the keyboard is on (an index into flame.frames), outlined.
  let selected = null;
  const tip = h("div", { class: "tip", hidden: true });
  const wrap = h("div", { class: "flame-wrap" }, canvas, tip);
  // The picture is depth × ROW pixels tall (1,000 levels: 18,000 px), but
  // the canvas is only as tall as the window: it sticks to the top of the
  // window while its frame scrolls past and draws the rows in sight (a
  // canvas of the whole picture took a third of a second to fill).
  const height = depth * ROW;
  wrap.style.height = `${height}px`;
  let shown = 0; // the picture's row drawn at the canvas's top, in px
  const frameAt = (x, y) => {
    const width = canvas.clientWidth;
    const d = Math.floor(y / ROW);
    return flame.frames.find((f) => f.depth === d && x >= f.x * width && x < (f.x + f.w) * width);
  };
  const paint = () => {
    const width = wrap.clientWidth || 800;
    const view = Math.min(height, innerHeight);
    shown = Math.max(0, Math.min(height - view, -wrap.getBoundingClientRect().top));
    const ratio = devicePixelRatio || 1;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(view * ratio);
    canvas.style.width = `${width}px`;
    canvas.style.height = `${view}px`;
    const ctx = canvas.getContext("2d");
    ctx.scale(ratio, ratio);
    ctx.translate(0, -shown);
    ctx.font = "11px system-ui, sans-serif";
    ctx.textBaseline = "middle";
    const searching = flame.search !== null;
    for (const f of flame.frames) {
      const x = f.x * width, w = f.w * width;
      const y = f.depth * ROW;
      if (w < 0.5 || y + ROW < shown || y > shown + view) continue;
      ctx.globalAlpha = searching && !f.matched ? 0.35 : 1;
      ctx.fillStyle = searching && f.matched ? "#c026d3" : f.color;
      ctx.fillRect(x, y, Math.max(w - 0.5, 0.5), ROW - 1);
      if (w > 24) {
        ctx.fillStyle = searching && f.matched ? "#ffffff" : f.text_color;
        let text = f.name;
        const room = w - 6;
        if (ctx.measureText(text).width > room) {
          let lo = 0, hi = text.length;
          while (lo < hi) {
            const mid = (lo + hi + 1) >> 1;
            if (ctx.measureText(text.slice(0, mid) + "…").width <= room) lo = mid;
            else hi = mid - 1;
          }
          text = lo > 0 ? text.slice(0, lo) + "…" : "";
        }
        if (text) ctx.fillText(text, x + 3, y + ROW / 2);
      }
    }
    ctx.globalAlpha = 1;
    if (selected !== null && document.activeElement === canvas) {
      const f = flame.frames[selected];
      ctx.strokeStyle = "#0b57d0";
      ctx.lineWidth = 2;
      ctx.strokeRect(f.x * width + 1, f.depth * ROW + 1, Math.max(f.w * width - 2, 2), ROW - 3);
    }
  };
  // Scrolling (the window or a box holding the graph) draws the rows now in sight.
  let painting = false;
  const onScroll = () => {
    if (!wrap.isConnected) {
      document.removeEventListener("scroll", onScroll, true);
      return removeEventListener("resize", onScroll);
    }
    if (painting) return;
    painting = true;
    requestAnimationFrame(() => {
      painting = false;
      paint();
    });
  };
  document.addEventListener("scroll", onScroll, { capture: true, passive: true });
  /** The tooltip of frame `f` at (x, y) in the canvas. */
  const tell = (f, x, y) => {
    tip.replaceChildren(...[
      h("strong", {}, f.name),
      h("div", {}, `${f.value_text} (${f.share})`),
      f.delta_text && h("div", {}, `change: ${f.delta_text}`),
    ].filter(Boolean));
    tip.style.left = `${Math.max(0, Math.min(x + 12, wrap.clientWidth - 260))}px`;
    tip.style.top = `${y + 14}px`;
    tip.hidden = false;
  };
  // Pointer positions are the canvas's; the picture's are `shown` lower.
  canvas.addEventListener("pointermove", (e) => {
    const f = frameAt(e.offsetX, e.offsetY + shown);
    if (!f) return void (tip.hidden = true);
    tell(f, e.offsetX, e.offsetY + shown);
  });
  // The keyboard: Down to the heaviest callee, Up to the caller, Left and
  // Right to the frames beside it on its row; Enter is a click.
  const widest = (list) => list.reduce((a, b) => (b.w > a.w ? b : a), list[0]);
  const step = (key) => {
    const frames = flame.frames;
    const at = selected === null ? null : frames[selected];
    if (!at) return widest(frames.filter((f) => f.depth === 0));
    if (key === "ArrowUp") return at.parent === null ? at : frames[at.parent];
    if (key === "ArrowDown") {
      const children = frames.filter((f) => f.parent === selected);
      return children.length ? widest(children) : at;
    }
    const row = frames.filter((f) => f.depth === at.depth).sort((a, b) => a.x - b.x);
    const k = row.indexOf(at) + (key === "ArrowRight" ? 1 : -1);
    return row[Math.max(0, Math.min(row.length - 1, k))];
  };
  canvas.addEventListener("keydown", (e) => {
    if (["ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight"].includes(e.key)) {
      e.preventDefault();
      const f = step(e.key);
      if (!f) return;
      selected = flame.frames.indexOf(f);
      // A frame out of sight (a deep graph) is scrolled to first.
      const top = wrap.getBoundingClientRect().top + f.depth * ROW;
      if (top < 0 || top + ROW > innerHeight) scrollBy(0, top - innerHeight / 2);
      paint();
      tell(f, f.x * canvas.clientWidth, f.depth * ROW);
    } else if (e.key === "Enter" && selected !== null) {
      onFrame(flame.frames[selected], e);
    } else if ((e.key === "ContextMenu" || (e.key === "F10" && e.shiftKey)) && selected !== null && onMenu) {
      e.preventDefault();
      const f = flame.frames[selected];
      const r = wrap.getBoundingClientRect();
      onMenu(f, r.left + f.x * r.width, r.top + (f.depth + 1) * ROW);
    } else if (e.key === "Escape") {
      tip.hidden = true;
    }
  });
  canvas.addEventListener("blur", () => { tip.hidden = true; paint(); });
  canvas.addEventListener("pointerleave", () => (tip.hidden = true));
  canvas.addEventListener("click", (e) => {
    const f = frameAt(e.offsetX, e.offsetY + shown);
    if (f) onFrame(f, e);
  });
  canvas.addEventListener("contextmenu", (e) => {
    const f = frameAt(e.offsetX, e.offsetY + shown);
    if (f && onMenu) {
      e.preventDefault();
      onMenu(f, e.clientX, e.clientY);
    }
  });
  // Drawn once in the document (it needs its width), and again on resizes
  // (of the graph, or of the window: the canvas is as tall as the window).
  requestAnimationFrame(paint);
  new ResizeObserver(() => paint()).observe(wrap);
  addEventListener("resize", onScroll);
  wrap.paint = paint;
  return wrap;
}

function searchLine(flame) {
  if (!flame.search) return null;
  const s = flame.search;
  return h("p", { class: "search-result" }, `${s.matches} frames match: ${s.value_text} (${s.share} of the total)`);
}

/** The names from the root to a frame (frames point at their parents). */
function pathOf(frames, frame) {
  const names = [];
  for (let f = frame; f && f.parent !== null; f = frames[f.parent]) names.push(f.name);
  return names.reverse();
}

export function renderFlame(view, state, { onChange, navigate, download }) {
  const f = view.flame;
  const crumbs = ["root", ...f.breadcrumb];
  const menu = (frame, x, y) => popupMenu(x, y, [
    ["Zoom into it", () => onChange({ fz: pathOf(f.frames, frame) })],
    ["Callers and callees", () => navigate("callers", { fn: frame.name })],
    ["Source lines", () => navigate("list", { list: frame.name })],
  ]);
  return [
    h("div", { class: "controls" },
      profileControls(view, onChange),
      reportControls(state, view.sample_types, onChange),
      field("Search", "q", state.q, "highlight frames matching this regex", onChange),
      h("button", { class: "button", onclick: () => download("flame_svg", "flamegraph.svg") }, "Download SVG")),
    h("nav", { class: "breadcrumb", "aria-label": "zoom" },
      crumbs.map((c, i) => [i ? " › " : "", h("button", { class: "link", onclick: () => onChange({ fz: f.breadcrumb.slice(0, i) }) }, c)])),
    searchLine(f),
    view.base ? h("p", { class: "muted" }, `Widths: ${view.profile}. Colours: the change from ${view.base} (total ${f.base_total_text}): red grew, green shrank, grey unchanged; the deeper the colour, the larger the change.`) : null,
    flameCanvas(f, { onFrame: (frame) => onChange({ fz: pathOf(f.frames, frame) }), onMenu: menu, label: `flame graph of ${f.sample_type}` }),
    f.hidden ? h("p", { class: "muted" }, `${f.hidden} frames too narrow to draw; zoom in to see them.`) : null,
    f.notes.map((note) => h("p", { class: "muted" }, `${note[0].toUpperCase()}${note.slice(1)}.`)),
  ];
}

export function renderCallers(view, state, { onChange, navigate }) {
  const frame = (fl, invertedNote) => [
    h("h3", {}, invertedNote),
    flameCanvas(fl, { onFrame: (fr) => navigate("callers", { fn: fr.name }), label: invertedNote }),
  ];
  return [
    h("div", { class: "controls" },
      view.profiles.length > 1 ? select("Profile", "profile", view.profiles, view.profile, onChange) : null,
      field("Function", "fn", state.fn, "the function's name", onChange),
      reportControls(state, view.sample_types, onChange)),
    h("p", { class: "muted" }, `Every stack through ${view.function}, merged. Click a frame to centre on it.`),
    frame(view.callers, `Who calls ${view.function} (callers below it)`),
    frame(view.callees, `What ${view.function} calls`),
  ];
}
