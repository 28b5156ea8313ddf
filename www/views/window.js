// Long tables drawn a window at a time. A profile may have 20,000 rows;
// drawing them all made a page 900,000 px tall that froze the tab for
// seconds on every change of view. Here every row has one height (cells
// never wrap: long names end in an ellipsis, whole in the tooltip), so row
// i sits at i × that height and only the rows around what the scrolling
// box shows exist, with padding standing in for the others. The rows are
// data: searching filters the data and draws a new window.
import { h } from "../dom.js";

/** Rows drawn beyond each edge of what the box shows. */
const OVERSCAN = 8;
/** A redraw waits until fewer than this many drawn rows are left past an edge. */
const SLACK = 4;
/** A row's height (px) until the drawn rows can be measured. */
const GUESS = 24;
/**
 * Rows drawn first, before the box can say what it shows: enough to fill
 * it (its height is at most 75% of the window's: style.css), and every
 * row of a table this short.
 */
const FIRST = Math.max(40, Math.ceil((0.75 * window.innerHeight) / GUESS) + OVERSCAN);

/**
 * A table in a scrolling box with a sticky header.
 *   className: the table's classes ("report", "report trend"…);
 *   head: the header row (a tr);
 *   rows: the data, one item a row; row(item) → tr;
 *   onOpen(item): a click on a row, or Enter on it (rows are focusable;
 *   arrow keys, Page Up/Down, Home and End move between them);
 *   name(item): the text the search matches (default item.name).
 * Returns { el, table, show(rows), search(query) }.
 */
export function windowedTable({ className, head, rows, row, onOpen, name = (item) => item.name }) {
  const tbody = h("tbody", {
    onclick: onOpen ? (e) => openAt(e.target) : null,
    onkeydown: (e) => key(e),
  });
  const table = h("table", { class: className }, h("thead", {}, head), tbody);
  const sizer = h("div", { class: "window-sizer" }, table);
  const none = h("p", { class: "muted none", hidden: true }, "No row matches the search.");
  const box = h("div", { class: "window" }, sizer, none);
  const all = rows;
  let items = rows;
  let lowered = null; // names in lower case, made on the first search
  let first = 0; // the drawn rows are items[first..last)
  let last = 0;
  let height = 0; // of a row in px, once measured
  let headHeight = 0;

  const make = (i) => {
    const tr = row(items[i]);
    tr.dataset.index = i;
    if (onOpen) tr.tabIndex = 0;
    return tr;
  };
  const range = (from, to) => Array.from({ length: Math.max(0, to - from) }, (_, k) => make(from + k));

  /** The padding standing in for the rows not drawn (through CSSOM: the CSP allows no style attributes). */
  function pad() {
    const px = height || GUESS;
    sizer.style.paddingTop = `${first * px}px`;
    sizer.style.paddingBottom = `${(items.length - last) * px}px`;
  }

  /** Draws items[from..to), keeping the rows already drawn there (and focus in them). */
  function draw(from, to) {
    if (to <= first || from >= last) tbody.replaceChildren(...range(from, to));
    else {
      for (; first < from; first++) tbody.firstElementChild.remove();
      for (; last > to; last--) tbody.lastElementChild.remove();
      tbody.prepend(...range(from, first));
      tbody.append(...range(last, to));
    }
    first = from;
    last = to;
    pad();
  }

  /** Every row has the same height: measured over the drawn rows (false when not laid out). */
  function measure() {
    if (!tbody.firstElementChild) return false;
    const a = tbody.firstElementChild.getBoundingClientRect();
    const b = tbody.lastElementChild.getBoundingClientRect();
    if (b.bottom <= a.top) return false;
    height = (b.bottom - a.top) / (last - first);
    headHeight = table.tHead.offsetHeight;
    return true;
  }

  /**
   * Draws the rows the box shows, with some to spare on either side.
   * Layout is read before anything is written, so called when the page
   * is laid out (a scroll, a resize) it forces no layout of its own.
   */
  function update({ remeasure = false } = {}) {
    if (!box.isConnected) return;
    const measured = !height || remeasure;
    if (measured && !measure()) return;
    const n = items.length;
    const y = box.scrollTop - headHeight;
    const top = Math.max(0, Math.floor(y / height));
    const bottom = Math.min(n, Math.ceil((y + box.clientHeight) / height));
    if (measured) {
      // A row focused by the keys scrolls into view below the sticky header.
      box.style.scrollPaddingTop = `${headHeight}px`;
      pad();
    }
    const short = (top < first + SLACK && first > 0) || (bottom > last - SLACK && last < n);
    if (short) draw(Math.max(0, top - OVERSCAN), Math.min(n, bottom + OVERSCAN));
  }

  /** Shows item i (drawing its window) and focuses its row. */
  function focusRow(i) {
    i = Math.max(0, Math.min(items.length - 1, i));
    if (i < first || i >= last) {
      box.scrollTop = i * (height || GUESS);
      update();
      // (A box not laid out cannot say what it shows: draw around i.)
      const from = Math.max(0, i - OVERSCAN);
      if (i < first || i >= last) draw(from, Math.min(items.length, from + FIRST));
    }
    tbody.children[i - first]?.focus();
  }

  function key(e) {
    const tr = e.target.closest("tr[data-index]");
    if (!tr) return;
    const i = Number(tr.dataset.index);
    const page = Math.max(1, Math.floor(box.clientHeight / (height || GUESS)) - 1);
    const to = { ArrowDown: i + 1, ArrowUp: i - 1, PageDown: i + page, PageUp: i - page, Home: 0, End: items.length - 1 }[e.key];
    if (e.key === "Enter" && onOpen) onOpen(items[i]);
    else if (to === undefined) return;
    else focusRow(to);
    e.preventDefault();
  }

  function openAt(target) {
    const tr = target.closest("tr[data-index]");
    if (tr) onOpen(items[Number(tr.dataset.index)]);
  }

  /** Shows other rows (a search's), from the top. */
  function show(next) {
    items = next;
    // A box holding more rows than it draws has a fixed height and
    // contains its layout: drawing rows lays out the box, not the page.
    box.classList.toggle("tall", items.length > FIRST);
    none.hidden = items.length > 0 || all.length === 0;
    first = last = 0;
    tbody.replaceChildren();
    box.scrollTop = 0;
    draw(0, Math.min(items.length, FIRST));
    update();
  }

  /** Keeps the rows whose name contains `query` (any case); "" keeps all. */
  function search(query) {
    const q = query.toLowerCase();
    if (!q) return show(all);
    lowered ??= all.map((item) => name(item).toLowerCase());
    show(all.filter((_, k) => lowered[k].includes(q)));
  }

  box.addEventListener("scroll", () => update(), { passive: true });
  // Laid out for the first time, or resized (a header may wrap): measure
  // and fill the box. A box taken out of the page stops being watched.
  const watch = new ResizeObserver(() => (box.isConnected ? update({ remeasure: true }) : watch.disconnect()));
  watch.observe(box);
  show(rows);
  return { el: box, table, show, search };
}

/**
 * Appends make(item) for each item to `parent`, a slice at a time: each
 * slice stops after `budget` ms (or `most` items: what a slice costs to
 * lay out, after this, counts too) and the next waits for the page to
 * paint and answer input. For lists whose items have no single height
 * (the Source view's listings, the Overview's cards). The first slice is
 * appended at once, or after a frame if `later` (what comes before it is
 * painted first); stops when `parent` has left the page.
 */
export async function appendSliced(parent, items, make, budget = 12, most = Infinity, later = false) {
  for (let i = 0; i < items.length;) {
    if (i > 0 || later) {
      await nextFrame();
      if (!parent.isConnected) return;
    }
    const start = performance.now();
    const slice = [];
    do slice.push(make(items[i++]));
    while (i < items.length && slice.length < most && performance.now() - start < budget);
    parent.append(...slice);
  }
}

/**
 * Resolves after the page has rendered a frame: a timeout alone ran
 * three slices before one frame laid them all out (a 268 ms frame). A
 * hidden tab renders no frames: it goes on after 100 ms.
 */
function nextFrame() {
  return new Promise((ok) => {
    requestAnimationFrame(() => setTimeout(ok));
    setTimeout(ok, 100);
  });
}

/**
 * `n` with its thousands grouped ("12,000"). Not toLocaleString: its first
 * call loads the locale's data, 30 ms of a main-thread task.
 */
export function grouped(n) {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}
