// Countdown to the next deadline; the server-rendered text stays when scripts are off.
(function () {
  function tick(el) {
    var end = Date.parse(el.getAttribute("data-countdown"));
    var left = Math.max(0, end - Date.now());
    if (left === 0) { el.textContent = el.getAttribute("data-label-closed"); return false; }
    var days = Math.floor(left / 86400000), hours = Math.floor(left / 3600000) % 24, minutes = Math.floor(left / 60000) % 60;
    el.textContent = (el.getAttribute("data-label-prefix") || "") + " " + days + " " + el.getAttribute("data-label-days") + " " + hours + " " +
      el.getAttribute("data-label-hours") + " " + minutes + " " + el.getAttribute("data-label-minutes");
    return true;
  }
  document.querySelectorAll("[data-countdown]").forEach(function (el) {
    if (tick(el)) { var timer = setInterval(function () { if (!tick(el)) clearInterval(timer); }, 30000); }
  });
})();
