// Countdown to the next deadline; the server-rendered text stays when scripts are off.
// Units are formatted by the browser (Intl), which knows each language's plural forms.
(function () {
  var lang = document.documentElement.lang || "en";
  function unit(name, value) {
    try {
      return new Intl.NumberFormat(lang, { style: "unit", unit: name, unitDisplay: "long" }).format(value);
    } catch (e) {
      return value + " " + name;
    }
  }
  function tick(el) {
    var end = Date.parse(el.getAttribute("data-countdown"));
    var left = Math.max(0, end - Date.now());
    if (left === 0) { el.textContent = el.getAttribute("data-label-closed"); return false; }
    var days = Math.floor(left / 86400000), hours = Math.floor(left / 3600000) % 24, minutes = Math.floor(left / 60000) % 60;
    el.textContent = (el.getAttribute("data-label-prefix") || "") + " " +
      [unit("day", days), unit("hour", hours), unit("minute", minutes)].join(" ");
    return true;
  }
  document.querySelectorAll("[data-countdown]").forEach(function (el) {
    if (tick(el)) { var timer = setInterval(function () { if (!tick(el)) clearInterval(timer); }, 30000); }
  });
})();
