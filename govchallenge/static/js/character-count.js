// Counts the characters of a field with a limit as you type (the limit itself is stated by the server beside
// the field, and a text over it is refused with the field's error: nothing is ever cut). Enhancement only.
document.addEventListener("DOMContentLoaded", function () {
  var fields = document.querySelectorAll("[data-character-limit]");
  Array.prototype.forEach.call(fields, function (field) {
    var limit = parseInt(field.getAttribute("data-character-limit"), 10);
    var ids = (field.getAttribute("aria-describedby") || "").split(" ");
    var status = null;
    ids.forEach(function (id) {
      var node = document.getElementById(id);
      if (node && node.classList.contains("character-count")) { status = node; }
    });
    if (!status || !limit) { return; }
    var live = document.createElement("p");
    live.className = "hint character-count__live";
    live.setAttribute("aria-live", "polite");
    status.parentNode.insertBefore(live, status.nextSibling);
    var timer = null;
    function update() {
      var left = limit - Array.from(field.value).length;
      var template = status.getAttribute(left < 0 ? "data-over" : "data-left");
      live.textContent = template.replace("{n}", String(Math.abs(left)));
      live.classList.toggle("error", left < 0);
    }
    field.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(update, 300);
    });
    if (field.value) { update(); }
  });
});
