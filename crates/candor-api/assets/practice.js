"use strict";
// The practice page: choose a question (from the bank inside the page, or
// your own), prepare for a moment, answer to the camera and microphone
// (MediaRecorder, WebM), check the take, then send it for feedback.
// `?question=TEXT` opens with that question (the report's "Try again"),
// `?next=TEXT` with the one after it in its category ("Next question").
(() => {
  const bank = JSON.parse(document.getElementById("question-bank").textContent).category;
  const $ = (id) => document.getElementById(id);
  const sections = { choose: $("choose"), record: $("record"), review: $("review") };
  const category = $("category");
  const list = $("question-list");
  const own = $("own");
  const ownQuestion = $("own-question");
  const candidate = $("candidate_ref");
  const chooseError = $("choose-error");
  const preview = $("preview");
  const clock = $("clock");
  const recordStatus = $("record-status");
  const begin = $("begin");
  const stop = $("stop");
  const playback = $("playback");
  const sendError = $("send-error");
  const REF_STORAGE = "candor.practiceRef";
  const OWN = "own";

  let stream = null;
  let recorder = null;
  let timer = null;
  let take = null; // { blob, seconds, question }
  let question = "";

  function show(name) {
    for (const [key, section] of Object.entries(sections)) section.hidden = key !== name;
    const heading = sections[name].querySelector("h2");
    heading.tabIndex = -1;
    heading.focus();
  }

  function clockText(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    return Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
  }

  // --- Choosing ------------------------------------------------------------

  for (const c of bank) category.add(new Option(c.name, c.id));
  category.add(new Option("Your own question", OWN));

  function showQuestions(selected) {
    const chosen = bank.find((c) => c.id === category.value);
    own.hidden = Boolean(chosen);
    list.hidden = !chosen;
    $("category-about").textContent = chosen ? chosen.about : "Type the question you want to practise.";
    list.querySelectorAll("label").forEach((label) => label.remove());
    if (!chosen) return;
    chosen.questions.forEach((text, i) => {
      const label = document.createElement("label");
      const input = document.createElement("input");
      input.type = "radio";
      input.name = "question";
      input.value = text;
      input.checked = selected === undefined ? i === 0 : text === selected;
      label.append(input, " " + text);
      list.append(label);
    });
  }

  category.addEventListener("change", () => showQuestions());

  // Opens with the question the address names, or the one after it.
  function preselect() {
    const params = new URLSearchParams(location.search);
    const wanted = params.get("question") || params.get("next");
    if (!wanted) return showQuestions();
    const home = bank.find((c) => c.questions.includes(wanted));
    if (!home) {
      category.value = OWN;
      ownQuestion.value = wanted;
      return showQuestions();
    }
    category.value = home.id;
    const i = home.questions.indexOf(wanted);
    const next = params.get("question") ? i : (i + 1) % home.questions.length;
    showQuestions(home.questions[next]);
  }
  preselect();

  // A practice link is bound to its candidate: the server records the
  // takes as theirs. Otherwise a reference kept in this browser, so that
  // takes are compared.
  if (Candor.practiceLink()) {
    candidate.hidden = true;
    candidate.labels.forEach((label) => { label.hidden = true; });
    $("candidate-hint").hidden = true;
  }
  candidate.value = localStorage.getItem(REF_STORAGE) ||
    "practice-" + Array.from(crypto.getRandomValues(new Uint8Array(4)), (b) => b.toString(16).padStart(2, "0")).join("");
  localStorage.setItem(REF_STORAGE, candidate.value);
  candidate.addEventListener("change", () => {
    localStorage.setItem(REF_STORAGE, candidate.value.trim());
    loadHistory();
  });

  function chosenQuestion() {
    if (category.value === OWN) return ownQuestion.value.trim();
    const checked = list.querySelector("input:checked");
    return checked ? checked.value : "";
  }

  // --- Recording -----------------------------------------------------------

  const withVideo = () => document.querySelector("input[name=capture]:checked").value === "video";

  // The first container and codecs this browser records (WebM with
  // VP9 or VP8 and Opus; the server decodes the file whole, so a missing
  // duration or cues does not matter).
  function mimeType(video) {
    const types = video
      ? ["video/webm;codecs=vp9,opus", "video/webm;codecs=vp8,opus", "video/webm"]
      : ["audio/webm;codecs=opus", "audio/webm"];
    return types.find((type) => MediaRecorder.isTypeSupported(type)) || "";
  }

  function release() {
    clearInterval(timer);
    timer = null;
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    preview.srcObject = null;
  }

  function refusal(error) {
    switch (error && error.name) {
      case "NotAllowedError":
        return "The browser was not allowed to use the camera or microphone. Allow it in this site's settings and press Start again.";
      case "NotFoundError":
      case "OverconstrainedError":
        return withVideo()
          ? "No camera or microphone was found. Connect one, or choose Microphone only."
          : "No microphone was found. Connect one and press Start again.";
      case "NotReadableError":
        return "The camera or microphone is in use by another program. Close it and press Start again.";
      default:
        return "Recording could not start: " + ((error && error.message) || "unknown error") + ".";
    }
  }

  async function prepare() {
    chooseError.textContent = "";
    question = chosenQuestion();
    if (!question) {
      chooseError.textContent = "Choose a question, or type your own.";
      (category.value === OWN ? ownQuestion : category).focus();
      return;
    }
    if (!navigator.mediaDevices || !window.MediaRecorder) {
      chooseError.textContent = "This browser cannot record here. Record elsewhere and upload the file on the Upload page.";
      return;
    }
    const video = withVideo();
    try {
      stream = await navigator.mediaDevices.getUserMedia({
        audio: true,
        video: video ? { width: { ideal: 1280 }, height: { ideal: 720 } } : false,
      });
    } catch (error) {
      chooseError.textContent = refusal(error);
      return;
    }
    preview.hidden = !video;
    preview.srcObject = video ? stream : null;
    $("record-question").textContent = "“" + question + "”";
    begin.hidden = false;
    stop.hidden = true;
    show("record");
    let left = Number($("prepare").value);
    if (left <= 0) return record();
    clock.classList.remove("live");
    clock.textContent = "Get ready: " + clockText(left);
    recordStatus.textContent = "Preparation, " + left + " seconds. Recording starts after it.";
    timer = setInterval(() => {
      left -= 1;
      clock.textContent = "Get ready: " + clockText(left);
      if (left <= 0) record();
    }, 1000);
  }

  function record() {
    clearInterval(timer);
    const type = mimeType(withVideo());
    try {
      recorder = new MediaRecorder(stream, type ? { mimeType: type } : {});
    } catch (error) {
      release();
      show("choose");
      chooseError.textContent = refusal(error);
      return;
    }
    const chunks = [];
    const limit = Number($("longest").value);
    const started = performance.now();
    const elapsed = () => (performance.now() - started) / 1000;
    recorder.ondataavailable = (event) => {
      if (event.data.size > 0) chunks.push(event.data);
    };
    recorder.onstop = () => {
      const seconds = elapsed();
      release();
      const blob = new Blob(chunks, { type: recorder.mimeType || type || "video/webm" });
      if (blob.size === 0) {
        show("choose");
        chooseError.textContent = "Nothing was recorded. Check the microphone and try again.";
        return;
      }
      review({ blob, seconds, question });
    };
    recorder.start(1000);
    begin.hidden = true;
    stop.hidden = false;
    clock.classList.add("live");
    recordStatus.textContent = "Recording. Press Stop when you have answered.";
    const tick = () => {
      const now = elapsed();
      clock.textContent = clockText(now) + " of " + clockText(limit);
      if (now >= limit && recorder.state === "recording") recorder.stop();
    };
    tick();
    timer = setInterval(tick, 250);
    stop.focus();
  }

  begin.addEventListener("click", record);
  stop.addEventListener("click", () => {
    if (recorder && recorder.state === "recording") recorder.stop();
  });
  $("cancel").addEventListener("click", () => {
    if (recorder && recorder.state === "recording") {
      recorder.onstop = null;
      recorder.stop();
    }
    release();
    show("choose");
  });
  $("start").addEventListener("click", prepare);

  // --- Checking and sending ----------------------------------------------

  function review(recorded) {
    take = recorded;
    if (playback.src) URL.revokeObjectURL(playback.src);
    playback.src = URL.createObjectURL(take.blob);
    $("review-facts").textContent = clockText(take.seconds) + " recorded, " + Candor.size(take.blob.size) + ".";
    sendError.textContent = "";
    $("send-progress").hidden = true;
    show("review");
  }

  $("again").addEventListener("click", () => {
    playback.pause();
    prepare();
  });

  // --- Your takes ----------------------------------------------------------

  const historyList = $("history-list");
  const compareButton = $("compare");
  const comparison = $("comparison");
  const historyStatus = $("history-status");
  const SVG = "http://www.w3.org/2000/svg";

  function when(ms) {
    return new Date(ms).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  }

  // Scores over the takes of one question, oldest first: a line with a dot
  // per scored take, described in words for screen readers.
  function chart(takes) {
    const scored = takes.filter((t) => typeof t.overall_score === "number");
    if (scored.length < 2) return null;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "scores");
    svg.setAttribute("viewBox", "0 0 300 64");
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", "Overall scores, oldest first: " +
      scored.map((t) => Math.round(t.overall_score)).join(", "));
    const x = (i) => 8 + (284 * i) / (scored.length - 1);
    const y = (score) => 60 - (56 * score) / 100;
    for (const level of [0, 50, 100]) {
      const line = document.createElementNS(SVG, "line");
      line.setAttribute("x1", "0");
      line.setAttribute("x2", "300");
      line.setAttribute("y1", y(level));
      line.setAttribute("y2", y(level));
      svg.append(line);
    }
    const points = scored.map((t, i) => x(i) + "," + y(t.overall_score)).join(" ");
    const polyline = document.createElementNS(SVG, "polyline");
    polyline.setAttribute("points", points);
    svg.append(polyline);
    scored.forEach((t, i) => {
      const dot = document.createElementNS(SVG, "circle");
      dot.setAttribute("cx", x(i));
      dot.setAttribute("cy", y(t.overall_score));
      dot.setAttribute("r", "3");
      svg.append(dot);
    });
    return svg;
  }

  function chosenTakes() {
    return [...historyList.querySelectorAll("input[name=pick]:checked")].map((box) => box.value);
  }

  function showHistory(interviews) {
    historyList.replaceChildren();
    comparison.hidden = true;
    $("history-empty").hidden = interviews.length > 0;
    $("compare-bar").hidden = interviews.length < 2;
    const groups = new Map();
    for (const take of [...interviews].reverse()) {
      const key = take.question || "";
      if (!groups.has(key)) groups.set(key, []);
      groups.get(key).push(take);
    }
    for (const [question, takes] of groups) {
      const group = document.createElement("div");
      group.className = "take-group";
      const heading = document.createElement("h3");
      heading.textContent = question ? "“" + question + "”" : "No question given";
      group.append(heading);
      const drawn = chart(takes);
      if (drawn) group.append(drawn);
      const list = document.createElement("ol");
      takes.forEach((take, i) => {
        const item = document.createElement("li");
        const label = document.createElement("label");
        const box = document.createElement("input");
        box.type = "checkbox";
        box.name = "pick";
        box.value = take.id;
        box.disabled = typeof take.overall_score !== "number";
        const score = typeof take.overall_score === "number"
          ? Math.round(take.overall_score) + "/100"
          : take.status === "completed" ? "not scored" : take.status;
        label.append(box, "Take " + (i + 1) + " · " + when(take.created_at) + " · " + score);
        const open = document.createElement("a");
        open.href = "/interviews/" + encodeURIComponent(take.id);
        open.textContent = "Report";
        open.setAttribute("aria-label", "Report of take " + (i + 1));
        const remove = document.createElement("button");
        remove.type = "button";
        remove.className = "secondary";
        remove.textContent = "Delete…";
        remove.setAttribute("aria-label", "Delete take " + (i + 1));
        remove.addEventListener("click", () => deleteTake(take.id, remove));
        item.append(label, open, remove);
        list.append(item);
      });
      group.append(list);
      historyList.append(group);
    }
    updateCompare();
  }

  function updateCompare() {
    compareButton.disabled = chosenTakes().length !== 2;
  }
  historyList.addEventListener("change", updateCompare);

  async function loadHistory() {
    const ref = candidate.value.trim();
    // A link sees its own candidate's takes only; a key asks for this
    // reference's.
    const filter = Candor.practiceLink() || !ref ? "" : "&candidate_ref=" + encodeURIComponent(ref);
    const xhr = await Candor.request("GET", "/api/v1/interviews?limit=100" + filter);
    if (xhr.status !== 200) {
      historyStatus.textContent = "Your takes could not be loaded: " + Candor.errorMessage(xhr);
      return;
    }
    showHistory(JSON.parse(xhr.responseText).interviews);
  }

  // Deleting asks again on the same button, then removes the recording and
  // its results.
  async function deleteTake(id, button) {
    const deleted = await Candor.deleteOnSecondPress(id, button, historyStatus,
      "Delete for good", "Press again to delete the recording and its report.");
    if (!deleted) return;
    historyStatus.textContent = "The take was deleted.";
    await loadHistory();
  }

  // Two takes side by side: what changed, in a table; what held, in a line.
  compareButton.addEventListener("click", async () => {
    const ids = chosenTakes();
    const reports = [];
    for (const id of ids) {
      const xhr = await Candor.request("GET", "/api/v1/interviews/" + encodeURIComponent(id) + "/feedback");
      if (xhr.status !== 200) {
        historyStatus.textContent = "A take could not be loaded: " + Candor.errorMessage(xhr);
        return;
      }
      reports.push(JSON.parse(xhr.responseText));
    }
    // The earlier take first, as the list shows them.
    const order = [...historyList.querySelectorAll("input[name=pick]")].map((box) => box.value);
    if (order.indexOf(ids[0]) > order.indexOf(ids[1])) reports.reverse();
    const [before, after] = reports;
    const scores = (report) => new Map(report.dimensions
      .filter((d) => d.assessment.status === "scored")
      .map((d) => [d.id, { title: d.title, score: d.assessment.score }]));
    const [a, b] = [scores(before), scores(after)];
    const changed = [];
    const held = [];
    for (const [id, was] of a) {
      const now = b.get(id);
      if (!now) continue;
      (now.score === was.score ? held : changed).push({ title: was.title, was: was.score, now: now.score });
    }
    comparison.replaceChildren();
    const heading = document.createElement("h3");
    heading.textContent = "What changed";
    const overall = document.createElement("p");
    const [o1, o2] = [before.overall.score, after.overall.score];
    overall.textContent = typeof o1 === "number" && typeof o2 === "number"
      ? "Overall " + o1 + " → " + o2 + " (" + (o2 - o1 >= 0 ? "+" : "") + (o2 - o1) + ")."
      : "One of the takes has no overall score.";
    comparison.append(heading, overall);
    if (changed.length) {
      const table = document.createElement("table");
      table.className = "changes";
      table.innerHTML = "<caption class='visually-hidden'>Scores that changed</caption>" +
        "<thead><tr><th scope='col'>Dimension</th><th scope='col'>Earlier</th>" +
        "<th scope='col'>Later</th><th scope='col'>Change</th></tr></thead>";
      const body = document.createElement("tbody");
      for (const row of changed) {
        const tr = document.createElement("tr");
        const cells = [row.title, row.was, row.now,
          (row.now > row.was ? "▲ +" : "▼ ") + (row.now - row.was)];
        cells.forEach((text, i) => {
          const cell = document.createElement(i === 0 ? "th" : "td");
          if (i === 0) cell.scope = "row";
          else cell.className = "num";
          cell.textContent = text;
          tr.append(cell);
        });
        body.append(tr);
      }
      table.append(body);
      comparison.append(table);
    }
    const same = document.createElement("p");
    same.className = "hint";
    same.textContent = held.length
      ? "Unchanged: " + held.map((row) => row.title + " (" + row.now + ")").join(", ") + "."
      : "Every dimension scored in both takes changed.";
    comparison.append(same);
    comparison.hidden = false;
    heading.tabIndex = -1;
    heading.focus();
  });

  loadHistory();

  $("send").addEventListener("click", async () => {
    const button = $("send");
    sendError.textContent = "";
    const data = new FormData();
    data.append("question", take.question);
    const ref = candidate.value.trim();
    if (ref && !Candor.practiceLink()) data.append("candidate_ref", ref);
    data.append("file", take.blob, take.blob.type.startsWith("audio/") ? "answer.weba" : "answer.webm");
    button.disabled = true;
    $("send-progress").hidden = false;
    const onProgress = Candor.uploadProgress($("send-bar"), $("send-status"));
    onProgress(0, take.blob.size);
    try {
      const xhr = await Candor.request("POST", "/api/v1/interviews", { body: data, onUploadProgress: onProgress });
      if (xhr.status === 202) {
        $("send-status").textContent = "Sent. Opening the analysis…";
        location.assign("/interviews/" + encodeURIComponent(JSON.parse(xhr.responseText).id));
        return;
      }
      sendError.textContent = "The answer was refused: " + Candor.errorMessage(xhr);
    } catch (failure) {
      sendError.textContent = failure.message;
    }
    button.disabled = false;
  });
})();
