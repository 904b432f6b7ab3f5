"use strict";
// The upload page: pick or drop a recording, upload it with a progress bar,
// then go to its status page.
(() => {
  const form = document.getElementById("upload-form");
  const fileInput = document.getElementById("file");
  const zone = document.getElementById("drop-zone");
  const fileName = document.getElementById("file-name");
  const button = document.getElementById("upload-button");
  const progress = document.getElementById("upload-progress");
  const bar = document.getElementById("upload-bar");
  const status = document.getElementById("upload-status");
  const error = document.getElementById("upload-error");

  function showChosen() {
    const file = fileInput.files[0];
    fileName.textContent = file ? file.name + " (" + Candor.size(file.size) + ")" : "";
    if (file) error.textContent = "";
  }

  fileInput.addEventListener("change", showChosen);
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (event) => {
      event.preventDefault();
      zone.classList.add("dragging");
    });
  }
  zone.addEventListener("dragleave", () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("dragging");
    if (event.dataTransfer.files.length > 0) {
      fileInput.files = event.dataTransfer.files;
      showChosen();
    }
  });

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.textContent = "";
    const file = fileInput.files[0];
    if (!file) {
      error.textContent = "Choose a recording to upload first.";
      fileInput.focus();
      return;
    }
    const data = new FormData();
    for (const name of ["question", "candidate_ref"]) {
      const value = form.elements[name].value.trim();
      if (value) data.append(name, value);
    }
    data.append("file", file);
    button.disabled = true;
    progress.hidden = false;
    const onProgress = Candor.uploadProgress(bar, status);
    onProgress(0, file.size || 1);
    try {
      const xhr = await Candor.request("POST", "/api/v1/interviews", {
        body: data,
        onUploadProgress: onProgress,
      });
      if (xhr.status === 202) {
        status.textContent = "Uploaded. Opening the analysis…";
        location.assign("/interviews/" + encodeURIComponent(JSON.parse(xhr.responseText).id));
        return;
      }
      error.textContent = "The upload was refused: " + Candor.errorMessage(xhr);
    } catch (failure) {
      error.textContent = failure.message;
    }
    button.disabled = false;
    progress.hidden = true;
  });
})();
