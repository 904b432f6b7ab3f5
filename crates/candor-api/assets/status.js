"use strict";
// The status page: follows the interview every second; once it completes,
// the report page replaces this one, with a bar of what to do with it.
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
    completed: "Done",
    failed: "Failed",
    cancelled: "Cancelled",
  };
  document.getElementById("interview-id").textContent = id;

  // What a processing analysis is doing, read from its progress: the
  // worker reports the share of the recording the slowest stage has
  // reached, 0 until the recording is open and 1 once it is all heard.
  function description(view) {
    if (view.status !== "processing") return DESCRIPTIONS[view.status] || view.status;
    if (view.progress <= 0) return "Starting: opening the recording";
    if (view.progress < 1) return "Listening and watching";
    return "Writing the report";
  }

  // Time left at the pace this analysis has gone so far: the server
  // measures how long the running attempt has taken (`processing_ms`), the
  // worker how far through the recording it is. None until there is
  // enough of either to go by.
  function timeLeft(view) {
    const progress = view.progress;
    const seconds = (view.processing_ms || 0) / 1000;
    if (progress < 0.05 || progress >= 1 || seconds < 3) return "";
    const left = (seconds * (1 - progress)) / progress;
    return left < 90 ? "about " + Math.max(5, Math.round(left / 5) * 5) + " s left"
      : "about " + Math.round(left / 60) + " min left";
  }

  // Said aloud on a change of state and every 25 %, not every second.
  let said = "";
  function announce(text) {
    if (text !== said) live.textContent = said = text;
  }

  function show(view) {
    const doing = description(view);
    state.textContent = doing;
    if (view.question) {
      question.textContent = "“" + view.question + "”";
      question.hidden = false;
    }
    if (view.status === "pending") {
      bar.removeAttribute("value");
      percent.textContent = "";
      announce(doing);
    } else {
      const done = view.status === "completed" ? 100 : Math.round(100 * view.progress);
      bar.value = done;
      const left = view.status === "processing" ? timeLeft(view) : "";
      percent.textContent = done + " %" + (left ? " · " + left : "");
      announce(doing + (view.status === "processing" ? ", " + Math.floor(done / 25) * 25 + " %" : ""));
    }
    if (view.error) {
      error.textContent = (view.error.message || view.error.code) + " (" + view.error.code + ")";
    }
  }

  async function showReport(view) {
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
    addActions(xhr.responseText, view.question);
  }

  // Saves `body` as a file named `name` through a temporary link.
  function save(body, type, name) {
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([body], { type }));
    link.download = name;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  }

  // The site's header, kept above the report, with what to do with it:
  // answer the question again or the next one on the practice page,
  // download the report, delete it. Styled with the report's own colours,
  // so that it follows its light or dark theme.
  function addActions(page, question) {
    const style = document.createElement("style");
    style.textContent =
      ".site { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem 1rem; " +
      "padding: .5rem 0; border-bottom: 1px solid var(--rule); }" +
      ".site .brand { font-weight: 700; color: var(--text); }" +
      ".site .tagline { color: var(--muted); margin-right: auto; }" +
      ".site nav a { display: inline-block; padding: .6rem 0; margin-left: 1rem; }" +
      // On a phone the brand and the pages share one line.
      "@media (max-width: 30rem) { .site .tagline { display: none; } .site .brand { margin-right: auto; } }" +
      ".actions { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem; flex-basis: 100%; }" +
      ".actions button { font: inherit; min-height: 44px; padding: 0 .6rem; cursor: pointer; " +
      "color: var(--link); background: var(--chip-bg); border: 1px solid var(--chip-border); border-radius: .4rem; }" +
      ".actions a { display: inline-block; padding: .6rem 0; }" +
      // The live region stays in the page, empty, so that what it is
      // given later is announced.
      "#actions-status { margin: 0; flex-basis: 100%; }";
    document.head.append(style);
    // A div, not a header: it goes inside the report's own banner.
    const bar = document.createElement("div");
    bar.className = "site";
    bar.innerHTML =
      '<a class="brand" href="/">Candor</a><span class="tagline">interview feedback</span>' +
      '<nav aria-label="Pages"><a href="/practice">Practise</a><a href="/">Upload</a></nav>' +
      '<div class="actions" role="group" aria-label="This report">' +
      '<span>Download ' +
      '<button type="button" id="download-json" aria-label="Download JSON">JSON</button> ' +
      '<button type="button" id="download-html" aria-label="Download HTML">HTML</button></span>' +
      (question
        ? '<a id="try-again" href="/practice?question=' + encodeURIComponent(question) + '">Try again</a>' +
          '<a id="next-question" href="/practice?next=' + encodeURIComponent(question) + '">Next question</a>'
        : '<a href="/practice">Record an answer</a>') +
      '<button type="button" id="delete-report">Delete…</button>' +
      '<p id="actions-status" role="status"></p></div>';
    // At the top of the report's banner, which the skip link leads past.
    const banner = document.querySelector("header.top");
    if (banner) banner.prepend(bar);
    else document.body.prepend(bar);
    const status = bar.querySelector("#actions-status");
    const file = "candor-" + id;

    bar.querySelector("#download-html").addEventListener("click", () => {
      save(page, "text/html", file + ".html");
    });
    bar.querySelector("#download-json").addEventListener("click", async () => {
      const xhr = await Candor.request("GET", path + "/feedback");
      if (xhr.status === 200) save(xhr.responseText, "application/json", file + ".json");
      else status.textContent = "The report could not be downloaded: " + Candor.errorMessage(xhr);
    });
    // Deleting asks once more, on the same button, not in a dialog.
    const remove = bar.querySelector("#delete-report");
    remove.addEventListener("click", async () => {
      const deleted = await Candor.deleteOnSecondPress(id, remove, status,
        "Delete the recording and this report", "Press again to delete them for good.");
      if (deleted) location.assign("/");
    });
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
    if (view.status === "completed") await showReport(view);
    else if (view.status === "pending" || view.status === "processing") setTimeout(poll, 1000);
  }

  poll();
})();
