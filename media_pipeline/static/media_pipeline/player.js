// Lesson video player: hls.js where Media Source Extensions exist (Chrome,
// Firefox, Android), the browser's own HLS elsewhere (Safari, iOS).
// hls.js (~400 kB) is loaded only on pages that have a video.
(function () {
  "use strict";

  var videos = document.querySelectorAll("video[data-hls-src]");
  if (!videos.length) return;

  function showError(video) {
    var message = video.parentNode.querySelector(".video-error");
    if (message) message.hidden = false;
  }

  function attach(video) {
    var src = video.getAttribute("data-hls-src");
    if (window.Hls && window.Hls.isSupported()) {
      // Like preload="none": fetch the manifest, but no segments before the
      // worker presses play (phones on metered data).
      var hls = new window.Hls({ capLevelToPlayerSize: true, autoStartLoad: false });
      // data-start-at: where to resume (set by the study tracker, if any).
      video.addEventListener("play", function () {
        hls.startLoad(parseFloat(video.getAttribute("data-start-at")) || -1);
      }, { once: true });
      hls.on(window.Hls.Events.ERROR, function (event, data) {
        if (!data.fatal) return;
        if (data.type === window.Hls.ErrorTypes.NETWORK_ERROR) {
          hls.startLoad();
        } else if (data.type === window.Hls.ErrorTypes.MEDIA_ERROR) {
          hls.recoverMediaError();
        } else {
          hls.destroy();
          showError(video);
        }
      });
      hls.loadSource(src);
      hls.attachMedia(video);
      video.hls = hls;
    } else if (video.canPlayType("application/vnd.apple.mpegurl")) {
      video.src = src;
    } else {
      showError(video);
    }
  }

  function attachAll() {
    Array.prototype.forEach.call(videos, attach);
  }

  if (window.Hls) {
    attachAll();
    return;
  }
  var script = document.createElement("script");
  script.src = videos[0].getAttribute("data-hls-lib");
  script.onload = attachAll;
  // Without hls.js, Safari still plays natively; others get the message.
  script.onerror = attachAll;
  document.head.appendChild(script);
})();
