// Study tracker of the lesson video: starts a play session, sends heartbeats
// (every few seconds while playing, and on pause, seek, rate change, end and
// page hide), resumes where the worker stopped, and shows the presence
// prompts (防挂机) the server asks for. The server decides what is credited;
// this script only reports what the player did.
(function () {
  "use strict";

  var root = document.getElementById("study");
  var video = document.querySelector("video[data-hls-src]");
  if (!root || !video || !window.fetch) return;

  var csrf = root.getAttribute("data-csrf");
  var every = (parseFloat(root.getAttribute("data-heartbeat-seconds")) || 5) * 1000;
  var statusLine = document.getElementById("study-status");
  var dialog = document.getElementById("presence-prompt");
  var session = null;
  var token = null;
  var heartbeatUrl = null;
  var presenceUrl = null;
  var seq = 0;
  var queue = [];
  var sending = false;
  var stopped = false;
  var timer = null;
  var lastPlayed = 0;
  var resumeAt = 0;
  var promptId = null;

  function say(text) {
    if (statusLine) statusLine.textContent = text || "";
  }

  function post(url, body, keepalive) {
    var headers = { "Content-Type": "application/json", "X-CSRFToken": csrf };
    if (token) headers["X-Study-Token"] = token;
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: headers,
      body: JSON.stringify(body)
    });
  }

  function start() {
    return post(root.getAttribute("data-start-url"), {}).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          say(data.detail);
          return;
        }
        session = data.session; // null: staff preview, nothing is credited
        token = data.token;
        if (session) {
          heartbeatUrl = "/api/v1/progress/sessions/" + session + "/heartbeats/";
          presenceUrl = "/api/v1/progress/sessions/" + session + "/presence/";
        }
        if (data.resume_at > 1) {
          resumeAt = data.resume_at;
          video.setAttribute("data-start-at", String(resumeAt));
          if (video.readyState >= 1 && video.currentTime < 1) video.currentTime = resumeAt;
        }
        if (data.prompt) ask(data.prompt);
        if (!video.paused) play();
      });
    }, function () {
      say(root.getAttribute("data-msg-offline"));
    });
  }

  function beat(event, extra) {
    if (!session || stopped) return;
    seq += 1;
    var body = {
      seq: seq,
      position: Math.round(video.currentTime * 1000) / 1000,
      rate: video.playbackRate,
      playing: !video.paused && !video.ended,
      visible: document.visibilityState === "visible",
      event: event
    };
    if (extra) for (var key in extra) body[key] = extra[key];
    queue.push(body);
    if (queue.length > 500) queue.shift();
    send();
  }

  // One request at a time, in order; what could not be sent is kept (same
  // sequence numbers) and sent again, and the server ignores duplicates.
  function send() {
    if (sending || !queue.length || stopped) return;
    sending = true;
    post(heartbeatUrl, queue[0]).then(function (response) {
      sending = false;
      if (response.status >= 500) {
        say(root.getAttribute("data-msg-offline"));
        setTimeout(send, 3000);
        return;
      }
      if ([401, 403, 404, 410].indexOf(response.status) >= 0) {
        stopped = true;
        queue = [];
        say(root.getAttribute("data-msg-ended"));
        return;
      }
      queue.shift(); // accepted, a duplicate, or refused for good (400, 409)
      say("");
      if (response.status === 200) {
        response.json().then(function (data) { if (data.prompt) ask(data.prompt); });
      }
      send();
    }, function () {
      sending = false;
      say(root.getAttribute("data-msg-offline"));
      setTimeout(send, 3000);
    });
  }

  function sendAllNow() {
    // The page is going away: no time to wait for answers one by one.
    queue.forEach(function (body) { post(heartbeatUrl, body, true); });
  }

  function ask(id) {
    if (promptId === id) return;
    promptId = id;
    video.pause();
    if (dialog && dialog.showModal && !dialog.open) dialog.showModal();
  }

  function answer(button) {
    if (!promptId || !presenceUrl) return;
    button.disabled = true;
    post(presenceUrl, { prompt: promptId, answer: button.getAttribute("data-answer") })
      .then(function (response) {
        button.disabled = false;
        if (response.status === 204 || response.status === 409) {
          promptId = null;
          if (dialog.open) dialog.close();
          video.play();
        }
      }, function () {
        button.disabled = false;
        say(root.getAttribute("data-msg-offline"));
      });
  }

  function play() {
    beat("play");
    clearInterval(timer);
    timer = setInterval(function () { beat("tick"); }, every);
  }

  function halt(event) {
    clearInterval(timer);
    timer = null;
    beat(event);
  }

  video.addEventListener("play", function () {
    if (promptId) {
      video.pause();
      if (dialog && !dialog.open) dialog.showModal();
      return;
    }
    play();
  });
  video.addEventListener("pause", function () { if (!video.ended) halt("pause"); });
  video.addEventListener("ended", function () { halt("ended"); });
  video.addEventListener("ratechange", function () { beat("ratechange"); });
  video.addEventListener("timeupdate", function () {
    if (!video.seeking) lastPlayed = video.currentTime;
  });
  video.addEventListener("seeking", function () {
    beat("seek", { from: Math.round(lastPlayed * 1000) / 1000 });
    lastPlayed = video.currentTime;
  });
  video.addEventListener("loadedmetadata", function () {
    if (resumeAt && video.currentTime < 1) video.currentTime = resumeAt;
  });
  document.addEventListener("visibilitychange", function () {
    beat(document.visibilityState === "visible" ? "show" : "hide");
  });
  window.addEventListener("pagehide", function () {
    if (!video.paused) beat("hide");
    sendAllNow();
  });
  if (dialog) {
    Array.prototype.forEach.call(dialog.querySelectorAll("[data-answer]"), function (button) {
      button.addEventListener("click", function () { answer(button); });
    });
    dialog.addEventListener("cancel", function (event) { event.preventDefault(); });
  }
  start();
})();
