// The header on a narrow screen: "Menu" folds the navigation and the language selector away (progressive
// enhancement: without JavaScript the button stays hidden and the menu wraps, open, under the service's name).
(function () {
  var toggle = document.querySelector(".menu-toggle");
  var menu = document.getElementById("header-menu");
  var header = document.querySelector(".site-header");
  if (!toggle || !menu || !header) return;
  header.classList.add("js-header");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") !== "true";
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  });
})();
