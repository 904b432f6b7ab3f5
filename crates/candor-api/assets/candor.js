"use strict";
// What every page shares: the API key and requests made with it.
// The key lives in sessionStorage (this tab only) and is sent as
// `Authorization: Bearer`; never in a cookie or a URL. A 401 forgets it and
// asks again. A practice link (`#link=TOKEN`, a key bound to one candidate)
// is taken from the fragment, which no server sees, and removed from the
// address bar at once.
window.Candor = (() => {
  const STORAGE = "candor.apiKey";
  const LINK = "candor.practiceLink";
  if (location.hash.startsWith("#link=")) {
    const token = decodeURIComponent(location.hash.slice("#link=".length)).trim();
    history.replaceState(null, "", location.pathname + location.search);
    if (token) {
      sessionStorage.setItem(STORAGE, token);
      sessionStorage.setItem(LINK, "yes");
    }
  }
  const keySection = document.getElementById("key-section");
  const keyForm = document.getElementById("key-form");
  const keyInput = document.getElementById("api-key");
  const keyMessage = document.getElementById("key-message");
  const app = document.getElementById("app");
  let waiting = [];

  // Shows the page; `focus` moves focus to its content, as after the key
  // form, whose field has just disappeared.
  function showApp(focus) {
    keySection.hidden = true;
    app.hidden = false;
    if (focus) document.getElementById("main").focus();
  }

  // Shows the key form; resolves with the key once one is accepted.
  function askForKey(message) {
    sessionStorage.removeItem(STORAGE);
    sessionStorage.removeItem(LINK);
    keyMessage.textContent = message || "";
    app.hidden = true;
    keySection.hidden = false;
    keyInput.value = "";
    keyInput.focus();
    return new Promise((resolve) => waiting.push(resolve));
  }

  function key() {
    const stored = sessionStorage.getItem(STORAGE);
    return stored ? Promise.resolve(stored) : askForKey();
  }

  // One XMLHttpRequest (for its upload progress events); resolves with the
  // finished request whatever its status, rejects on a network failure.
  function send(method, path, apiKey, options) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open(method, path);
      xhr.setRequestHeader("Authorization", "Bearer " + apiKey);
      if (options.accept) xhr.setRequestHeader("Accept", options.accept);
      if (options.onUploadProgress) {
        xhr.upload.onprogress = (event) => {
          if (event.lengthComputable) options.onUploadProgress(event.loaded, event.total);
        };
      }
      xhr.onload = () => resolve(xhr);
      xhr.onerror = () => reject(new Error("The server could not be reached. Check the connection and try again."));
      xhr.send(options.body === undefined ? null : options.body);
    });
  }

  // A request with the key; on 401 the key is asked for again and the
  // request repeated.
  async function request(method, path, options = {}) {
    for (;;) {
      const xhr = await send(method, path, await key(), options);
      if (xhr.status !== 401) return xhr;
      await askForKey(practiceLink()
        ? "This practice link has expired or was revoked. Ask whoever sent it for a new one."
        : "That API key was refused. Check it and enter it again.");
    }
  }

  // Whether this tab practises through a link (bound to one candidate).
  function practiceLink() {
    return sessionStorage.getItem(LINK) === "yes";
  }

  // The API's error message, or a description of the status.
  function errorMessage(xhr) {
    try {
      const error = JSON.parse(xhr.responseText).error;
      if (error && error.message) {
        return error.message.charAt(0).toUpperCase() + error.message.slice(1) + ".";
      }
    } catch (_) { /* not JSON: fall through */ }
    return "The server answered " + xhr.status + " " + xhr.statusText + ".";
  }

  keyForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    const candidate = keyInput.value.trim();
    if (!candidate) {
      keyMessage.textContent = "Enter your API key.";
      return;
    }
    // Any answer but 401 means the key is known (a key without the read
    // scope gets 403 here and may still upload).
    let check;
    try {
      check = await send("GET", "/api/v1/interviews?limit=1", candidate, {});
    } catch (error) {
      keyMessage.textContent = error.message;
      return;
    }
    if (check.status === 401) {
      keyMessage.textContent = "That API key was refused. Check it and enter it again.";
      keyInput.select();
      return;
    }
    sessionStorage.setItem(STORAGE, candidate);
    keyInput.value = "";
    keyMessage.textContent = "";
    showApp(true);
    const resolved = waiting;
    waiting = [];
    resolved.forEach((resolve) => resolve(candidate));
  });

  if (sessionStorage.getItem(STORAGE)) showApp();
  else askForKey();

  // "12 kB" or "3.4 MB".
  function size(bytes) {
    return bytes < 1e6 ? Math.ceil(bytes / 1e3) + " kB" : (bytes / 1e6).toFixed(1) + " MB";
  }

  // An upload's progress shown on `bar` and said in `status`: the bar
  // follows every event, the text changes in 10 % steps so that a screen
  // reader is not flooded. Returns the function to give request() as
  // onUploadProgress; each call of this starts afresh.
  function uploadProgress(bar, status) {
    let announced = -1;
    return (loaded, total) => {
      const percent = Math.floor((100 * loaded) / total);
      bar.value = percent;
      const step = Math.floor(percent / 10) * 10;
      if (step !== announced) {
        announced = step;
        status.textContent = percent + " % of " + size(total) + " uploaded";
      }
    };
  }

  // Deletes interview `id` on the second press of `button`: the first
  // relabels it `confirm` and says `warning` in `status` (no dialog).
  // Resolves true once the interview is gone, false otherwise, a failure's
  // reason then in `status`.
  async function deleteOnSecondPress(id, button, status, confirm, warning) {
    if (button.dataset.armed !== "yes") {
      button.dataset.armed = "yes";
      button.textContent = confirm;
      status.textContent = warning;
      return false;
    }
    button.disabled = true;
    const xhr = await request("DELETE", "/api/v1/interviews/" + encodeURIComponent(id));
    if (xhr.status === 204 || xhr.status === 404) return true;
    button.disabled = false;
    status.textContent = "It could not be deleted: " + errorMessage(xhr);
    return false;
  }

  return { request, errorMessage, practiceLink, size, uploadProgress, deleteOnSecondPress };
})();
