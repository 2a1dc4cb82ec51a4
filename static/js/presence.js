// Page-side confirmation on simulation pages: after the first real interaction
// (pointer, touch, scroll, key, focus) on a visible page, one beacon tells the
// server that a person, not a link scanner, opened the page. Nothing typed is
// read or sent; the beacon has no body.
(function () {
  "use strict";
  var me = document.currentScript;
  var url = me && me.getAttribute("data-v");
  if (!url) { return; }
  var kinds = ["pointermove", "pointerdown", "touchstart", "wheel", "scroll", "keydown", "focusin"];
  var sent = false;
  function send(event) {
    if (sent || !event.isTrusted || document.visibilityState !== "visible") { return; }
    sent = true;
    kinds.forEach(function (kind) { window.removeEventListener(kind, send, true); });
    if (!(navigator.sendBeacon && navigator.sendBeacon(url))) {
      fetch(url, { method: "POST", keepalive: true, credentials: "omit" }).catch(function () {});
    }
  }
  kinds.forEach(function (kind) {
    window.addEventListener(kind, send, { capture: true, passive: true });
  });
}());
