/*
 * giamngheo resident portal: enhances pages that work without it.
 * - The declaration becomes one step at a time, checked as the resident goes with the engine's
 *   own messages, saved on the device (localStorage) and restored after a reload.
 * - The self-assessment is computed here by engine.js from the same JSON files as the server.
 * - A submission goes to the JSON API with an Idempotency-Key made once; offline (or on a server
 *   error) it waits on the device and is sent, with the same key, when the connection returns.
 * - The service worker keeps the portal's shell so that the form opens offline.
 * The pure functions at the top build the same household facts as node/web/portal_form.py.
 */
(function (root) {
  "use strict";

  var MONEY_SEPARATORS = /[\s.,]|đồng$|đ$|d$/gi;
  var DAY_MONTH_YEAR = /^([0-9]{1,2})[/.\-]([0-9]{1,2})[/.\-]([0-9]{4})$/;

  function inputId(name) {
    return "f-" + name.replace(/\./g, "-").replace(/_/g, "-");
  }

  function parseMoney(text) {
    text = text.trim();
    if (!text) return null;
    var digits = text.replace(MONEY_SEPARATORS, "");
    return /^[0-9]+$/.test(digits) ? parseInt(digits, 10) : text;
  }

  function parseNumber(text) {
    text = text.trim();
    if (!text) return null;
    var candidate = text.replace(/,/g, ".");
    return /^[0-9]+(\.[0-9]+)?$/.test(candidate) ? parseFloat(candidate) : text;
  }

  function parseDateText(text) {
    text = text.trim();
    if (!text) return null;
    var match = DAY_MONTH_YEAR.exec(text);
    if (!match) return text;
    function two(value) { return ("0" + parseInt(value, 10)).slice(-2); }
    return match[3] + "-" + two(match[2]) + "-" + two(match[1]);
  }

  function parseValue(type, text) {
    text = text == null ? "" : String(text);
    if (type === "money") return parseMoney(text);
    if (type === "number") return parseNumber(text);
    if (type === "date") return parseDateText(text);
    text = text.trim();
    if (!text) return null;
    if (type === "boolean") return text === "yes" ? true : text === "no" ? false : text;
    return text;
  }

  function isoDate(date) {
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return date.getFullYear() + "-" + two(date.getMonth() + 1) + "-" + two(date.getDate());
  }

  /* Full years at reference (YYYY-MM-DD) of a member born on birth, or null. */
  function ageOn(birth, reference) {
    if (typeof birth !== "string" || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(birth)) return null;
    var y = +birth.slice(0, 4), m = +birth.slice(5, 7), d = +birth.slice(8, 10);
    var check = new Date(Date.UTC(y, m - 1, d));
    if (y < 1 || check.getUTCFullYear() !== y || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return null;
    var ry = +reference.slice(0, 4), rm = +reference.slice(5, 7), rd = +reference.slice(8, 10);
    if (birth > reference) return null;
    var months = (ry - y) * 12 + rm - m;
    if (rd < d) months -= 1;
    return Math.floor(months / 12);
  }

  function applies(question, age) {
    if (age === null) return true;
    if (question.minAge != null && age < question.minAge) return false;
    return !(question.belowAge != null && age >= question.belowAge);
  }

  /* The household facts from the form's fields (name → value), as portal_form.form_to_facts. */
  function factsFromFields(fields, options) {
    function field(name) { return fields[name] == null ? "" : fields[name]; }
    var facts = { period: options.period, reference_date: options.referenceDate, area: options.area };
    var income = parseMoney(field("income"));
    if (income !== null) facts[fields.income_period === "annual" ? "annual_income" : "monthly_income"] = income;
    facts.members = [];
    for (var i = 0; i < options.members; i++) {
      var member = {};
      options.memberQuestions.forEach(function (q) {
        var value = parseValue(q.type, field("members." + i + "." + q.name));
        if (value !== null) member[q.name] = value;
      });
      var age = ageOn(member.birth_date, options.referenceDate);
      options.memberQuestions.forEach(function (q) {
        if (!applies(q, age)) member[q.name] = q["default"];
      });
      facts.members.push(member);
    }
    options.householdFields.forEach(function (spec) {
      var value = parseValue(spec.type, field(spec.name));
      if (value === null) return;
      var parts = spec.name.split(".");
      if (parts.length === 1) facts[parts[0]] = value;  // a top-level fact (main_income_source)
      else (facts[parts[0]] = facts[parts[0]] || {})[parts[1]] = value;
    });
    return facts;
  }

  /* The errors worth showing now, as portal_form.relevant_codes. */
  function relevantCodes(codes, memberQuestions) {
    var restricted = {};
    memberQuestions.forEach(function (q) { if (q.minAge != null || q.belowAge) restricted[q.name] = true; });
    var out = {};
    Object.keys(codes).forEach(function (path) {
      var p = path.split(".");
      if (p.length === 3 && p[0] === "members" && restricted[p[2]] && codes["members." + p[1] + ".birth_date"]) return;
      out[path] = codes[path];
    });
    return out;
  }

  var api = {
    inputId: inputId, factsFromFields: factsFromFields, relevantCodes: relevantCodes, ageOn: ageOn
  };
  if (typeof module !== "undefined" && module.exports) {
    module.exports = api;
    return;
  }
  root.GiamNgheoPortal = api;

  /* ------------------------------------------------------------------ the browser side */
  var doc = root.document;
  var storage = (function () {
    try {
      var probe = "giamngheo:probe";
      root.localStorage.setItem(probe, "1");
      root.localStorage.removeItem(probe);
      return root.localStorage;
    } catch (e) {
      return null;
    }
  })();
  var OUTBOX = "giamngheo:outbox";
  var SENT = "giamngheo:sent";
  // The submission this page's own form is waiting for: its outcome is shown in the form.
  var ownKey = null;

  function $(id) { return doc.getElementById(id); }
  function readJson(id) {
    var node = $(id);
    try { return node ? JSON.parse(node.textContent) : null; } catch (e) { return null; }
  }
  function load(key, fallback) {
    if (!storage) return fallback;
    try { return JSON.parse(storage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function store(key, value) {
    if (!storage) return;
    try {
      if (value == null) storage.removeItem(key); else storage.setItem(key, JSON.stringify(value));
    } catch (e) { /* full or forbidden: the page still works, only nothing is kept */ }
  }
  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }
  function el(tag, attrs, text) {
    var node = doc.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) { node.setAttribute(name, attrs[name]); });
    if (text != null) node.textContent = text;
    return node;
  }
  function newKey() {
    var bytes = new Uint8Array(16);
    root.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var texts = readJson("portal-texts") || {};
  var csrfMeta = doc.querySelector('meta[name="csrf-token"]');

  /* A current CSRF token: this page's may be old (a page kept by the service worker). */
  function freshToken() {
    var fallback = csrfMeta ? csrfMeta.content : "";
    return fetch("/status", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.text(); })
      .then(function (html) {
        var match = /<meta name="csrf-token" content="([^"]+)"/.exec(html);
        return match ? match[1] : fallback;
      }, function () { return fallback; });
  }

  /* Show a server-rendered receipt: POST the code and phone (never in a URL). */
  function openReceipt(url, code, phone) {
    freshToken().then(function (token) {
      var form = el("form", { method: "post", action: url || "/receipt", hidden: "" });
      [["csrf_token", token], ["tracking_code", code], ["proof", phone]].forEach(function (pair) {
        form.appendChild(el("input", { type: "hidden", name: pair[0], value: pair[1] }));
      });
      doc.body.appendChild(form);
      form.submit();
    });
  }

  /* ---------------------------------------------------------------- the outbox */
  var outbox = {
    sending: false,
    listeners: [],
    entries: function () { return load(OUTBOX, []); },
    save: function (entries) { store(OUTBOX, entries.length ? entries : null); },
    add: function (body, extra) {
      var entries = this.entries(), json = JSON.stringify(body);
      for (var i = 0; i < entries.length; i++) {
        // The same submission pressed again keeps its key: it can never become two applications.
        if (JSON.stringify(entries[i].body) === json) return entries[i];
      }
      var entry = { key: newKey(), body: body, at: Date.now() };
      Object.keys(extra || {}).forEach(function (k) { entry[k] = extra[k]; });
      entries.push(entry);
      this.save(entries);
      return entry;
    },
    remove: function (key) {
      this.save(this.entries().filter(function (e) { return e.key !== key; }));
    },
    notify: function (event, entry, detail) {
      this.listeners.forEach(function (listener) { listener(event, entry, detail); });
    },
    send: function (entry) {
      var controller = root.AbortController ? new AbortController() : null;
      var timer = controller && setTimeout(function () { controller.abort(); }, 30000);
      return fetch(entry.url || "/api/v1/applications", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "Idempotency-Key": entry.key },
        body: JSON.stringify(entry.body),
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        clearTimeout(timer);
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      }, function () {
        clearTimeout(timer);
        return { status: 0, data: {} };
      });
    },
    /* Send every waiting submission, oldest first; stop at the first that cannot get through. */
    flush: function () {
      var self = this;
      if (self.sending) return;
      var entries = self.entries();
      if (!entries.length) return;
      self.sending = true;
      var entry = entries[0];
      self.notify("sending", entry);
      self.send(entry).then(function (answer) {
        self.sending = false;
        if (answer.status >= 200 && answer.status < 300) {
          self.remove(entry.key);
          if (entry.key !== ownKey) {
            // Sent in the background: keep what is needed to show its receipt until it is seen.
            var sent = load(SENT, []);
            sent.push({ code: answer.data.tracking_code, phone: entry.body.applicant.phone, receipt: entry.receipt });
            store(SENT, sent);
          }
          self.notify("sent", entry, answer.data);
          self.flush();
        } else if (answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429) {
          self.remove(entry.key);
          self.notify("refused", entry, answer);
          self.flush();
        } else {
          self.notify("queued", entry, answer);
        }
      });
    }
  };

  /* The notice on every page about submissions waiting on, or sent from, this device. */
  function showOutbox() {
    var box = $("outbox");
    if (!box) return;
    var pending = outbox.entries().filter(function (e) { return e.key !== ownKey; });
    var sent = load(SENT, []);
    box.textContent = "";
    if (!pending.length && !sent.length) { box.hidden = true; return; }
    if (pending.length) {
      box.appendChild(el("p", {}, fill(texts.pending || "{count}", { count: pending.length })));
      var now = el("button", { type: "button", "class": "button button--secondary" }, texts.sendNow);
      now.addEventListener("click", function () { outbox.flush(); });
      box.appendChild(now);
    }
    sent.forEach(function (item) {
      box.appendChild(el("p", {}, fill(texts.sent || "{code}", { code: item.code })));
      var view = el("button", { type: "button", "class": "button" }, texts.viewReceipt);
      view.addEventListener("click", function () {
        store(SENT, load(SENT, []).filter(function (s) { return s.code !== item.code; }));
        openReceipt(item.receipt, item.code, item.phone);
      });
      box.appendChild(view);
    });
    box.hidden = false;
  }

  /* ---------------------------------------------------------------- the declaration */
  function Wizard(config, standards, catalog) {
    this.config = config;
    this.setup = config.setup;
    this.t = config.texts;
    this.lang = config.lang;
    this.standards = standards;
    this.catalog = catalog;
    this.placeForm = $("place-form");
    this.form = $("declaration");
    this.consentForm = $("consent-form");
    this.draftKey = "giamngheo:draft:" + config.kind;
    this.villages = [];
    this.index = 0;
  }

  Wizard.prototype.start = function () {
    var self = this;
    doc.documentElement.classList.add("js");
    Array.prototype.forEach.call(doc.querySelectorAll(".no-script, #place-summary, .error-summary"), function (node) {
      node.hidden = true;
    });
    self.form.hidden = false;
    $("wizard-nav").hidden = false;
    $("progress").hidden = false;
    $("progress-bar").hidden = false;
    self.communes = Array.prototype.slice.call(self.select("commune").options, 1).map(function (o) {
      return { code: o.value, name: o.textContent, area: o.getAttribute("data-area") };
    });
    self.addFilter();
    self.select("commune").addEventListener("change", function () { self.loadVillages(this.value); self.saveDraft(); });
    $("back").addEventListener("click", function () { self.go(self.index - 1); });
    $("next").addEventListener("click", function () { self.next(); });
    self.placeForm.addEventListener("submit", function (event) { event.preventDefault(); self.next(); });
    self.form.addEventListener("submit", function (event) { event.preventDefault(); self.next(); });
    self.consentForm.addEventListener("submit", function (event) { event.preventDefault(); self.submit(); });
    [self.placeForm, self.form, self.consentForm].forEach(function (form) {
      form.addEventListener("change", function (event) { self.changed(event.target); });
      form.addEventListener("input", function () { self.saveDraftSoon(); });
    });
    $("discard-draft").addEventListener("click", function () {
      store(self.draftKey, null);
      root.location.href = self.placeForm.action + "?kind=" + encodeURIComponent(self.config.kind);
    });
    outbox.listeners.push(function (event, entry, detail) { self.outboxEvent(event, entry, detail); });

    var draft = load(self.draftKey, null);
    var commune = self.select("commune").value;
    var start = function () {
      self.setMembers(parseInt(self.placeForm.elements.people.value, 10) || 1);
      if (draft) self.restore(draft);
      self.refreshAges();
      var first = draft ? draft.step : (self.hiddenPlaceComplete() ? 1 : 0);
      self.go(Math.min(first || 0, self.steps().length - 1), true);
    };
    if (draft && draft.place) {
      self.select("commune").value = draft.place.commune || "";
      self.placeForm.elements.people.value = draft.place.people || "";
      $("draft-notice").hidden = false;
      commune = self.select("commune").value;
    }
    if (commune) {
      var village = draft && draft.place ? draft.place.village : self.form.elements.village.value;
      self.loadVillages(commune, village).then(start);
    } else {
      start();
    }
  };

  Wizard.prototype.select = function (name) { return $(inputId(name)); };

  Wizard.prototype.hiddenPlaceComplete = function () {
    return !!this.form.elements.commune.value && this.placeForm.hidden;
  };

  Wizard.prototype.steps = function () {
    var list = [this.placeForm];
    Array.prototype.forEach.call(this.form.querySelectorAll("section.step"), function (s) { list.push(s); });
    list.push($("result-step"), this.consentForm);
    return list;
  };

  /* A search box above the long list of communes: type part of a name, accents optional. */
  Wizard.prototype.addFilter = function () {
    var self = this, select = self.select("commune");
    var wrap = el("div", { "class": "filter" });
    var label = el("label", { "for": "commune-filter", "class": "sub-label" }, self.t.filter + " (" + self.t.filterHint + ")");
    var input = el("input", { type: "search", id: "commune-filter", autocomplete: "off", "aria-controls": select.id });
    wrap.appendChild(label); wrap.appendChild(input);
    select.parentNode.insertBefore(wrap, select);
    function plain(text) {
      return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").replace(/đ/g, "d").replace(/Đ/g, "D").toLowerCase();
    }
    input.addEventListener("input", function () {
      var query = plain(input.value.trim()), chosen = select.value;
      var matches = self.communes.filter(function (c) { return !query || plain(c.name).indexOf(query) >= 0; });
      while (select.options.length > 1) select.remove(1);
      matches.forEach(function (c) {
        var option = el("option", { value: c.code, "data-area": c.area }, c.name);
        select.appendChild(option);
      });
      select.value = matches.some(function (c) { return c.code === chosen; }) ? chosen : (matches.length === 1 ? matches[0].code : "");
      if (select.value !== chosen) self.loadVillages(select.value);
    });
  };

  /* The villages of a commune, from the API (or the service worker's copy when offline). */
  Wizard.prototype.loadVillages = function (commune, chosen) {
    var self = this, select = self.select("village"), field = $("village-field");
    self.villages = [];
    while (select.options.length > 1) select.remove(1);
    field.hidden = true;
    select.disabled = true;
    if (!commune) return Promise.resolve();
    return fetch(self.setup.unitsUrl + "?parent=" + encodeURIComponent(commune), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : { items: [] }; })
      .catch(function () { return { items: [] }; })
      .then(function (data) {
        if (self.select("commune").value !== commune) return;
        self.villages = data.items || [];
        self.villages.forEach(function (v) {
          select.appendChild(el("option", { value: v.code, "data-area": v.area }, v.name));
        });
        select.value = chosen || "";
        field.hidden = !self.villages.length;
        select.disabled = !self.villages.length;
      });
  };

  /* As many member steps as the household has people (values of the kept ones stay). */
  Wizard.prototype.setMembers = function (count) {
    var box = $("members"), template = $("member-template").innerHTML;
    var sections = box.querySelectorAll("section.step");
    for (var i = sections.length - 1; i >= count; i--) box.removeChild(sections[i]);
    for (var j = sections.length; j < count; j++) {
      var holder = doc.createElement("div");
      holder.innerHTML = template.replace(/ZZI/g, j).replace(/ZZN/g, j + 1);
      box.appendChild(holder.firstElementChild);
    }
    this.form.elements.people.value = count;
  };

  Wizard.prototype.referenceDate = function () { return isoDate(new Date()); };

  /* Questions that do not apply at a member's age are hidden (the facts get their default). */
  Wizard.prototype.refreshAges = function () {
    var self = this, reference = self.referenceDate();
    Array.prototype.forEach.call($("members").querySelectorAll("section.step"), function (section, i) {
      var birth = self.form.elements["members." + i + ".birth_date"];
      var age = ageOn(parseDateText(birth ? birth.value : "") || "", reference);
      Array.prototype.forEach.call(section.querySelectorAll(".question"), function (q) {
        var min = q.getAttribute("data-min-age"), below = q.getAttribute("data-below-age");
        q.hidden = !applies({ minAge: min == null ? null : +min, belowAge: below == null ? null : +below }, age);
      });
    });
  };

  Wizard.prototype.fields = function (form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (input) {
      if (!input.name || input.type === "submit" || input.type === "button") return;
      if ((input.type === "radio" || input.type === "checkbox") && !input.checked) return;
      fields[input.name] = input.value;
    });
    return fields;
  };

  Wizard.prototype.area = function () {
    var village = this.select("village"), commune = this.select("commune");
    var option = (village.value && village.selectedOptions[0]) || commune.selectedOptions[0];
    return (option && option.getAttribute("data-area")) || "rural";
  };

  Wizard.prototype.facts = function () {
    return factsFromFields(this.fields(this.form), {
      members: parseInt(this.form.elements.people.value, 10) || 1,
      memberQuestions: this.setup.memberQuestions,
      householdFields: this.setup.householdFields,
      period: this.setup.period,
      area: this.area(),
      referenceDate: this.referenceDate()
    });
  };

  /* The assessment under each standard, or the error codes of all of them. */
  Wizard.prototype.evaluate = function () {
    var self = this, facts = self.facts(), codes = {}, results = [];
    self.setup.standardIds.forEach(function (id, i) {
      var answer = root.GiamNgheo.evaluate(facts, self.standards, self.catalog, id);
      if (answer.errors) Object.keys(answer.errors).forEach(function (p) { codes[p] = answer.errors[p]; });
      else results.push({ assessment: answer.assessment, standard: self.standards.filter(function (s) { return s.id === id; })[0], primary: i === 0 });
    });
    codes = relevantCodes(codes, self.setup.memberQuestions);
    return { facts: facts, codes: codes, results: Object.keys(codes).length ? [] : results };
  };

  Wizard.prototype.message = function (code) { return root.GiamNgheo.message(this.catalog, code, this.lang); };

  /* Errors (input name → message) of the inputs inside node. */
  Wizard.prototype.errorsIn = function (node) {
    var self = this, codes = self.evaluate().codes, errors = {};
    Object.keys(codes).forEach(function (path) {
      var name = path === "monthly_income" || path === "annual_income" ? "income" : path;
      var input = $(inputId(name));
      if (input && node.contains(input) && !(input.closest(".question") || {}).hidden) errors[name] = self.message(codes[path]);
    });
    var members = $("members");
    if (codes.members && node.parentNode === members && node === members.lastElementChild) {
      errors._step = self.message(codes.members);
    }
    return errors;
  };

  Wizard.prototype.showError = function (name, message) {
    var input = $(inputId(name)), box = $("e-" + inputId(name));
    if (!input || !box) return;
    box.textContent = message || "";
    box.hidden = !message;
    var field = input.closest(".field");
    if (field) field.classList.toggle("field--error", !!message);
    var group = input.type === "radio" ? field.querySelectorAll("input") : [input];
    Array.prototype.forEach.call(group, function (i) {
      if (message) i.setAttribute("aria-invalid", "true"); else i.removeAttribute("aria-invalid");
    });
  };

  /* Show the errors of a step; true when it has none. A summary at the top of the step lists
     them (each a link to its field) and the first field takes the focus, scrolled clear of the
     sticky button bar: on a phone the bar covered the very field that needed an answer. */
  Wizard.prototype.check = function (step, errors) {
    var self = this;
    Array.prototype.forEach.call(step.querySelectorAll(".error-message[id^='e-f-']"), function (box) {
      var input = $(box.id.slice(2));
      if (input && input.name) self.showError(input.name, errors[input.name]);
    });
    var stepError = step.querySelector(".step-error");
    if (stepError) { stepError.textContent = errors._step || ""; stepError.hidden = !errors._step; }
    var names = Object.keys(errors).filter(function (n) { return n !== "_step"; });
    self.summarize(step, names, errors);
    if (names.length) self.focusField($(inputId(names[0])));
    return !names.length && !errors._step;
  };

  /* The step's error summary: what to correct, each a link that takes the focus to its field. */
  Wizard.prototype.summarize = function (step, names, errors) {
    var self = this, box = step.querySelector(".step-summary");
    if (!names.length) { if (box) box.parentNode.removeChild(box); return; }
    if (!box) {
      box = el("div", { "class": "error-summary step-summary", role: "alert" });
      var heading = step.querySelector("h2");
      step.insertBefore(box, heading ? heading.nextSibling : step.firstChild);
    }
    box.textContent = "";
    box.appendChild(el("h3", {}, self.t.fix));
    var list = el("ul");
    names.forEach(function (name) {
      var input = $(inputId(name)), link = el("a", { href: "#" + inputId(name) }, self.labelOf(input) + ": " + errors[name]);
      link.addEventListener("click", function (event) { event.preventDefault(); self.focusField(input); });
      var item = el("li");
      item.appendChild(link);
      list.appendChild(item);
    });
    box.appendChild(list);
  };

  /* A field's question: its label, or the legend of its group of choices. */
  Wizard.prototype.labelOf = function (input) {
    var group = input.closest("fieldset"), label = doc.querySelector('label[for="' + input.id + '"]');
    var text = input.type === "radio" && group ? group.querySelector("legend") : label;
    return text ? text.textContent.replace(/\s+/g, " ").trim() : input.name;
  };

  /* Focus a field and scroll its question into the part of the screen the sticky bar leaves. */
  Wizard.prototype.focusField = function (input) {
    if (!input) return;
    input.focus({ preventScroll: true });
    var question = input.closest(".field") || input, nav = $("wizard-nav");
    var top = question.getBoundingClientRect().top, bottom = question.getBoundingClientRect().bottom;
    var visibleBottom = nav && !nav.hidden ? nav.getBoundingClientRect().top : root.innerHeight;
    var margin = 16;
    // Not wholly in view: bring the question's top just below the screen's top.
    if (top < margin || bottom > visibleBottom - margin) root.scrollBy(0, top - margin);
  };

  Wizard.prototype.placeErrors = function () {
    var errors = {}, members = this.placeForm.elements.people.value.trim();
    if (!this.select("commune").value) errors.commune = this.t.communeRequired;
    if (this.villages.length && !this.select("village").value) errors.village = this.t.villageRequired;
    if (!/^[0-9]+$/.test(members) || +members < 1 || +members > this.setup.maxMembers) errors.people = this.t.membersInvalid;
    return errors;
  };

  Wizard.prototype.next = function () {
    var step = this.steps()[this.index];
    if (step === this.placeForm) {
      if (!this.check(step, this.placeErrors())) return;
      this.form.elements.commune.value = this.select("commune").value;
      this.form.elements.village.value = this.select("village").value;
      this.setMembers(+this.placeForm.elements.people.value);
      this.refreshAges();
    } else if (step.parentNode === $("members") || step.parentNode === this.form) {
      if (!this.check(step, this.errorsIn(step))) return;
    }
    this.go(this.index + 1);
  };

  Wizard.prototype.go = function (index, restoring) {
    var steps = this.steps();
    index = Math.max(0, Math.min(index, steps.length - 1));
    // A step after the answers shows what they give: never skip past a step with errors.
    var blocked = null;
    if (index >= steps.length - 2) {
      var checked = this.evaluate();
      if (!checked.results.length) {
        for (var i = 1; i < steps.length - 2; i++) {
          blocked = this.errorsIn(steps[i]);
          if (Object.keys(blocked).length) { index = i; break; }
        }
      } else {
        this.renderResults(checked.results);
      }
    }
    this.index = index;
    steps.forEach(function (step, i) { step.hidden = i !== index; });
    var step = steps[index], heading = step.querySelector("h2");
    $("back").hidden = index === 0;
    $("next").hidden = step === this.consentForm;
    var count = this.counter(steps, index);
    $("progress").textContent = fill(this.t.step, count) + " · " + (heading ? heading.textContent : "");
    $("progress-bar").max = count.total;
    $("progress-bar").value = count.n;
    Array.prototype.forEach.call(doc.querySelectorAll(".intro"), function (p) { p.hidden = index > 0; });
    if (!restoring) {
      this.saveDraft();
      if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus(); }
      root.scrollTo(0, 0);
    }
    if (blocked && Object.keys(blocked).length) this.check(step, blocked);
  };

  /* "Step n of total" counts the members as one step, so the total does not jump when the
     number of people is given, and moving between members does not race the counter ahead. */
  Wizard.prototype.counter = function (steps, index) {
    var members = $("members").querySelectorAll("section.step").length;
    var n = index === 0 ? 1 : index <= members ? 2 : index - members + 2;
    return { n: n, total: steps.length - members + 1 };
  };

  Wizard.prototype.changed = function (input) {
    if (input.id === "commune-filter") return;
    if (/\.birth_date$/.test(input.name)) this.refreshAges();
    var step = this.steps()[this.index];
    if (input.name && step !== this.placeForm && step !== this.consentForm) {
      var errors = this.errorsIn(step);
      this.showError(input.name === "income_period" ? "income" : input.name, errors[input.name]);
      // A summary on show follows the answers (without moving the focus).
      if (step.querySelector(".step-summary")) {
        this.summarize(step, Object.keys(errors).filter(function (n) { return n !== "_step"; }), errors);
      }
    }
    this.saveDraft();
  };

  Wizard.prototype.saveDraftSoon = function () {
    var self = this;
    clearTimeout(self.saveTimer);
    self.saveTimer = setTimeout(function () { self.saveDraft(); }, 300);
  };

  /* The answers so far (not who applies: that is typed at the end), kept on this device. */
  Wizard.prototype.saveDraft = function () {
    store(this.draftKey, {
      v: 1,
      step: this.index,
      place: {
        commune: this.select("commune").value,
        village: this.select("village").value,
        people: this.placeForm.elements.people.value
      },
      fields: this.fields(this.form)
    });
  };

  Wizard.prototype.restore = function (draft) {
    var self = this, fields = draft.fields || {};
    Object.keys(fields).forEach(function (name) {
      var inputs = self.form.querySelectorAll('[name="' + name.replace(/"/g, "") + '"]');
      Array.prototype.forEach.call(inputs, function (input) {
        if (input.type === "radio" || input.type === "checkbox") input.checked = input.value === fields[name];
        else if (input.type !== "hidden") input.value = fields[name];
      });
    });
    self.form.elements.commune.value = self.select("commune").value;
    self.form.elements.village.value = self.select("village").value;
  };

  /* The result leads with the class and what to do next (the primary standard), how it was
     reached after; a later standard's result is folded into a <details>, as on the server's page. */
  Wizard.prototype.renderResults = function (results) {
    var self = this, box = $("results"), t = self.t, lang = self.lang;
    box.textContent = "";
    results.forEach(function (item) {
      var a = item.assessment, std = item.standard, id = "result-" + std.id;
      var title = fill(t.resultUnder, { standard: std.name[lang].toLowerCase() });
      var badge = el("span", { "class": "badge badge--" + a.classification }, t.classifications[a.classification]);
      var section;
      if (item.primary) {
        section = el("section", { "class": "result result--" + a.classification, "aria-labelledby": id });
        section.appendChild(el("h3", { id: id, "class": "result-title" }, title));
        var verdict = el("p", { "class": "verdict" });
        verdict.appendChild(badge);
        section.appendChild(verdict);
        section.appendChild(el("h4", {}, t.next));
        section.appendChild(el("p", { "class": "next-step" }, t.nextText));
        section.appendChild(self.evidence(std, a));
      } else {
        section = el("details", { "class": "result result--later result--" + a.classification });
        var summary = el("summary");
        summary.appendChild(el("span", { id: id, "class": "result-title" }, title));
        summary.appendChild(doc.createTextNode(" "));
        summary.appendChild(badge);
        section.appendChild(summary);
        section.appendChild(el("p", { "class": "hint" }, fill(t.laterStandard, { year: std.periods.from })));
      }
      Object.keys(std.provisional_parts || {}).forEach(function (part) {
        section.appendChild(el("p", { "class": "hint provisional" }, std.provisional_parts[part][lang]));
      });
      self.detail(section, a, std);
      box.appendChild(section);
    });
  };

  /* What the household shows the commune: the evidence of each deprivation, and the ID cards. */
  Wizard.prototype.evidence = function (std, a) {
    var lang = this.lang, list = el("ul", { "class": "evidence" });
    std.indicators.forEach(function (indicator) {
      if (a.deprivations.indexOf(indicator.code) < 0) return;
      var li = el("li");
      li.appendChild(el("strong", {}, indicator.name[lang] + ":"));
      li.appendChild(doc.createTextNode(" " + indicator.evidence[lang]));
      list.appendChild(li);
    });
    list.appendChild(el("li", {}, this.t.bringAlways));
    return list;
  };

  /* How the result was reached: the figures and the reasons. */
  Wizard.prototype.detail = function (section, a, std) {
    var self = this, t = self.t, lang = self.lang;
    var dl = el("dl", { "class": "figures" });
    [[t.income, self.money(a.income_per_capita)],
     [fill(t.line, { area: std.area_names ? std.area_names[a.area][lang] : t[a.area] }), self.money(a.income_line)],
     [t.score, fill(t.scoreDetail, { score: String(a.deprivation_score), count: String(a.deprivations.length),
                                    points: String(std.points_per_deprivation) })]].forEach(function (row) {
      var div = el("div");
      div.appendChild(el("dt", {}, row[0]));
      div.appendChild(el("dd", {}, row[1]));
      dl.appendChild(div);
    });
    section.appendChild(dl);
    section.appendChild(el("h4", {}, t.why));
    var reasons = el("ul", { "class": "reasons" });
    a.reasons.forEach(function (reason) {
      var kind = ["income", "deprivations", "classification", "low_income_workers"].indexOf(reason.code) >= 0 ? reason.code : "deprived";
      reasons.appendChild(el("li", { "class": "reason reason--" + kind }, reason[lang]));
    });
    section.appendChild(reasons);
  };

  Wizard.prototype.money = function (amount) {
    return root.GiamNgheo.formatDong(amount, this.lang) + " " + this.t.vnd;
  };

  /* The applicant's details, checked as the API's schema checks them. */
  Wizard.prototype.applicant = function () {
    var f = this.consentForm.elements, t = this.t, errors = {};
    var name = f.full_name.value.normalize("NFC").replace(/\s+/g, " ").trim();
    var id = f.citizen_id.value.replace(/\s+/g, "");
    var phone = f.phone.value.replace(/[\s.\-()]/g, "");
    if (phone.indexOf("+84") === 0) phone = "0" + phone.slice(3);
    else if (phone.indexOf("84") === 0 && phone.length === 11) phone = "0" + phone.slice(2);
    var nameOk = /^[\p{L}]+(?:[ '\-][\p{L}]+)*$/u.test(name) && name.length <= 100;
    if (!name) errors.full_name = t.required; else if (!nameOk) errors.full_name = t.errors.full_name;
    if (!f.citizen_id.value.trim()) errors.citizen_id = t.required; else if (!/^[0-9]{12}$/.test(id)) errors.citizen_id = t.errors.citizen_id;
    if (!f.phone.value.trim()) errors.phone = t.required; else if (!/^0[0-9]{9,10}$/.test(phone)) errors.phone = t.errors.phone;
    if (!f.consent.checked) errors.consent = t.errors.consent;
    return { errors: errors, value: { full_name: name, citizen_id: id, phone: phone } };
  };

  Wizard.prototype.status = function (text, kind) {
    var box = $("send-status");
    box.className = "notice" + (kind ? " notice--" + kind : "");
    box.textContent = text || "";
    box.hidden = !text;
  };

  Wizard.prototype.submit = function () {
    var checked = this.evaluate(), applicant = this.applicant();
    if (!checked.results.length) { this.go(1); return; }
    // The officials' paper intake: the date the paper form bears (node.web.officials_paper).
    var dated = this.consentForm.elements.paper_dated_on;
    if (dated && !dated.value) applicant.errors.paper_dated_on = this.t.required;
    if (!this.check(this.consentForm, applicant.errors)) return;
    var body = {
      commune_code: this.form.elements.commune.value,
      kind: this.config.kind,
      applicant: applicant.value,
      household: checked.facts,
      consent: true
    };
    if (dated) body.paper_dated_on = dated.value;
    if (this.form.elements.village.value) body.village_code = this.form.elements.village.value;
    var entry = outbox.add(body, { url: this.setup.submitUrl, receipt: this.setup.receiptUrl });
    ownKey = entry.key;
    $("send").disabled = true;
    this.status(this.t.sending);
    showOutbox();
    // Already sending (a retry of this or an older one)? Its outcome arrives through outboxEvent.
    outbox.flush();
  };

  Wizard.prototype.outboxEvent = function (event, entry, detail) {
    if (!ownKey) return;
    var send = $("send");
    if (event === "queued") {
      // Ours waits behind it, or is it: either way it goes when the connection returns. An
      // answer with a status came from the node (e.g. a 503): the network is not the trouble.
      send.disabled = false;
      this.status(detail && detail.status ? texts.busy : texts.queued, "warning");
      return;
    }
    if (entry.key !== ownKey) return;
    if (event === "sending") { send.disabled = true; this.status(this.t.sending); return; }
    send.disabled = false;
    if (event === "sent") {
      store(this.draftKey, null);
      this.status();
      openReceipt(this.setup.receiptUrl, detail.tracking_code, entry.body.applicant.phone);
    } else {
      this.status(texts.queued, "warning");
      ownKey = null;
      this.refused(detail);
    }
  };

  /* The service refused the submission: point at the answers it named. */
  Wizard.prototype.refused = function (answer) {
    var fields = (answer.data && answer.data.error && answer.data.error.fields) || {};
    var applicant = {}, household = false;
    Object.keys(fields).forEach(function (path) {
      var parts = path.split(".");
      if (parts[0] === "applicant") applicant[parts[1]] = true;
      else if (parts[0] === "consent") applicant.consent = true;
      else household = true;
    });
    if (household) {
      this.go(0);
      var note = this.placeForm.querySelector(".step-error");
      note.textContent = this.t.invalid;
      note.hidden = false;
      return;
    }
    var errors = {}, t = this.t;
    Object.keys(applicant).forEach(function (name) { errors[name] = t.errors[name]; });
    this.check(this.consentForm, errors);
    this.status(Object.keys(errors).length ? this.t.invalid : this.t.failed, "warning");
  };

  function startDeclaration() {
    var config = readJson("portal-config");
    if (!config || !$("declaration") || !root.GiamNgheo || !root.fetch || !root.Promise) return;
    var setup = config.setup;
    var urls = setup.standardUrls.concat([setup.catalogUrl]);
    // The national standards the engine chooses from (all that the page names), and the catalogue.
    Promise.all(urls.map(function (url) {
      return fetch(url, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(url);
        return r.json();
      });
    })).then(function (data) {
      var catalog = data.pop();
      new Wizard(config, data, catalog).start();
    }, function () { /* without the data the page stays the plain form, which works */ });
  }

  function startReceipt() {
    var print = $("print");
    if (!print) return;
    print.hidden = false;
    print.addEventListener("click", function () { root.print(); });
  }

  function start() {
    if ("serviceWorker" in root.navigator) {
      root.navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function () { /* no offline copy */ });
    }
    outbox.listeners.push(function (event, entry) {
      showOutbox();
      if (event === "refused" && entry.key !== ownKey && $("outbox")) {
        $("outbox").appendChild(el("p", {}, texts.refused));
        $("outbox").hidden = false;
      }
    });
    showOutbox();
    startDeclaration();
    startReceipt();
    root.addEventListener("online", function () { outbox.flush(); });
    setInterval(function () { if (outbox.entries().length) outbox.flush(); }, 15000);
    outbox.flush();
  }

  // Deferred scripts run before DOMContentLoaded: wait for it, so engine.js is there too.
  if (doc.readyState === "complete") start();
  else doc.addEventListener("DOMContentLoaded", start);
})(this);
