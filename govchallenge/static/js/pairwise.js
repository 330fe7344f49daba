// The demo-day page on a bad connection: an answer given while offline is kept in the page (localStorage) and
// sent when the network returns. The server takes each answer once (the form names the finalist shown), so a
// resend after a lost reply is refused as already counted, never counted twice.
(function () {
  "use strict";
  var form = document.querySelector("form[data-pairwise-vote]");
  var status = document.getElementById("pairwise-status");
  var key = "govchallenge-pairwise-queue:" + window.location.pathname;

  function queue() {
    try { return JSON.parse(window.localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function save(items) {
    if (items.length) { window.localStorage.setItem(key, JSON.stringify(items)); } else { window.localStorage.removeItem(key); }
  }
  function say(text) { if (status && text) { status.textContent = text; } }

  function send(item) {
    return fetch(item.action, {
      method: "POST", body: item.body, credentials: "same-origin", redirect: "manual",
      headers: { "Content-Type": "application/x-www-form-urlencoded" }
    });
  }

  // Sends what is queued, oldest first; an answer leaves the queue once the server has replied to it at all.
  function flush() {
    var items = queue();
    if (!items.length || !navigator.onLine) { return; }
    say(status && status.dataset.sending);
    send(items[0]).then(function () {
      save(queue().slice(1));
      if (queue().length) { flush(); } else { window.location.reload(); }
    }, function () { say(status && status.dataset.queued); });
  }

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var data = new URLSearchParams(new FormData(form));
      if (event.submitter && event.submitter.name) { data.append(event.submitter.name, event.submitter.value || "1"); }
      var item = { action: form.action, body: data.toString() };
      var buttons = form.querySelectorAll("button, input[type=submit]");
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
      var keep = function () {
        if (!queue().some(function (q) { return q.body === item.body; })) { save(queue().concat([item])); }
        say(status && status.dataset.queued);
      };
      if (!navigator.onLine) { keep(); return; }
      send(item).then(function (response) {
        if (response.type === "opaqueredirect") { window.location.reload(); return; }
        return response.text().then(function (html) { document.open(); document.write(html); document.close(); });
      }, keep);
    });
  }
  window.addEventListener("online", flush);
  if (queue().length) {
    say(status && status.dataset.queued);
    if (form) {
      Array.prototype.forEach.call(form.querySelectorAll("button, input[type=submit]"), function (b) { b.disabled = true; });
    }
    flush();
  }
}());
