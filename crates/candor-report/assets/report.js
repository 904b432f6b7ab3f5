/* Candor report: one delegated click handler seeks the player to any
   element's data-t (timestamps, words) or to the time under the pointer on
   the timeline; a moment (data-t and data-end) plays from LEAD_IN seconds
   before it and pauses at its end; while the recording plays, the word being spoken is marked
   (binary search over start times read once). Without a player, the same
   clicks scroll the transcript to that time. The timeline is also a
   slider: the arrow, Page and Home/End keys move through the recording and
   Enter or Space plays from there. */
(function () {
  "use strict";
  var player = document.getElementById("player");
  var words = document.querySelectorAll("#transcript span[data-t]");
  var times = new Float64Array(words.length);
  for (var i = 0; i < words.length; i++) {
    times[i] = parseFloat(words[i].getAttribute("data-t"));
  }
  var timeline = document.querySelector("svg.timeline");
  var duration = timeline ? parseFloat(timeline.getAttribute("data-duration")) : 0;
  var playhead = document.getElementById("playhead");
  var scrub = document.querySelector(".scrub");
  var at = 0;
  var shownSecond = 0;
  var current = -1;
  var frame = 0;
  var LEAD_IN = 2;
  var stopAt = null;

  /* Index of the last word starting at or before t, or -1. */
  function wordAt(t) {
    var lo = 0, hi = times.length - 1, found = -1;
    while (lo <= hi) {
      var mid = (lo + hi) >> 1;
      if (times[mid] <= t) { found = mid; lo = mid + 1; } else { hi = mid - 1; }
    }
    return found;
  }

  /* "1:05" or "1:02:05". */
  function clock(t) {
    var s = Math.floor(t), h = Math.floor(s / 3600), m = Math.floor(s / 60) % 60;
    var two = function (n) { return (n < 10 ? "0" : "") + n; };
    return (h ? h + ":" + two(m) : m) + ":" + two(s % 60);
  }

  function show(t) {
    at = t;
    /* Called every frame while playing: the slider's value changes once a second. */
    var second = Math.round(t);
    if (scrub && second !== shownSecond) {
      shownSecond = second;
      scrub.setAttribute("aria-valuenow", second);
      scrub.setAttribute("aria-valuetext", clock(second));
    }
    if (playhead && duration > 0) {
      var x = Math.max(0, Math.min(100, 100 * t / duration)) + "%";
      playhead.setAttribute("x1", x);
      playhead.setAttribute("x2", x);
      playhead.style.visibility = "visible";
    }
    var w = wordAt(t);
    if (w !== current) {
      if (current >= 0) { words[current].classList.remove("now"); }
      if (w >= 0) { words[w].classList.add("now"); }
      current = w;
    }
    return w;
  }

  function seek(t) {
    if (!isFinite(t)) { return; }
    var w = show(t);
    if (player) {
      player.currentTime = t;
      var playing = player.play();
      if (playing && playing.catch) { playing.catch(function () {}); }
    } else if (w >= 0) {
      words[w].scrollIntoView({ block: "center", behavior: "smooth" });
    }
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) { return; }
    var timed = target.closest("[data-t]");
    if (timed) {
      var t = parseFloat(timed.getAttribute("data-t"));
      var end = timed.getAttribute("data-end");
      stopAt = end === null ? null : parseFloat(end);
      seek(stopAt === null ? t : Math.max(0, t - LEAD_IN));
      return;
    }
    var svg = target.closest("svg.timeline");
    if (svg && duration > 0) {
      stopAt = null;
      var box = svg.getBoundingClientRect();
      if (box.width > 0) { seek(duration * (event.clientX - box.left) / box.width); }
    }
  });

  if (scrub && duration > 0) {
    var step = parseFloat(scrub.getAttribute("data-step"));
    var page = parseFloat(scrub.getAttribute("data-page"));
    var MOVES = {
      ArrowRight: step, ArrowUp: step, ArrowLeft: -step, ArrowDown: -step,
      PageUp: page, PageDown: -page
    };
    scrub.addEventListener("keydown", function (event) {
      var t = null;
      if (event.key in MOVES) { t = at + MOVES[event.key]; }
      else if (event.key === "Home") { t = 0; }
      else if (event.key === "End") { t = duration; }
      else if (event.key === "Enter" || event.key === " ") {
        event.preventDefault();
        stopAt = null;
        if (player && !player.paused) { player.pause(); } else { seek(at); }
        return;
      } else { return; }
      event.preventDefault();
      t = Math.max(0, Math.min(duration, t));
      var w = show(t);
      if (player) { player.currentTime = t; }
      else if (w >= 0) { words[w].scrollIntoView({ block: "nearest" }); }
    });
  }

  /* A printed page keeps the screen's folding (what to work on open, the
     rest a line each) and lists the open dimensions' moments in full. */
  window.addEventListener("beforeprint", function () {
    var folded = document.querySelectorAll("details.dimension[open] details.more, #summary details.more");
    for (var i = 0; i < folded.length; i++) { folded[i].open = true; }
  });

  if (player) {
    document.body.classList.add("has-player");
    /* The sticky player never covers what a link or a seek scrolls to. */
    var stuck = player.closest(".player");
    var pad = function () {
      document.documentElement.style.scrollPaddingTop = (stuck.offsetHeight + 8) + "px";
    };
    pad();
    if (window.ResizeObserver) { new ResizeObserver(pad).observe(stuck); }
    var follow = function () {
      show(player.currentTime);
      frame = player.paused ? 0 : requestAnimationFrame(follow);
    };
    player.addEventListener("play", function () {
      if (!frame) { frame = requestAnimationFrame(follow); }
    });
    player.addEventListener("seeked", function () { show(player.currentTime); });
    player.addEventListener("timeupdate", function () {
      if (stopAt !== null && player.currentTime >= stopAt) {
        stopAt = null;
        player.pause();
      }
    });
  }
})();
