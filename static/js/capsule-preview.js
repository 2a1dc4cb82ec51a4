// Live preview of the capsule editor. Without JavaScript the "Preview" button
// renders the same preview on the server after a round trip.
(function () {
  "use strict";
  var form = document.querySelector("form[data-live-preview]");
  if (!form) { return; }
  var target = document.getElementById(form.dataset.previewTarget);
  var timer = null;
  function refresh() {
    fetch(form.dataset.livePreview, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (html === null) { return; }
        // The fragment is rendered by our own server from escaped templates.
        var heading = target.querySelector("h2.visually-hidden");
        target.innerHTML = html;
        if (heading) { target.prepend(heading); }
      })
      .catch(function () {});
  }
  form.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 600);
  });
})();
