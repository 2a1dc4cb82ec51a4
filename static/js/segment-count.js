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
