/*
 * giamngheo field app service worker (node.web.officials_field), scoped to /officials/: keeps
 * the field app's page, its scripts, style and the standards' data so that it opens without
 * signal. It never stores an API answer: the official's work lives only encrypted, in the
 * page's IndexedDB (field-vault.js). Other officials' pages go to the network as before.
 */
"use strict";

var VERSION = {{ version|tojson }};
var CACHE = "giamngheo-field-" + VERSION;
var SHELL = {{ shell|tojson }};
var PAGE = {{ page|tojson }};
var PAGE_TIMEOUT_MS = 8000;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(SHELL.map(function (url) { return new Request(url, { cache: "reload", credentials: "same-origin" }); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("giamngheo-field-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

/* The app's page: from the network when it answers in time (a fresh sign-in check), else the
 * stored copy. A redirect to the sign-in page is passed on, never stored. */
function appPage(request) {
  var network = fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(PAGE, copy); });
    }
    return response;
  });
  var stored = function () { return caches.match(PAGE); };
  var timeout = new Promise(function (resolve) { setTimeout(resolve, PAGE_TIMEOUT_MS); }).then(stored);
  return Promise.race([
    network.catch(stored),
    timeout.then(function (hit) { return hit || network; })
  ]).then(function (response) { return response || network; });
}

function cacheFirst(request) {
  return caches.match(request).then(function (hit) { return hit || fetch(request); });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === PAGE) {
    event.respondWith(appPage(request));
  } else if (SHELL.indexOf(url.pathname) >= 0 && url.pathname !== PAGE) {
    event.respondWith(cacheFirst(request));
  }
});
