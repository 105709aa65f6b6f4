// The finance page: fetches reports with the finance token, draws tables and an inline SVG
// chart, downloads CSV, and uploads the operator's invoice for matching. No third-party code.
const $ = (id) => document.getElementById(id);
const API = "/api/v1";
const money = new Intl.NumberFormat("de-DE", { style: "currency", currency: "EUR" });
let lastQuery = null;
let lastInvoice = null;

function token() {
  const value = $("token").value.trim();
  sessionStorage.setItem("finance-token", value);
  return value;
}

async function call(path, options = {}) {
  const response = await fetch(API + path, { ...options, headers: { ...(options.headers || {}), Authorization: `Bearer ${token()}` } });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.detail || `${response.status} ${response.statusText}`);
  }
  return response;
}

function cell(column, value) {
  const td = document.createElement("td");
  if (column.endsWith("_cents") && typeof value === "number") {
    td.textContent = money.format(value / 100);
    td.className = "num";
  } else {
    td.textContent = Array.isArray(value) ? value.map((v) => (typeof v === "object" ? `${v.device_id} ${v.redeemed_at}` : v)).join("; ") : (value ?? "");
    if (typeof value === "number") td.className = "num";
  }
  return td;
}

function table(element, rows) {
  element.replaceChildren();
  if (!rows.length) {
    element.insertRow().insertCell().textContent = "–";
    return;
  }
  const columns = Object.keys(rows[0]);
  const head = element.createTHead().insertRow();
  for (const column of columns) {
    const th = document.createElement("th");
    th.textContent = column;
    head.append(th);
  }
  const body = element.createTBody();
  for (const row of rows) {
    const tr = body.insertRow();
    for (const column of columns) tr.append(cell(column, row[column]));
  }
}

function chart(days) {
  const width = 640, height = 180, pad = 24;
  const max = Math.max(1, ...days.map((d) => d.redeemed));
  const step = days.length ? (width - 2 * pad) / days.length : 0;
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  days.forEach((day, i) => {
    const bar = document.createElementNS(ns, "rect");
    const h = (day.redeemed / max) * (height - 2 * pad);
    bar.setAttribute("x", pad + i * step + 1);
    bar.setAttribute("y", height - pad - h);
    bar.setAttribute("width", Math.max(1, step - 2));
    bar.setAttribute("height", h);
    bar.setAttribute("fill", "#0b3d91");
    const title = document.createElementNS(ns, "title");
    title.textContent = `${day.date}: ${day.redeemed}`;
    bar.append(title);
    svg.append(bar);
  });
  const label = document.createElementNS(ns, "text");
  label.setAttribute("x", pad);
  label.setAttribute("y", 14);
  label.setAttribute("font-size", "12");
  label.textContent = `max. ${max} Fahrten/Tag`;
  svg.append(label);
  $("chart").replaceChildren(svg);
}

/** Fetch a CSV with the token (a plain link could not send it) and save it as a file. */
async function download(path, filename, options = {}) {
  const blob = await (await call(path, options)).blob();
  const link = document.createElement("a");
  link.href = URL.createObjectURL(blob);
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
}

const decimal = () => ($("comma").checked ? "comma" : "point");

function showError(error) {
  $("error").textContent = String(error.message || error);
  $("error").hidden = false;
}

async function showReport(event) {
  event.preventDefault();
  $("error").hidden = true;
  lastQuery = `from=${$("from").value}&to=${$("to").value}`;
  const report = await (await call(`/reconciliation?${lastQuery}`)).json();
  table($("totals"), [report.totals]);
  for (const name of ["by_cost_center", "by_day", "by_fare_class", "flags"]) table($(name), report[name]);
  chart(report.by_day);
  $("report").hidden = false;
}

async function matchInvoice(event) {
  event.preventDefault();
  $("error").hidden = true;
  const body = $("invoice").files[0]; // the file's bytes as they are: the server reads every encoding
  lastInvoice = body;
  const report = await (await call("/invoices/match", { method: "POST", headers: { "Content-Type": "text/csv" }, body })).json();
  table($("invoice-totals"), [report.totals]);
  const lists = $("invoice-lists");
  lists.replaceChildren();
  for (const name of ["matched", "billed_not_redeemed", "billed_twice", "billed_after_revocation", "over_max_fare", "redeemed_not_billed", "rejected_lines"]) {
    const heading = document.createElement("h3");
    heading.textContent = `${name} (${report[name].length})`;
    const t = document.createElement("table");
    t.id = `invoice-${name}`;
    table(t, report[name]);
    lists.append(heading, t);
  }
  $("invoice-report").hidden = false;
}

function start() {
  const today = new Date();
  const first = new Date(today.getFullYear(), today.getMonth(), 1);
  const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  $("from").value = iso(first);
  $("to").value = iso(today);
  $("token").value = sessionStorage.getItem("finance-token") || "";
  $("report-form").addEventListener("submit", (e) => showReport(e).catch(showError));
  $("invoice-form").addEventListener("submit", (e) => matchInvoice(e).catch(showError));
  for (const button of document.querySelectorAll("button.csv")) {
    button.addEventListener("click", () => {
      const table = button.dataset.table;
      download(`/reconciliation?${lastQuery}&format=csv&decimal=${decimal()}${table ? `&table=${table}` : ""}`,
        `${table || "abrechnung"}-${$("from").value}-${$("to").value}.csv`).catch(showError);
    });
  }
  $("invoice-csv").addEventListener("click", () => download(`/invoices/match?format=csv&decimal=${decimal()}`,
    "rechnungsabgleich.csv", { method: "POST", headers: { "Content-Type": "text/csv" }, body: lastInvoice }).catch(showError));
  document.body.dataset.ready = "true";
}

start();
