// The countdown of a timed quiz attempt. Display only: the server enforces
// the time limit (with a short grace for the network). At zero the form is
// submitted once, so that the answers given so far are graded in time.
(function () {
  "use strict";
  var timer = document.querySelector("[data-quiz-seconds-left]");
  var form = document.getElementById("quiz-form");
  if (!timer || !form) return;
  var output = timer.querySelector("[data-quiz-countdown]");
  var ends = Date.now() + 1000 * parseInt(timer.getAttribute("data-quiz-seconds-left"), 10);
  var sent = false;
  form.addEventListener("submit", function () { sent = true; });
  function pad(n) { return n < 10 ? "0" + n : String(n); }
  function tick() {
    var left = Math.max(0, Math.round((ends - Date.now()) / 1000));
    output.textContent = Math.floor(left / 60) + ":" + pad(left % 60);
    if (left <= 60) timer.classList.add("ending");
    if (left === 0 && !sent) {
      sent = true;
      form.submit();
      return;
    }
    if (left > 0) window.setTimeout(tick, 1000);
  }
  tick();
})();
