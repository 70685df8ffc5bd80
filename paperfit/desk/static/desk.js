// The desk's own script (no inline script: the page's CSP allows only files from the desk).
// On the entry page: Enter moves to the next box and saves on the last; the total and the
// workbook's checks show as values are typed; the next session is suggested.
"use strict";

(function () {
  const ORDER = ["client", "instrument", "session", "date", "item1", "item2", "item3", "item4"];

  function value(text) {
    const cleaned = text.trim().replace(",", ".").replace(/\s*cm$/i, "");
    if (cleaned === "") return null;
    if (!/^\d{1,2}(\.\d+)?$|^\.\d+$/.test(cleaned)) return NaN;
    return Number(cleaned);
  }

  function check(form) {
    const out = form.querySelector("#total");
    const problems = [];
    let total = 0;
    let complete = true;
    for (let n = 1; n <= 4; n++) {
      const box = form.querySelector("#item" + n);
      const v = value(box.value);
      box.classList.remove("bad");
      if (v === null) { complete = false; continue; }
      if (Number.isNaN(v) || v < 0 || v > 10) {
        problems.push(box.closest("label").firstChild.textContent.trim() + ": 0–10");
        box.classList.add("bad");
        complete = false;
        continue;
      }
      if (Math.round(v * 10) !== v * 10) {
        problems.push(box.closest("label").firstChild.textContent.trim() + ": 0.1");
      }
      total += v;
    }
    const label = out.textContent.split(":")[0];
    out.textContent = label + ": " + (complete ? total.toFixed(1) : "–");
    form.querySelector("#entry-check").textContent = problems.join(" · ");
  }

  function suggest(form) {
    const client = form.querySelector("#client").value.trim();
    const instrument = form.querySelector("#instrument").value;
    const session = form.querySelector("#session");
    if (!client || session.dataset.typed === "1") return;
    const url = "/entry/next?client=" + encodeURIComponent(client) +
      "&instrument=" + encodeURIComponent(instrument);
    fetch(url, { credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : null))
      .then((data) => {
        // A box the typist is in (or has typed in) is theirs: never change it under them.
        const theirs = session.dataset.typed === "1" || document.activeElement === session;
        if (data && data.session && !theirs) session.value = data.session;
      })
      .catch(() => {});
  }

  function wire(form) {
    if (!form || form.dataset.wired) return;
    form.dataset.wired = "1";
    form.addEventListener("input", (event) => {
      if (event.target.id === "session") event.target.dataset.typed = "1";
      check(form);
    });
    form.querySelector("#client").addEventListener("change", () => suggest(form));
    form.querySelector("#instrument").addEventListener("change", () => suggest(form));
    form.addEventListener("keydown", (event) => {
      if (event.key !== "Enter" || event.target.tagName === "BUTTON") return;
      const at = ORDER.indexOf(event.target.name);
      if (at < 0) return;
      event.preventDefault();
      if (event.target.name === "client") suggest(form);
      if (at === ORDER.length - 1) {
        form.requestSubmit();
        return;
      }
      const next = form.querySelector("[name=" + ORDER[at + 1] + "]");
      next.focus();
      if (next.select) next.select();
    });
    check(form);
    const first = form.querySelector("#client");
    if (first) first.focus();
  }

  function start() {
    wire(document.getElementById("entry"));
  }

  document.addEventListener("DOMContentLoaded", start);
  // htmx swaps a fresh form in after each save: wire it too.
  document.addEventListener("htmx:afterSettle", start);
})();
