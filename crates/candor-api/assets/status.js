"use strict";
// The status page: follows the interview every second; once it completes,
// the report page replaces this one.
(() => {
  const id = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop());
  const path = "/api/v1/interviews/" + encodeURIComponent(id);
  const question = document.getElementById("question");
  const state = document.getElementById("state");
  const bar = document.getElementById("analysis-bar");
  const percent = document.getElementById("percent");
  const live = document.getElementById("live");
  const error = document.getElementById("status-error");
  const DESCRIPTIONS = {
    pending: "Waiting for a worker",
    processing: "Analysing",
    completed: "Done",
    failed: "Failed",
    cancelled: "Cancelled",
  };
  document.getElementById("interview-id").textContent = id;

  // Said aloud on a change of state and every 25 %, not every second.
  let said = "";
  function announce(text) {
    if (text !== said) live.textContent = said = text;
  }

  function show(view) {
    const description = DESCRIPTIONS[view.status] || view.status;
    state.textContent = description;
    if (view.question) {
      question.textContent = "“" + view.question + "”";
      question.hidden = false;
    }
    if (view.status === "pending") {
      bar.removeAttribute("value");
      percent.textContent = "";
      announce(description);
    } else {
      const done = view.status === "completed" ? 100 : Math.round(100 * view.progress);
      bar.value = done;
      percent.textContent = done + " %";
      announce(description + (view.status === "processing" ? ", " + Math.floor(done / 25) * 25 + " %" : ""));
    }
    if (view.error) {
      error.textContent = (view.error.message || view.error.code) + " (" + view.error.code + ")";
    }
  }

  async function showReport() {
    const xhr = await Candor.request("GET", path + "/report", { accept: "text/html" });
    if (xhr.status !== 200) {
      error.textContent = "The report could not be loaded: " + Candor.errorMessage(xhr);
      return;
    }
    // The report is a whole page with its own script; written this way,
    // that script runs (sessionStorage stays).
    document.open();
    document.write(xhr.responseText);
    document.close();
  }

  async function poll() {
    let xhr;
    try {
      xhr = await Candor.request("GET", path);
    } catch (failure) {
      error.textContent = failure.message + " Retrying…";
      setTimeout(poll, 2000);
      return;
    }
    if (xhr.status !== 200) {
      error.textContent = Candor.errorMessage(xhr);
      if (xhr.status === 429 || xhr.status >= 500) setTimeout(poll, 2000);
      return;
    }
    error.textContent = "";
    const view = JSON.parse(xhr.responseText);
    show(view);
    if (view.status === "completed") await showReport();
    else if (view.status === "pending" || view.status === "processing") setTimeout(poll, 1000);
  }

  poll();
})();
