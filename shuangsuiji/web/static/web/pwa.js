/* Registers the platform's service worker (shuangsuiji.web.pwa): app shell cache and the
 * offline page. Service workers need a secure context (HTTPS, or localhost). */
(function () {
  "use strict";
  var script = document.currentScript;
  var url = script && script.getAttribute("data-service-worker");
  if (!url || !("serviceWorker" in navigator) || !window.isSecureContext) return;
  window.addEventListener("load", function () {
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function () {
      /* No worker: the platform works as before, only without the offline page. */
    });
  });
})();
