// Live count of a segment while its filters are edited. Without JavaScript the
// "Count" button gives the same figure after a round trip.
(function () {
  "use strict";
  var form = document.getElementById("segment-form");
  if (!form) { return; }
  var output = form.querySelector(".live-count");
  var timer = null;
  var lang = document.documentElement.lang || "fr";
  function refresh() {
    var params = new URLSearchParams(new FormData(form));
    params.delete("csrfmiddlewaretoken");
    fetch(form.dataset.countUrl + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (!data || typeof data.count !== "number") { return; }
        var n = data.count.toLocaleString(lang);
        if (lang === "fr") {
          output.textContent = n + (data.count > 1 ? " personnes correspondent." : " personne correspond.");
        } else {
          output.textContent = n + (data.count === 1 ? " person matches." : " people match.");
        }
      })
      .catch(function () {});
  }
  form.addEventListener("change", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
  refresh();
})();

// A filter box above each long list of values: typing "gir" or "33" narrows the
// départements to "33 – Gironde"; accents and case do not matter.
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  var lists = document.querySelectorAll("[data-filterable]");
  Array.prototype.forEach.call(lists, function (list) {
    var items = list.children;
    if (items.length < 8) { return; }
    var box = document.createElement("input");
    box.type = "search";
    box.className = "pick-filter";
    box.placeholder = document.documentElement.lang === "fr" ? "Filtrer la liste…" : "Filter the list…";
    box.setAttribute("aria-label", box.placeholder);
    list.parentNode.insertBefore(box, list);
    box.addEventListener("input", function () {
      var wanted = fold(box.value.trim());
      Array.prototype.forEach.call(items, function (item) {
        var ticked = item.querySelector("input:checked");
        item.hidden = !!wanted && !ticked && fold(item.textContent).indexOf(wanted) === -1;
      });
    });
  });
})();
