// Search suggestions and small enhancements. Plain JS, no build step; pages work without it.
(function () {
  "use strict";

  function attach(input) {
    var list = document.getElementById(input.getAttribute("data-suggest"));
    if (!list) return;
    var timer = null;
    var latest = 0;

    function hide() { list.hidden = true; list.textContent = ""; input.setAttribute("aria-expanded", "false"); }

    function show(items) {
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        var a = document.createElement("a");
        a.href = item.url;
        a.textContent = item.name;  // textContent: names from data are never parsed as HTML
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = items.length === 0;
      input.setAttribute("aria-expanded", items.length ? "true" : "false");
    }

    function ask() {
      var q = input.value.trim();
      if (q.length < 2) { hide(); return; }
      var ticket = ++latest;
      fetch("/suggest?q=" + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) { if (ticket === latest) show(items || []); })
        .catch(function () { if (ticket === latest) hide(); });
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 120);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown" && !list.hidden) {
        var first = list.querySelector("a");
        if (first) { e.preventDefault(); first.focus(); }
      } else if (e.key === "Escape") { hide(); }
    });
    list.addEventListener("keydown", function (e) {
      var links = Array.prototype.slice.call(list.querySelectorAll("a"));
      var i = links.indexOf(document.activeElement);
      if (e.key === "ArrowDown" && i < links.length - 1) { e.preventDefault(); links[i + 1].focus(); }
      else if (e.key === "ArrowUp") { e.preventDefault(); (i > 0 ? links[i - 1] : input).focus(); }
      else if (e.key === "Escape") { hide(); input.focus(); }
    });
    document.addEventListener("click", function (e) {
      if (!list.contains(e.target) && e.target !== input) hide();
    });
  }

  document.querySelectorAll("input[data-suggest]").forEach(attach);

  // The plan form's medicine field: names from the store as one types (a datalist the
  // browser shows, phone keyboards included), and, once a medicine is entered, the uses its
  // curated rules or leaflet doses are for. The server resolves the name either way.
  function optionsFrom(list, items, valueOf, labelOf) {
    list.textContent = "";
    items.forEach(function (item) {
      var option = document.createElement("option");
      option.value = valueOf(item);
      var label = labelOf(item);
      if (label && label !== option.value) option.textContent = label;  // never parsed as HTML
      list.appendChild(option);
    });
  }

  function attachNames(input) {
    var list = document.getElementById(input.getAttribute("list"));
    var names = input.getAttribute("data-names");
    if (!list || !names) return;
    var timer = null;
    var latest = 0;
    input.addEventListener("input", function () {
      // A name typed anew replaces any name picked from an earlier error's choices.
      document.querySelectorAll("input[name=pick]").forEach(function (r) { r.checked = false; });
      clearTimeout(timer);
      timer = setTimeout(function () {
        var q = input.value.trim();
        if (q.length < 2) return;
        var ticket = ++latest;
        fetch(names + encodeURIComponent(q), { headers: { "Accept": "application/json" } })
          .then(function (r) { return r.ok ? r.json() : []; })
          .then(function (items) {
            if (ticket !== latest) return;
            optionsFrom(list, items || [], function (i) { return i.value; },
                        function (i) { return i.label; });
          })
          .catch(function () {});
      }, 150);
    });
    var uses = input.getAttribute("data-uses");
    if (!uses) return;
    var asked = input.value.trim();
    input.addEventListener("change", function () {
      var drug = input.value.trim();
      if (!drug || drug === asked) return;
      asked = drug;
      fetch(uses + encodeURIComponent(drug), { headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data && asked === drug) showUses(data); })
        .catch(function () {});
    });
  }

  function showUses(data) {
    var select = document.getElementById("f-indication");
    var label = document.getElementById("indication-label");
    var other = document.getElementById("indication-other-label");
    var hint = document.getElementById("uses-hint");
    var list = document.getElementById("plan-uses");
    if (!select || !label) return;
    var curated = data.indications || [];
    var first = select.querySelector("option");
    select.textContent = "";
    if (first) select.appendChild(first);
    curated.forEach(function (ind) {
      var option = document.createElement("option");
      option.value = ind.id;
      option.textContent = ind.name;
      select.appendChild(option);
    });
    select.hidden = curated.length === 0;
    if (other) other.hidden = curated.length === 0;
    label.setAttribute("for", curated.length ? "f-indication" : "f-indication_other");
    var words = data.uses || [];
    if (list) optionsFrom(list, words, function (u) { return u; }, function () { return ""; });
    if (hint) {
      hint.hidden = words.length === 0;
      var span = hint.querySelector(".uses");
      if (span) span.textContent = words.join("; ");
    }
  }

  document.querySelectorAll("input[data-names]").forEach(attachNames);
  // Print buttons (the report page); no inline handlers, so the CSP can forbid inline script.
  document.querySelectorAll("button[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
