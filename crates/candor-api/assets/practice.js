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
  candidate.addEventListener("change", () => localStorage.setItem(REF_STORAGE, candidate.value.trim()));

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

  function size(bytes) {
    return bytes < 1e6 ? Math.ceil(bytes / 1e3) + " kB" : (bytes / 1e6).toFixed(1) + " MB";
  }

  function review(recorded) {
    take = recorded;
    if (playback.src) URL.revokeObjectURL(playback.src);
    playback.src = URL.createObjectURL(take.blob);
    $("review-facts").textContent = clockText(take.seconds) + " recorded, " + size(take.blob.size) + ".";
    sendError.textContent = "";
    $("send-progress").hidden = true;
    show("review");
  }

  $("again").addEventListener("click", () => {
    playback.pause();
    prepare();
  });

  let announced = -1;
  function onProgress(loaded, total) {
    const percent = Math.floor((100 * loaded) / total);
    $("send-bar").value = percent;
    const step = Math.floor(percent / 10) * 10;
    if (step !== announced) {
      announced = step;
      $("send-status").textContent = percent + " % of " + size(total) + " uploaded";
    }
  }

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
    announced = -1;
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
