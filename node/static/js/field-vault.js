/*
 * giamngheo field app: the phone's store, encrypted at rest (issue 15).
 * - One IndexedDB database ("giamngheo-field", store "vault") with two records: "meta" (the
 *   PBKDF2 salt, the iteration count, a check value encrypted with the key, the count of wrong
 *   PINs) and "state" (everything else: the work, the drafts, the queue), AES-GCM encrypted.
 * - The key is derived from a PIN the official sets (PBKDF2-SHA-256) and never stored: it lives
 *   in this page's memory while the app is unlocked, as a non-extractable CryptoKey.
 * - Too many wrong PINs, signing out, or a revoked device delete the whole database.
 */
(function (root) {
  "use strict";

  var DB_NAME = "giamngheo-field";
  var STORE = "vault";
  var ITERATIONS = 310000; // OWASP's figure for PBKDF2-HMAC-SHA256
  var CHECK_TEXT = "giamngheo-field-vault";
  var subtle = root.crypto && root.crypto.subtle;

  function request(req) {
    return new Promise(function (resolve, reject) {
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function openDb() {
    var req = root.indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = function () { req.result.createObjectStore(STORE); };
    return request(req);
  }

  function withStore(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var result = work(tx.objectStore(STORE));
        tx.oncomplete = function () { db.close(); resolve(result && result.value); };
        tx.onerror = function () { db.close(); reject(tx.error); };
      });
    });
  }

  function get(key) {
    var out = {};
    return withStore("readonly", function (store) {
      store.get(key).onsuccess = function (event) { out.value = event.target.result; };
      return out;
    });
  }

  function put(key, value) {
    return withStore("readwrite", function (store) { store.put(value, key); });
  }

  function deriveKey(pin, salt, iterations) {
    var bytes = new TextEncoder().encode(pin);
    return subtle.importKey("raw", bytes, "PBKDF2", false, ["deriveKey"]).then(function (base) {
      return subtle.deriveKey(
        { name: "PBKDF2", salt: salt, iterations: iterations, hash: "SHA-256" },
        base, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]
      );
    });
  }

  function encrypt(key, text) {
    var iv = root.crypto.getRandomValues(new Uint8Array(12));
    return subtle.encrypt({ name: "AES-GCM", iv: iv }, key, new TextEncoder().encode(text))
      .then(function (data) { return { iv: iv, data: new Uint8Array(data) }; });
  }

  function decrypt(key, box) {
    return subtle.decrypt({ name: "AES-GCM", iv: box.iv }, key, box.data)
      .then(function (plain) { return new TextDecoder().decode(plain); });
  }

  function Vault() { this.key = null; }

  /* The meta record, or null when nothing is stored on this phone. */
  Vault.prototype.meta = function () { return get("meta").then(function (m) { return m || null; }); };

  /* A new vault for this PIN; whatever was stored before is gone. */
  Vault.prototype.create = function (pin) {
    var self = this, salt = root.crypto.getRandomValues(new Uint8Array(16));
    return Vault.wipe().then(function () { return deriveKey(pin, salt, ITERATIONS); }).then(function (key) {
      self.key = key;
      return encrypt(key, CHECK_TEXT);
    }).then(function (check) {
      return put("meta", { salt: salt, iterations: ITERATIONS, check: check, wrong: 0 });
    });
  };

  /* Unlock with the PIN: {ok: true}, {ok: false, left: n}, or {wiped: true} after the last
   * allowed wrong PIN. */
  Vault.prototype.unlock = function (pin, maxAttempts) {
    var self = this;
    return this.meta().then(function (meta) {
      if (!meta) return { wiped: true };
      return deriveKey(pin, meta.salt, meta.iterations).then(function (key) {
        return decrypt(key, meta.check).then(function (text) {
          if (text !== CHECK_TEXT) throw new Error("check");
          self.key = key;
          meta.wrong = 0;
          return put("meta", meta).then(function () { return { ok: true }; });
        }, function () {
          meta.wrong = (meta.wrong || 0) + 1;
          if (meta.wrong >= maxAttempts) return Vault.wipe().then(function () { return { wiped: true }; });
          return put("meta", meta).then(function () { return { ok: false, left: maxAttempts - meta.wrong }; });
        });
      });
    });
  };

  Vault.prototype.lock = function () { this.key = null; };

  Vault.prototype.save = function (state) {
    if (!this.key) return Promise.reject(new Error("locked"));
    return encrypt(this.key, JSON.stringify(state)).then(function (box) { return put("state", box); });
  };

  Vault.prototype.load = function () {
    var self = this;
    if (!this.key) return Promise.reject(new Error("locked"));
    return get("state").then(function (box) {
      return box ? decrypt(self.key, box).then(JSON.parse) : null;
    });
  };

  /* Delete everything the app keeps on this phone. */
  Vault.wipe = function () {
    return new Promise(function (resolve) {
      var req = root.indexedDB.deleteDatabase(DB_NAME);
      req.onsuccess = req.onerror = req.onblocked = function () { resolve(); };
    });
  };

  Vault.DB_NAME = DB_NAME;
  root.GiamNgheoVault = Vault;
})(this);
