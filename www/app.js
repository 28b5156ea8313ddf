// The page's shell: DOM, events, files. No parsing and no arithmetic on
// profile data: the core (WebAssembly) computes and formats everything.
// Names from files are only ever set with textContent, never as markup.

import init, { LoadedProfile } from "../pkg/leakscope.js";

const $ = (id) => document.getElementById(id);
let profile = null;

function showError(name, message) {
  const card = document.createElement("div");
  card.className = "error";
  const title = document.createElement("strong");
  title.textContent = name;
  card.append(title, document.createTextNode(": " + message));
  $("errors").append(card);
}

function options() {
  return {
    sample_index: $("sample-type").value,
    granularity: $("granularity").value,
    filters: { focus: $("focus").value, ignore: $("ignore").value },
  };
}

function render() {
  if (!profile) return;
  let table;
  try {
    table = profile.top(options());
  } catch (e) {
    showError("report", e.message);
    return;
  }
  $("errors").replaceChildren();
  $("header").textContent = table.header.join("\n");
  const body = document.createElement("tbody");
  for (const row of table.rows) {
    const tr = document.createElement("tr");
    const name = row.inline_label ? `${row.name} ${row.inline_label}` : row.name;
    for (const text of [row.flat_text, row.flat_percent, row.sum_percent, row.cum_text, row.cum_percent, name]) {
      const td = document.createElement("td");
      td.textContent = text;
      tr.append(td);
    }
    tr.lastChild.className = "name";
    body.append(tr);
  }
  $("top").tBodies[0].replaceWith(body);
  $("report").hidden = false;
}

async function load(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  try {
    const loaded = new LoadedProfile(bytes);
    if (profile) profile.free();
    profile = loaded;
  } catch (e) {
    showError(file.name, e.message);
    return;
  }
  const info = profile.info();
  const select = $("sample-type");
  select.replaceChildren(
    ...info.sample_types.map((t) => {
      const o = document.createElement("option");
      o.value = o.textContent = t.type;
      o.selected = t.type === info.default_sample_type;
      return o;
    }),
  );
  render();
}

await init();
$("file").addEventListener("change", (e) => [...e.target.files].forEach(load));
for (const id of ["sample-type", "granularity", "focus", "ignore"]) {
  $(id).addEventListener(id === "focus" || id === "ignore" ? "input" : "change", render);
}
document.addEventListener("dragover", (e) => e.preventDefault());
document.addEventListener("drop", (e) => {
  e.preventDefault();
  [...e.dataTransfer.files].forEach(load);
});
