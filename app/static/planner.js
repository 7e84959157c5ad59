// The titration planner: calls the public API (/drugs, /titration) like any client would.
"use strict";

const FIELDS = ["drug", "regimen", "direction", "target_daily_mg", "current_daily_mg", "start_date",
  "strength_mg", "allow_half_tablets", "crcl_ml_min", "age_years", "weight_kg", "sex",
  "serum_creatinine_mg_dl", "child_pugh"];
const $ = (id) => document.getElementById(id);
let currentDrug = null;

function clearErrors() {
  document.querySelectorAll(".error").forEach((el) => { el.hidden = true; el.textContent = ""; });
  document.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
}

function showError(field, message) {
  const target = $(`${field}-error`) || $("form-error");
  target.textContent = message;
  target.hidden = false;
  const input = $(field);
  if (input) input.setAttribute("aria-invalid", "true");
}

function sourceText(source) {
  if (!source) return "";
  const parts = [source.title];
  if (source.set_id) parts.push(`set id ${source.set_id}`);
  if (source.version) parts.push(`version ${source.version}`);
  if (source.effective_date) parts.push(source.effective_date);
  parts.push(`section ${source.section}`);
  return parts.join(", ");
}

function sourceLink(source) {
  const a = document.createElement("a");
  a.href = source.url;
  a.textContent = sourceText(source);
  a.rel = "noopener";
  return a;
}

async function getJSON(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  const body = await response.json();
  return { ok: response.ok, status: response.status, body };
}

async function suggest() {
  const q = $("drug").value.trim();
  if (q.length < 2) return;
  const { ok, body } = await getJSON(`/drugs?${new URLSearchParams({ q, limit: "20" })}`);
  if (!ok) return;
  const list = $("drug-options");
  list.replaceChildren();
  for (const drug of body.results) {
    for (const name of [drug.generic_name, ...drug.brand_names]) {
      const option = document.createElement("option");
      option.value = name;
      option.label = name === drug.generic_name ? drug.drug_class : `${drug.generic_name} (brand)`;
      list.append(option);
    }
  }
}

function fillStrengths(regimen) {
  const select = $("strength_mg");
  const keep = select.value;
  select.replaceChildren(new Option("Any", ""));
  const product = currentDrug && currentDrug.products.find((p) => p.id === regimen.product);
  if (product) {
    for (const strength of product.strengths_mg) select.append(new Option(`${strength} mg`, String(strength)));
  }
  if ([...select.options].some((o) => o.value === keep)) select.value = keep;
}

async function loadDrug(wantedRegimen) {
  clearErrors();
  const name = $("drug").value.trim();
  if (!name) { showError("drug", "Enter a drug name."); return false; }
  const { ok, body } = await getJSON(`/drugs/${encodeURIComponent(name)}`);
  if (!ok) {
    const hint = body.suggestions && body.suggestions.length ? ` Did you mean ${body.suggestions.join(", ")}?` : "";
    showError("drug", `${body.title}: no drug is known as “${name}”.${hint}`);
    currentDrug = null;
    return false;
  }
  currentDrug = body.results;
  const select = $("regimen");
  select.replaceChildren();
  for (const regimen of currentDrug.regimens) {
    select.append(new Option(`${regimen.name} — ${regimen.population}`, regimen.id));
  }
  if (!currentDrug.regimens.length) {
    showError("regimen", `No titration regimen could be verified in the label for ${currentDrug.generic_name}.`);
    return false;
  }
  if (wantedRegimen && currentDrug.regimens.some((r) => r.id === wantedRegimen)) select.value = wantedRegimen;
  fillStrengths(currentDrug.regimens.find((r) => r.id === select.value));
  return true;
}

function params() {
  const query = new URLSearchParams();
  for (const field of FIELDS) {
    const input = $(field);
    if (!input) continue;
    if (input.type === "checkbox") { if (input.checked) query.set(field, "true"); continue; }
    const value = input.value.trim();
    const hiddenByDirection = input.closest("[data-direction]");
    if (hiddenByDirection && hiddenByDirection.hidden) continue;
    if (value !== "") query.set(field, value);
  }
  if (query.get("direction") === "up") query.delete("direction");
  return query;
}

function describeDose(step) {
  if (step.daily_mg === 0) return "stop";
  const every = step.period_days === 1 ? "" : step.period_days === 2 ? " every other day" : ` every ${step.period_days} days`;
  return `${step.dose_mg} mg${every}`;
}

function number(value) {
  return String(Math.round(value * 1000) / 1000);
}

// What makes one dose: "1 x 20 mg tablet + 1 x 5 mg tablet", or "5 mL" of a solution.
function describeUnits(step) {
  if (step.daily_mg === 0) return "";
  if (step.volume_ml !== null && step.volume_ml !== undefined) return `${number(step.volume_ml)} mL`;
  if (step.units && step.units.length) {
    return step.units.map((u) => `${number(u.count)} x ${number(u.strength_mg)} mg ${u.form}`).join(" + ");
  }
  return step.units_per_dose === null ? "" : `${number(step.units_per_dose)} x ${step.unit}`;
}

function render(plan, query) {
  $("result").hidden = false;
  $("result-title").textContent = `${plan.drug.generic_name}: ${plan.regimen.name}`;
  const kidney = plan.crcl_ml_min !== null ? ` Creatinine clearance ${plan.crcl_ml_min} mL/min.` : "";
  $("result-summary").textContent =
    `${plan.direction === "down" ? "Taper" : "Titration"} for ${plan.regimen.indication} (${plan.regimen.population}). ` +
    `Maximum ${plan.max_daily_mg} mg/day${plan.max_dose_mg ? `, ${plan.max_dose_mg} mg per dose` : ""}.${kidney}`;
  const liver = plan.hepatic_band ? ` Child-Pugh ${query.get("child_pugh")} band applied.` : "";
  $("result-summary").textContent += liver;
  const body = $("steps").tBodies[0];
  body.replaceChildren();
  const headings = [...$("steps").tHead.rows[0].cells].map((c) => c.textContent);
  for (const step of plan.steps) {
    const row = body.insertRow();
    const dates = step.start_date ? `${step.start_date} – ${step.end_date}` : "";
    const values = [step.step, `${step.day_start}–${step.day_end}`, dates, describeDose(step),
      step.daily_mg === 0 ? "" : step.times_per_day, step.daily_mg, describeUnits(step)];
    values.forEach((value, index) => {
      const cell = row.insertCell();
      cell.textContent = String(value);
      cell.dataset.label = headings[index];  // shown beside the value on narrow screens
    });
  }
  const warnings = $("warnings");
  warnings.replaceChildren();
  for (const warning of plan.warnings) {
    const item = document.createElement("li");
    item.append(warning.text);
    if (warning.source) { item.append(" — "); item.append(sourceLink(warning.source)); }
    warnings.append(item);
  }
  const sources = $("sources");
  sources.replaceChildren();
  const regimenItem = document.createElement("li");
  regimenItem.append(`Schedule and maximum ${plan.max_daily_mg} mg/day: `);
  regimenItem.append(sourceLink(plan.regimen.source));
  sources.append(regimenItem);
  if (plan.renal_band) {
    const band = plan.renal_band;
    const item = document.createElement("li");
    const upper = band.crcl_max_ml_min === null ? "and above" : `to < ${band.crcl_max_ml_min}`;
    item.append(`Kidney band ${band.crcl_min_ml_min} ${upper} mL/min` +
      (band.max_daily_mg ? `, at most ${band.max_daily_mg} mg/day: ` : ": "));
    item.append(sourceLink(band.source));
    sources.append(item);
  }
  for (const [format, id] of [["ics", "download-ics"], ["csv", "download-csv"], ["fhir", "download-fhir"]]) {
    const link = $(id);
    const q = new URLSearchParams(query);
    q.set("format", format);
    link.href = `/titration?${q}`;
    link.download = `${plan.drug.id}-${plan.regimen.id}.${format === "fhir" ? "json" : format}`;
    const missingDate = format === "ics" && !query.get("start_date");
    link.hidden = missingDate;
    if (format === "ics") $("ics-needs-date").hidden = !missingDate;
  }
}

async function showSchedule() {
  clearErrors();
  if (!currentDrug && !(await loadDrug())) return;
  const query = params();
  history.replaceState(null, "", `/planner?${query}`);
  const { ok, body } = await getJSON(`/titration?${query}`);
  if (!ok) {
    $("result").hidden = true;
    if (body.errors) {
      for (const error of body.errors) showError(error.location.replace(/^(query\.|body\.)?(patient\.)?/, ""), error.message);
    } else if (body.limit) {
      const field = query.get("direction") === "down" ? "current_daily_mg" : "target_daily_mg";
      showError(field, `${body.detail} Source: ${sourceText(body.source)}.`);
    } else if (body.type && body.type.endsWith("/unknown-drug")) {
      showError("drug", body.detail);
    } else if (body.type && body.type.endsWith("/unknown-regimen")) {
      showError("regimen", body.detail);
    } else if (/target/i.test(body.detail)) {
      showError("target_daily_mg", body.detail);
    } else if (/current_daily_mg/.test(body.detail)) {
      showError("current_daily_mg", body.detail);
    } else if (/Cockcroft-Gault|clearance/i.test(body.detail)) {
      showError("crcl_ml_min", body.detail);
    } else {
      showError("form", body.detail);
    }
    return;
  }
  render(body.results, query);
  const chart = await fetch(`/titration?${new URLSearchParams({ ...Object.fromEntries(query), format: "svg" })}`);
  if (chart.ok) {
    const svg = new DOMParser().parseFromString(await chart.text(), "image/svg+xml").documentElement;
    $("chart").replaceChildren(document.importNode(svg, true));
  }
}

function syncDirection() {
  const direction = $("direction").value;
  document.querySelectorAll("[data-direction]").forEach((el) => { el.hidden = el.dataset.direction !== direction; });
}

document.addEventListener("DOMContentLoaded", async () => {
  const url = new URLSearchParams(location.search);
  for (const field of FIELDS) {
    const input = $(field);
    if (!input || !url.has(field) || field === "regimen") continue;
    if (input.type === "checkbox") input.checked = url.get(field) === "true";
    else input.value = url.get(field);
  }
  syncDirection();
  let timer = null;
  $("drug").addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(suggest, 150); });
  $("drug").addEventListener("change", async () => { currentDrug = null; await loadDrug(); });
  $("regimen").addEventListener("change", () => {
    if (currentDrug) fillStrengths(currentDrug.regimens.find((r) => r.id === $("regimen").value));
  });
  $("direction").addEventListener("change", syncDirection);
  $("plan-form").addEventListener("submit", (event) => { event.preventDefault(); showSchedule(); });
  $("print").addEventListener("click", () => window.print());
  if ($("drug").value.trim()) {
    if (await loadDrug(url.get("regimen"))) {
      if (url.get("strength_mg")) $("strength_mg").value = url.get("strength_mg");
      await showSchedule();
    }
  }
});
