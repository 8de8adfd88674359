/*
 * giamngheo portal service worker: keeps the portal's shell (pages, style, scripts, the standards'
 * data and icons) so that the declaration opens and computes without a connection.
 * Pages: network first, the stored copy when offline or too slow. Static files: stored first.
 * Only the shell pages are ever stored; answers to forms and the API never are.
 */
"use strict";

var VERSION = {{ version|tojson }};
var CACHE = "giamngheo-portal-" + VERSION;
var SHELL = {{ shell|tojson }};
var PAGES = {{ pages|tojson }};
var PAGE_TIMEOUT_MS = 8000;

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(SHELL.map(function (url) { return new Request(url, { cache: "reload" }); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("giamngheo-portal-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function isShellPage(url) {
  return PAGES.indexOf(url.pathname + url.search) >= 0 || PAGES.indexOf(url.pathname) >= 0;
}

function storedPage(request) {
  return caches.match(request).then(function (hit) {
    return hit || caches.match(request, { ignoreSearch: true });
  });
}

function pageNetworkFirst(request, url) {
  var shell = isShellPage(url);
  var network = fetch(request).then(function (response) {
    if (shell && response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  });
  if (!shell) return network;
  var timeout = new Promise(function (resolve) {
    setTimeout(function () { storedPage(request).then(resolve); }, PAGE_TIMEOUT_MS);
  });
  return Promise.race([
    network.catch(function () { return storedPage(request); }),
    timeout.then(function (stored) { return stored || network; })
  ]).then(function (response) {
    return response || network;
  });
}

function staticCacheFirst(request) {
  return caches.match(request).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

function apiNetworkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) { return hit || Response.error(); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    event.respondWith(pageNetworkFirst(request, url));
  } else if (SHELL.indexOf(url.pathname) >= 0 || url.pathname.indexOf("/static/") === 0) {
    event.respondWith(staticCacheFirst(request));
  } else if (url.pathname === "/api/v1/units") {
    // The villages of a commune, so that they can be chosen offline once seen.
    event.respondWith(apiNetworkFirst(request));
  }
});
