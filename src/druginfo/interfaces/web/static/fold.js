// Folding sections of monograph pages. Sections are closed <details> in the HTML, so a phone
// shows the at-a-glance card and a list of headings; wide screens open them all. A link into a
// closed section (a citation, a back-link, "More") opens it first. Pages work without this.
(function () {
  "use strict";

  var wide = window.matchMedia("(min-width: 64rem)");
  var folds = Array.prototype.slice.call(document.querySelectorAll("details.fold"));

  function openAll(on) {
    folds.forEach(function (d) { if (!d.classList.contains("sources")) d.open = on; });
  }

  function reveal(id) {
    var el = id && document.getElementById(id);
    if (!el) return;
    for (var node = el; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") node.open = true;
    }
    el.scrollIntoView();
    if (el.focus && el.tabIndex < 0 && el.tagName !== "A") el.setAttribute("tabindex", "-1");
    el.focus({ preventScroll: true });
  }

  if (wide.matches) openAll(true);
  if (window.location.hash) reveal(decodeURIComponent(window.location.hash.slice(1)));

  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a[href^='#']") : null;
    if (!a) return;
    var id = decodeURIComponent(a.getAttribute("href").slice(1));
    var target = document.getElementById(id);
    if (!target || !target.closest("details:not([open])")) return;
    e.preventDefault();
    history.pushState(null, "", "#" + id);
    reveal(id);
  });
  window.addEventListener("hashchange", function () {
    reveal(decodeURIComponent(window.location.hash.slice(1)));
  });
})();
