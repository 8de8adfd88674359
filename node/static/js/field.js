/*
 * giamngheo field app (issue 15): the village head's and the commune officer's work without
 * signal, on one page that the service worker keeps (templates/officials/sw.js).
 * - After sign-in the official sets a PIN; the phone registers itself (POST /api/v1/devices)
 *   and downloads the assigned work (GET /api/v1/field-work); everything is kept encrypted
 *   (field-vault.js).
 * - Verification (Phiếu B): one household, one question group per screen; the official
 *   assessment is computed here by engine.js and shown beside the resident's.
 * - The village meeting: attendance, each household's vote, the minutes; the pass rule is the
 *   server's, downloaded with the work.
 * - A queue of changes, each with its Idempotency-Key, sent in order with the version the phone
 *   saw; a change to a file someone else changed meanwhile waits for the official's choice.
 * The pure functions come first (the facts built from the answers, the differences).
 */
(function (root) {
  "use strict";

  /* ------------------------------------------------------------------ pure functions */
  var MONEY_SEPARATORS = /[\s.,]|đồng$|đ$|d$/gi;

  function parseValue(type, text) {
    text = text == null ? "" : String(text).trim();
    if (!text) return null;
    if (type === "money") {
      var digits = text.replace(MONEY_SEPARATORS, "");
      return /^[0-9]+$/.test(digits) ? parseInt(digits, 10) : text;
    }
    if (type === "number" || type === "integer") {
      var candidate = text.replace(/,/g, ".");
      if (!/^[0-9]+(\.[0-9]+)?$/.test(candidate)) return text;
      return type === "integer" ? parseInt(candidate, 10) : parseFloat(candidate);
    }
    if (type === "boolean") return text === "yes" ? true : text === "no" ? false : text;
    return text;
  }

  function formValue(type, value) {
    if (value === null || value === undefined) return "";
    if (type === "boolean") return value === true ? "yes" : value === false ? "no" : String(value);
    return String(value);
  }

  function ageOn(birth, reference) {
    if (typeof birth !== "string" || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(birth) || birth > reference) return null;
    var months = (+reference.slice(0, 4) - +birth.slice(0, 4)) * 12 + (+reference.slice(5, 7) - +birth.slice(5, 7));
    if (+reference.slice(8, 10) < +birth.slice(8, 10)) months -= 1;
    return Math.floor(months / 12);
  }

  function applies(question, age) {
    if (age === null) return true;
    if (question.minAge != null && age < question.minAge) return false;
    return !(question.belowAge != null && age >= question.belowAge);
  }

  function declaredValue(declared, name) {
    var parts = name.split(".");
    if (parts[0] === "members") {
      var member = (declared.members || [])[+parts[1]];
      return member ? member[parts[2]] : undefined;
    }
    if (parts.length === 2) return (declared[parts[0]] || {})[parts[1]];
    return declared[name];
  }

  /* The form's first answers: only what the resident gave (nothing they left out is filled). */
  function initialValues(household, catalog) {
    var declared = household.declared_facts || {}, values = {};
    var asked = household.asked;
    if (declared.annual_income != null) { values.income = String(declared.annual_income); values.income_period = "annual"; }
    else if (declared.monthly_income != null) { values.income = String(declared.monthly_income); values.income_period = "monthly"; }
    else values.income_period = "monthly";
    (declared.members || [{}]).forEach(function (member, i) {
      asked.member_questions.forEach(function (q) {
        var value = member[q.name];
        if (value !== undefined && value !== null) values["members." + i + "." + q.name] = formValue(q.type, value);
      });
      if (member.relation === "head") {
        values["identities." + i + ".full_name"] = household.applicant_name || "";
        values["identities." + i + ".citizen_id"] = household.applicant_citizen_id || "";
      }
    });
    asked.household_steps.forEach(function (step) {
      step.paths.forEach(function (path) {
        var value = declaredValue(declared, path);
        if (value !== undefined && value !== null) values[path] = formValue(catalog.fields[path].type, value);
      });
    });
    return values;
  }

  /* The verified facts from the answers, as the server's verify body takes them. */
  function factsFrom(values, household, members, reference, catalog) {
    var declared = household.declared_facts || {};
    var facts = { period: household.period, reference_date: reference, area: declared.area || "rural" };
    var income = parseValue("money", values.income);
    if (income !== null) facts[values.income_period === "annual" ? "annual_income" : "monthly_income"] = income;
    facts.members = [];
    for (var i = 0; i < members; i++) {
      var member = {};
      household.asked.member_questions.forEach(function (q) {
        var value = parseValue(q.type, values["members." + i + "." + q.name]);
        if (value !== null) member[q.name] = value;
      });
      var age = ageOn(member.birth_date, reference);
      household.asked.member_questions.forEach(function (q) {
        if (!applies(q, age)) member[q.name] = q["default"];
      });
      facts.members.push(member);
    }
    household.asked.household_steps.forEach(function (step) {
      step.paths.forEach(function (path) {
        var value = parseValue(catalog.fields[path].type, values[path]);
        if (value === null) return;
        var parts = path.split(".");
        (facts[parts[0]] = facts[parts[0]] || {})[parts[1]] = value;
      });
    });
    return facts;
  }

  function identitiesFrom(values, members) {
    var out = [];
    for (var i = 0; i < members; i++) {
      var id = (values["identities." + i + ".citizen_id"] || "").replace(/\s+/g, "");
      out.push({
        full_name: (values["identities." + i + ".full_name"] || "").trim(),
        citizen_id: id || null,
        ethnicity: (values["identities." + i + ".ethnicity"] || "").trim() || null
      });
    }
    return out;
  }

  /* Whether an asked question's answer differs from the resident's: a question the resident
   * was not asked (no declared answer) is never "changed". */
  function changed(declared, type, text) {
    if (declared === undefined || declared === null) return false;
    var mine = parseValue(type, text);
    return mine !== declared;
  }

  /* The village meeting's rule, as node.services.workflow.meeting_target. */
  function passes(agreeing, attendees, rule) {
    return agreeing * rule.denominator >= attendees * rule.numerator;
  }

  var pure = {
    parseValue: parseValue, initialValues: initialValues, factsFrom: factsFrom,
    identitiesFrom: identitiesFrom, changed: changed, passes: passes, ageOn: ageOn
  };
  if (typeof module !== "undefined" && module.exports) { module.exports = pure; return; }
  root.GiamNgheoField = pure;

  /* ---------------------------------------------------------------- the browser side */
  var doc = root.document;
  function $(id) { return doc.getElementById(id); }
  function readJson(id) { return JSON.parse($(id).textContent); }
  var config = readJson("field-config");
  var T = readJson("field-texts");
  var vault = new root.GiamNgheoVault();
  var state = null;
  var standards = null, catalog = null;
  var sending = false;
  var RETRY_MS = 30000;
  var signInNeeded = false;
  var redraw = null;  // draws the current verification screen again

  function fill(template, values) {
    return String(template).replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }
  function el(tag, attrs, children) {
    var node = doc.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs.text;
      else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), attrs[name]);
      else if (attrs[name] !== null && attrs[name] !== undefined && attrs[name] !== false) node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(typeof child === "string" ? doc.createTextNode(child) : child); });
    return node;
  }
  function button(text, onclick, kind) {
    return el("button", { type: "button", "class": "button" + (kind ? " button--" + kind : ""), onclick: onclick, text: text });
  }
  function newKey() {
    var bytes = root.crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function isoToday() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate());
  }
  function money(n) { return typeof n === "number" ? root.GiamNgheo.formatDong(n, "vi") : "—"; }

  /* Show one screen: its title, its content; focus on the title for screen readers. */
  function screen(title, nodes) {
    var main = $("field-screen");
    main.textContent = "";
    var h = el("h1", { tabindex: "-1", text: title });
    main.appendChild(h);
    nodes.forEach(function (n) { if (n) main.appendChild(n); });
    h.focus();
    root.scrollTo(0, 0);
  }
  function notice(text, kind) {
    return el("div", { "class": "notice notice--" + (kind || "info"), role: kind === "warning" ? "alert" : "status", text: text });
  }

  function save() { return vault.save(state); }

  /* ---------------------------------------------------------------- data and network */
  function loadStandards() {
    var urls = config.standardUrls.concat([config.catalogUrl]);
    return Promise.all(urls.map(function (url) { return fetch(url).then(function (r) { return r.json(); }); }))
      .then(function (files) { catalog = files.pop(); standards = files; });
  }

  function csrfToken() {
    // The stored page's token may be old: the page from the network carries a current one.
    return fetch(root.location.pathname, { credentials: "same-origin", cache: "no-store" }).then(function (r) {
      if (r.redirected && /login/.test(r.url)) return null;
      return r.text().then(function (html) {
        var m = /<meta name="csrf-token" content="([^"]+)"/.exec(html);
        return m ? m[1] : null;
      });
    });
  }

  function api(method, url, body, token, key) {
    var headers = { "Accept": "application/json" };
    if (state && state.device) headers["X-Device-Id"] = state.device.public_id;
    if (token) headers["X-CSRFToken"] = token;
    if (key) headers["Idempotency-Key"] = key;
    if (body) headers["Content-Type"] = "application/json";
    return fetch(url, { method: method, credentials: "same-origin", headers: headers, body: body ? JSON.stringify(body) : undefined })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) { return { status: r.status, data: data }; });
      }, function () { return { status: 0, data: {} }; });
  }

  function errorCode(answer) { return (answer.data && answer.data.error || {}).code; }

  function revoked() {
    return root.GiamNgheoVault.wipe().then(function () {
      state = null;
      vault.lock();
      screen(T.revokedTitle, [notice(T.revoked, "warning"), el("a", { href: config.loginUrl, "class": "button", text: T.signInAgain })]);
    });
  }

  /* ---------------------------------------------------------------- PIN and download */
  function setupScreen(message) {
    var pin = el("input", { id: "pin-new", type: "password", inputmode: "numeric", autocomplete: "new-password", minlength: String(config.pinMin) });
    var again = el("input", { id: "pin-again", type: "password", inputmode: "numeric", autocomplete: "new-password" });
    var label = el("input", { id: "device-label", type: "text", value: T.defaultDevice, maxlength: "80" });
    var error = el("p", { "class": "field-error", role: "alert", id: "pin-error" });
    var form = el("form", { "class": "field-form", novalidate: "" }, [
      el("label", { "for": "pin-new", text: fill(T.pinNew, { min: config.pinMin }) }), pin,
      el("label", { "for": "pin-again", text: T.pinAgain }), again,
      el("label", { "for": "device-label", text: T.deviceLabel }), label,
      error,
      el("button", { type: "submit", "class": "button button--large", text: T.pinSetAndDownload })
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!new RegExp("^[0-9]{" + config.pinMin + ",12}$").test(pin.value)) { error.textContent = fill(T.pinTooShort, { min: config.pinMin }); pin.focus(); return; }
      if (pin.value !== again.value) { error.textContent = T.pinMismatch; again.focus(); return; }
      error.textContent = T.working;
      firstDownload(pin.value, label.value.trim() || T.defaultDevice).catch(function (e) {
        error.textContent = e && e.message === "offline" ? T.needConnection : T.downloadFailed;
      });
    });
    screen(T.setupTitle, [message ? notice(message, "warning") : null, el("p", { "class": "hint", text: T.setupHint }), form]);
  }

  function firstDownload(pin, label) {
    var device;
    return csrfToken().then(function (token) {
      if (token === null) { root.location.href = config.loginUrl; throw new Error("login"); }
      state = null;
      return api("POST", config.devicesUrl, { label: label }, token).then(function (answer) {
        if (answer.status === 0) throw new Error("offline");
        if (answer.status !== 201) throw new Error("device");
        device = answer.data;
        state = { device: { id: device.id, public_id: device.public_id, label: device.label } };
        return api("GET", config.workUrl);
      });
    }).then(function (answer) {
      if (answer.status !== 200) throw new Error(answer.status === 0 ? "offline" : "work");
      return vault.create(pin).then(function () {
        state = { device: state.device, work: answer.data, downloadedAt: new Date().toISOString(),
                  drafts: {}, verified: {}, meetings: {}, outbox: [] };
        return save();
      });
    }).then(home);
  }

  function unlockScreen(message) {
    var pin = el("input", { id: "pin", type: "password", inputmode: "numeric", autocomplete: "current-password" });
    var error = el("p", { "class": "field-error", role: "alert", id: "pin-error", text: message || "" });
    var form = el("form", { "class": "field-form", novalidate: "" }, [
      el("label", { "for": "pin", text: T.pinEnter }), pin, error,
      el("button", { type: "submit", "class": "button button--large", text: T.unlock })
    ]);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      error.textContent = T.working;
      vault.unlock(pin.value, config.maxAttempts).then(function (result) {
        if (result.wiped) return setupScreen(T.wipedAfterAttempts);
        if (!result.ok) { error.textContent = fill(T.pinWrong, { left: result.left }); pin.value = ""; pin.focus(); return; }
        return vault.load().then(function (loaded) { state = loaded; home(); flush(); });
      });
    });
    screen(T.unlockTitle, [el("p", { "class": "hint", text: T.unlockHint }), form]);
    pin.focus();
  }

  /* ---------------------------------------------------------------- home */
  function counts() {
    var c = { waiting: 0, sent: 0, attention: 0 };
    state.outbox.forEach(function (e) { if (c[e.status] !== undefined) c[e.status] += 1; });
    return c;
  }

  function statusBar() {
    var c = counts();
    var online = root.navigator.onLine;
    return el("div", { "class": "field-status", id: "sync-status", role: "status", "aria-live": "polite" }, [
      el("p", { text: online ? T.online : T.offline, "class": online ? "field-online" : "field-offline" }),
      el("ul", { "class": "field-counts" }, [
        el("li", { id: "count-waiting", text: fill(T.waiting, { count: c.waiting }) }),
        el("li", { id: "count-sent", text: fill(T.sent, { count: c.sent }) }),
        el("li", { id: "count-attention", "class": c.attention ? "field-attention" : null, text: fill(T.attention, { count: c.attention }) })
      ]),
      signInNeeded ? el("p", { id: "sign-in-needed" }, [T.signInToSend + " ", el("a", { href: config.loginUrl, text: T.signInAgain })]) : null,
      button(T.send, function () { flush(); }, "secondary")
    ]);
  }

  function householdState(id) {
    var entry = state.outbox.filter(function (e) { return e.kind === "verify" && e.appId === id && e.status !== "dropped"; }).pop();
    if (entry) return T["state_" + entry.status];
    if (state.drafts[id]) return T.state_draft;
    return T.state_new;
  }

  function isSent(id) {
    return state.outbox.some(function (e) { return e.kind === "verify" && e.appId === id && e.status === "sent"; });
  }

  function home() {
    var work = state.work;
    var households = work.households.map(function (h) {
      return el("li", { "class": "card" }, [
        el("h3", { text: h.applicant_name }),
        el("p", { "class": "hint", text: [h.village_name, h.tracking_code].filter(Boolean).join(" · ") }),
        el("p", { "class": "field-state", text: householdState(h.id) }),
        // Once sent, the file has moved on (to its meeting): verifying again is done online.
        isSent(h.id) ? null : button(state.verified[h.id] ? T.verifyAgain : T.verify, function () { verification(h.id, 0); })
      ]);
    });
    var meetings = work.meetings.map(function (group, index) {
      var recorded = state.outbox.some(function (e) { return e.kind === "meeting" && e.group === index && e.status !== "dropped"; });
      return el("li", { "class": "card" }, [
        el("h3", { text: group.village_name || group.commune_code }),
        el("p", { text: fill(T.meetingHouseholds, { count: meetingHouseholds(group).length }) }),
        recorded ? el("p", { "class": "field-state", text: T.meetingRecorded }) : null,
        button(T.recordMeeting, function () { meeting(index); })
      ]);
    });
    var postings = work.postings.map(function (group) {
      return el("li", { "class": "card" }, [
        el("h3", { text: group.village_name || group.commune_code }),
        el("ol", {}, group.households.map(function (h) { return el("li", { text: h.applicant_name + " · " + h.tracking_code }); }))
      ]);
    });
    var attention = state.outbox.filter(function (e) { return e.status === "attention"; }).map(function (e) {
      return el("li", { "class": "card card--attention" }, [
        el("p", { text: entryTitle(e) }),
        el("p", { "class": "hint", text: e.problem || "" }),
        button(T.resolve, function () { conflict(e.key); })
      ]);
    });
    var queue = state.outbox.map(function (e) {
      return el("li", { "class": "field-queue-" + e.status }, [entryTitle(e) + " — " + T["state_" + e.status]]);
    });
    screen(T.homeTitle, [
      statusBar(),
      attention.length ? el("section", { "aria-labelledby": "t-attention" }, [el("h2", { id: "t-attention", text: T.needsAttention }), el("ul", { "class": "cards" }, attention)]) : null,
      el("section", { "aria-labelledby": "t-verify" }, [el("h2", { id: "t-verify", text: T.toVerify }),
        households.length ? el("ul", { "class": "cards", id: "households" }, households) : el("p", { text: T.nothingToVerify })]),
      el("section", { "aria-labelledby": "t-meetings" }, [el("h2", { id: "t-meetings", text: T.meetings }),
        meetings.length ? el("ul", { "class": "cards" }, meetings) : el("p", { text: T.noMeetings })]),
      postings.length ? el("section", { "aria-labelledby": "t-postings" }, [el("h2", { id: "t-postings", text: T.postings }), el("ul", { "class": "cards" }, postings)]) : null,
      queue.length ? el("section", { "aria-labelledby": "t-queue" }, [el("h2", { id: "t-queue", text: T.queue }), el("ul", { id: "queue" }, queue)]) : null,
      el("div", { "class": "actions" }, [
        button(T.download, downloadAgain, "secondary"),
        button(T.lock, function () { vault.lock(); state = null; unlockScreen(); }, "secondary")
      ])
    ]);
  }

  function entryTitle(entry) {
    if (entry.kind === "verify") return fill(T.entryVerify, { name: entry.name });
    return fill(T.entryMeeting, { village: entry.name });
  }

  function downloadAgain() {
    var open = state.outbox.some(function (e) { return e.status === "waiting" || e.status === "attention"; });
    if (open) { root.alert(T.sendFirst); return; }
    api("GET", config.workUrl).then(function (answer) {
      if (answer.status === 403 && errorCode(answer) === "device_revoked") return revoked();
      if (answer.status !== 200) { root.alert(T.needConnection); return; }
      state.work = answer.data;
      state.downloadedAt = new Date().toISOString();
      state.drafts = {}; state.verified = {}; state.meetings = {};
      return save().then(home);
    });
  }

  /* ---------------------------------------------------------------- verification */
  function household(id) {
    return state.work.households.filter(function (h) { return h.id === id; })[0];
  }

  function draftOf(h) {
    var draft = state.drafts[h.id];
    if (!draft) {
      draft = state.drafts[h.id] = {
        values: initialValues(h, catalog),
        members: (h.declared_facts.members || [{}]).length,
        reference: isoToday()
      };
    }
    return draft;
  }

  function steps(h, draft) {
    var list = [];
    for (var i = 0; i < draft.members; i++) list.push({ kind: "member", index: i, title: fill(T.member, { number: i + 1 }) });
    list.push({ kind: "income", title: T.income });
    h.asked.household_steps.forEach(function (s) { list.push({ kind: "household", paths: s.paths, title: T["step_" + s.step] || s.step }); });
    list.push({ kind: "address", title: T.address });
    list.push({ kind: "result", title: T.result });
    return list;
  }

  /* One input for a fact, with the resident's answer beside it and a mark when it differs. */
  function factInput(name, spec, draft, declared) {
    var id = "v-" + name.replace(/\./g, "-");
    var value = draft.values[name] || "";
    var input;
    if (spec.type === "boolean" || spec.type === "enum") {
      input = el("select", { id: id, name: name });
      input.appendChild(el("option", { value: "", text: T.choose }));
      var options = spec.type === "boolean" ? [["yes", T.yes], ["no", T.no]] :
        spec.values.map(function (v) { return [v, spec.options[v].vi]; });
      options.forEach(function (o) { input.appendChild(el("option", { value: o[0], text: o[1], selected: o[0] === value ? "" : null })); });
    } else {
      input = el("input", { id: id, name: name, value: value,
        type: spec.type === "date" ? "date" : "text",
        inputmode: spec.type === "money" || spec.type === "number" || spec.type === "integer" ? "decimal" : null,
        autocomplete: "off" });
    }
    var saidText = declared === undefined || declared === null ? T.residentGaveNone :
      fill(T.residentSaid, { value: plain(spec, declared) });
    var said = el("p", { "class": "field-declared", id: id + "-declared", text: saidText });
    var wrap = el("div", { "class": "field" }, [el("label", { "for": id, text: spec.label ? spec.label.vi : name }), input, said]);
    input.setAttribute("aria-describedby", said.id);
    function mark() {
      var differs = changed(declared, spec.type, input.value);
      wrap.classList.toggle("field--changed", differs);
      said.textContent = saidText + (differs ? " · " + T.changedMark : "");
    }
    input.addEventListener("change", function () {
      draft.values[name] = input.value;
      mark();
      save();
      // A birth date decides which questions the member is asked: the screen is drawn again.
      if (/\.birth_date$/.test(name) && redraw) redraw();
    });
    input.addEventListener("input", function () { draft.values[name] = input.value; });
    mark();
    return wrap;
  }

  function plain(spec, value) {
    if (value === null || value === undefined) return "—";
    if (spec.type === "boolean") return value ? T.yes : T.no;
    if (spec.type === "enum") return spec.options[value] ? spec.options[value].vi : String(value);
    if (spec.type === "money") return money(value);
    if (spec.type === "date" && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value.slice(8, 10) + "/" + value.slice(5, 7) + "/" + value.slice(0, 4);
    return String(value);
  }

  function textInput(name, label, draft, attrs) {
    var id = "v-" + name.replace(/\./g, "-");
    var input = el("input", Object.assign({ id: id, name: name, value: draft.values[name] || "", type: "text", autocomplete: "off" }, attrs || {}));
    input.addEventListener("input", function () { draft.values[name] = input.value; });
    input.addEventListener("change", function () { save(); });
    return el("div", { "class": "field" }, [el("label", { "for": id, text: label }), input]);
  }

  function stepContent(h, draft, step) {
    var declared = h.declared_facts || {};
    if (step.kind === "member") {
      var i = step.index, prefix = "members." + i + ".";
      var nodes = [
        textInput("identities." + i + ".full_name", T.fullName, draft, { autocapitalize: "words" }),
        textInput("identities." + i + ".citizen_id", T.citizenId, draft, { inputmode: "numeric" }),
        textInput("identities." + i + ".ethnicity", T.ethnicity, draft)
      ];
      var age = ageOn(parseValue("date", draft.values[prefix + "birth_date"]), draft.reference);
      h.asked.member_questions.forEach(function (q) {
        // A question that does not apply at the member's age is not asked, so never "changed".
        if (!applies(q, age)) return;
        var member = (declared.members || [])[i] || {};
        nodes.push(factInput(prefix + q.name, catalog.member_fields[q.name], draft, member[q.name]));
      });
      return nodes;
    }
    if (step.kind === "income") {
      var period = el("select", { id: "v-income-period", name: "income_period" }, [
        el("option", { value: "monthly", text: catalog.fields.monthly_income.label.vi, selected: draft.values.income_period !== "annual" ? "" : null }),
        el("option", { value: "annual", text: catalog.fields.annual_income.label.vi, selected: draft.values.income_period === "annual" ? "" : null })
      ]);
      period.addEventListener("change", function () { draft.values.income_period = period.value; save(); });
      var said = declared.annual_income != null ? declared.annual_income : declared.monthly_income;
      return [el("div", { "class": "field" }, [el("label", { "for": "v-income-period", text: T.incomeGiven }), period]),
        factInput("income", { type: "money", label: { vi: T.amount } }, draft, said)];
    }
    if (step.kind === "household") {
      return step.paths.map(function (path) { return factInput(path, catalog.fields[path], draft, declaredValue(declared, path)); });
    }
    if (step.kind === "address") return [textInput("address", T.addressLabel, draft, { maxlength: "300" })];
    return resultContent(h, draft);
  }

  function resultContent(h, draft) {
    var facts = factsFrom(draft.values, h, draft.members, draft.reference, catalog);
    var outcome = root.GiamNgheo.evaluate(facts, standards, catalog);
    if (outcome.errors) {
      return [notice(T.fixErrors, "warning"), el("ul", { id: "result-errors" }, Object.keys(outcome.errors).map(function (path) {
        return el("li", { text: path + ": " + root.GiamNgheo.message(catalog, outcome.errors[path], "vi") });
      }))];
    }
    var mine = outcome.assessment, theirs = h.self_assessment || {};
    var rows = [
      [T.classification, T["class_" + theirs.classification] || "—", T["class_" + mine.classification]],
      [T.incomePerCapita, money(theirs.income_per_capita), money(mine.income_per_capita)],
      [T.score, String(theirs.deprivation_score != null ? theirs.deprivation_score : "—"), String(mine.deprivation_score)]
    ];
    var standard = standards.filter(function (s) { return s.id === mine.standard_id; })[0];
    (standard ? standard.indicators : []).forEach(function (indicator) {
      var a = (theirs.deprivations || []).indexOf(indicator.code) >= 0, b = mine.deprivations.indexOf(indicator.code) >= 0;
      rows.push([indicator.name.vi, a ? T.deprived : T.notDeprived, b ? T.deprived : T.notDeprived]);
    });
    var table = el("table", { "class": "compare", id: "assessment-comparison" }, [
      el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: "" }), el("th", { scope: "col", text: T.residents }), el("th", { scope: "col", text: T.officials })])]),
      el("tbody", {}, rows.map(function (r) {
        return el("tr", { "class": r[1] !== r[2] ? "differs" : null }, [el("th", { scope: "row", text: r[0] }), el("td", { text: r[1] }), el("td", { text: r[2] + (r[1] !== r[2] ? " ●" : "") })]);
      }))
    ]);
    var store = button(T.saveVerification, function () { keepVerification(h, draft, facts, mine); }, "large");
    store.id = "save-verification";
    return [el("p", { "class": "hint", text: T.resultHint }), table, store];
  }

  function verification(id, index) {
    var h = household(id), draft = draftOf(h), list = steps(h, draft);
    index = Math.max(0, Math.min(index, list.length - 1));
    draft.step = index;
    var step = list[index];
    redraw = function () { var focused = doc.activeElement && doc.activeElement.id; verification(id, index); if (focused && $(focused)) $(focused).focus(); };
    var nav = el("div", { "class": "actions actions--sticky field-nav" }, [
      index > 0 ? button(T.back, function () { verification(id, index - 1); }, "secondary") : button(T.toHome, function () { save().then(home); }, "secondary"),
      index < list.length - 1 ? button(T.next, function () { save(); verification(id, index + 1); }) : null
    ]);
    screen(step.title, [
      el("p", { "class": "kicker", text: h.applicant_name + " · " + fill(T.stepOf, { n: index + 1, total: list.length }) }),
      el("div", { "class": "field-step" }, stepContent(h, draft, step)),
      step.kind === "member" && step.index === draft.members - 1 ? memberButtons(h, draft, index) : null,
      nav
    ]);
  }

  /* The household found larger or smaller than declared: a member added at the end, or the
   * last one taken out (with their answers). */
  function memberButtons(h, draft, index) {
    var add = button(T.addMember, function () {
      draft.members += 1;
      save();
      verification(h.id, index + 1);
    }, "secondary");
    var remove = draft.members > 1 ? button(T.removeMember, function () {
      var prefixes = ["members." + (draft.members - 1) + ".", "identities." + (draft.members - 1) + "."];
      Object.keys(draft.values).forEach(function (name) {
        if (prefixes.some(function (p) { return name.indexOf(p) === 0; })) delete draft.values[name];
      });
      draft.members -= 1;
      save();
      verification(h.id, index - 1);
    }, "secondary") : null;
    return el("div", { "class": "action-buttons" }, [add, remove]);
  }

  function keepVerification(h, draft, facts, assessment) {
    var body = { facts: facts, identities: identitiesFrom(draft.values, draft.members), address: (draft.values.address || "").trim() || null };
    state.verified[h.id] = { assessment: assessment, at: new Date().toISOString() };
    // A second verification of the same household replaces the first one not yet sent.
    state.outbox = state.outbox.filter(function (e) { return !(e.kind === "verify" && e.appId === h.id && e.status === "waiting"); });
    state.outbox.push({ key: newKey(), kind: "verify", appId: h.id, name: h.applicant_name, body: body, version: h.version, status: "waiting", at: new Date().toISOString() });
    delete state.drafts[h.id];
    save().then(function () { home(); flush(); });
  }

  /* ---------------------------------------------------------------- village meeting */
  function meetingHouseholds(group) {
    // Verified on the server, or verified on this phone (sent or waiting).
    var ids = {};
    group.households.forEach(function (h) { if (h.verified || state.verified[h.id]) ids[h.id] = h; });
    return Object.keys(ids).map(function (k) { return ids[k]; });
  }

  function meeting(index) {
    var group = state.work.meetings[index], rule = state.work.meeting_rule;
    var list = meetingHouseholds(group);
    var draft = state.meetings[index] || { held_on: isoToday(), attendees: "", chaired_by: "", notes: "", votes: {} };
    state.meetings[index] = draft;
    function input(name, label, attrs) {
      var node = el(attrs && attrs.tag === "textarea" ? "textarea" : "input", Object.assign({ id: "m-" + name, name: name, value: draft[name] }, attrs || {}));
      if (node.tagName === "TEXTAREA") node.value = draft[name] || "";
      node.removeAttribute("tag");
      node.addEventListener("input", function () { draft[name] = node.value; refresh(); });
      return el("div", { "class": "field" }, [el("label", { "for": node.id, text: label }), node]);
    }
    var outcomes = {};
    var rows = list.map(function (h) {
      var id = "m-vote-" + h.id;
      var vote = el("input", { id: id, type: "text", inputmode: "numeric", value: draft.votes[h.id] || "", autocomplete: "off" });
      var result = el("p", { "class": "field-vote-result", id: id + "-result", "aria-live": "polite" });
      outcomes[h.id] = result;
      vote.addEventListener("input", function () { draft.votes[h.id] = vote.value; refresh(); });
      return el("li", { "class": "card" }, [el("label", { "for": id, text: fill(T.agreeingFor, { name: h.applicant_name }) }), vote, result]);
    });
    var error = el("p", { "class": "field-error", role: "alert", id: "meeting-error" });
    function refresh() {
      var attendees = parseInt(draft.attendees, 10);
      list.forEach(function (h) {
        var agreeing = parseInt(draft.votes[h.id], 10);
        var node = outcomes[h.id];
        if (!(attendees > 0) || isNaN(agreeing)) { node.textContent = ""; return; }
        if (agreeing > attendees) { node.textContent = T.moreThanAttendees; node.className = "field-vote-result field-vote-result--bad"; return; }
        var ok = passes(agreeing, attendees, rule);
        var percent = Math.round(agreeing * 1000 / attendees) / 10;
        node.textContent = fill(ok ? T.votePasses : T.voteFails, { percent: percent, share: Math.round(rule.numerator * 100 / rule.denominator) });
        node.className = "field-vote-result " + (ok ? "field-vote-result--ok" : "field-vote-result--bad");
      });
    }
    var store = button(T.saveMeeting, function () {
      var attendees = parseInt(draft.attendees, 10);
      if (!(attendees > 0)) { error.textContent = T.attendeesNeeded; return; }
      if (!/^\d{4}-\d{2}-\d{2}$/.test(draft.held_on)) { error.textContent = T.dateNeeded; return; }
      var votes = [];
      for (var i = 0; i < list.length; i++) {
        var agreeing = parseInt(draft.votes[list[i].id], 10);
        if (isNaN(agreeing) || agreeing < 0 || agreeing > attendees) { error.textContent = fill(T.voteNeeded, { name: list[i].applicant_name }); return; }
        votes.push({ application_id: list[i].id, agreeing: agreeing });
      }
      if (!votes.length) { error.textContent = T.noVerified; return; }
      state.outbox = state.outbox.filter(function (e) { return !(e.kind === "meeting" && e.group === index && e.status === "waiting"); });
      state.outbox.push({ key: newKey(), kind: "meeting", group: index, name: group.village_name || group.commune_code, status: "waiting", at: new Date().toISOString(),
        body: { held_on: draft.held_on, attendees: attendees, village_code: group.village_code, chaired_by: draft.chaired_by.trim() || null, notes: draft.notes.trim() || null, votes: votes } });
      save().then(function () { home(); flush(); });
    }, "large");
    store.id = "save-meeting";
    screen(fill(T.meetingTitle, { village: group.village_name || group.commune_code }), [
      el("p", { "class": "hint", text: fill(T.meetingRule, { share: Math.round(rule.numerator * 100 / rule.denominator) }) }),
      input("held_on", T.heldOn, { type: "date" }),
      input("attendees", T.attendees, { type: "text", inputmode: "numeric" }),
      input("chaired_by", T.chairedBy, { type: "text" }),
      input("notes", T.notes, { tag: "textarea", rows: "4" }),
      el("h2", { text: T.votes }),
      rows.length ? el("ul", { "class": "cards" }, rows) : el("p", { text: T.noVerified }),
      error,
      el("div", { "class": "actions" }, [button(T.toHome, function () { save().then(home); }, "secondary"), store])
    ]);
    refresh();
  }

  /* ---------------------------------------------------------------- sync */
  function currentVersion(appId) {
    var version = null;
    state.work.households.forEach(function (h) { if (h.id === appId) version = h.version; });
    state.work.meetings.forEach(function (g) { g.households.forEach(function (h) { if (h.id === appId && version === null) version = h.version; }); });
    return version;
  }

  function setVersion(appId, version) {
    state.work.households.forEach(function (h) { if (h.id === appId) h.version = version; });
    state.work.meetings.forEach(function (g) { g.households.forEach(function (h) { if (h.id === appId) { h.version = version; h.verified = true; } }); });
  }

  function blocked(entry) {
    // A meeting waits while a verification of one of its households needs attention or waits.
    if (entry.kind !== "meeting") return false;
    var ids = entry.body.votes.map(function (v) { return v.application_id; });
    return state.outbox.some(function (e) { return e.kind === "verify" && ids.indexOf(e.appId) >= 0 && (e.status === "attention" || e.status === "waiting"); });
  }

  function request(entry, token) {
    if (entry.kind === "verify") {
      var body = Object.assign({}, entry.body, { version: entry.version });
      return api("POST", config.verifyUrl.replace("{id}", entry.appId), body, token, entry.key);
    }
    var meetingBody = Object.assign({}, entry.body, { votes: entry.body.votes.map(function (v) {
      return { application_id: v.application_id, agreeing: v.agreeing, version: currentVersion(v.application_id) };
    }) });
    return api("POST", config.meetingsUrl, meetingBody, token, entry.key);
  }

  /* What someone else left on the file, for the side-by-side view. */
  function theirs(appId) {
    return api("GET", config.applicationUrl.replace("{id}", appId)).then(function (answer) {
      if (answer.status !== 200) return null;
      var file = answer.data;
      var last = (file.history || []).slice(-1)[0] || {};
      return { version: file.version, status: file.status, verification: file.verification, changed_at: last.at || null };
    });
  }

  function flush() {
    if (sending || !state || !root.navigator.onLine) return Promise.resolve();
    var pending = state.outbox.filter(function (e) { return e.status === "waiting" && !blocked(e); });
    if (!pending.length) return Promise.resolve();
    sending = true;
    return csrfToken().then(function (token) {
      if (token === null) { sending = false; showSignIn(); return; }
      signInNeeded = false;
      return sendEach(pending, token);
    }, function () { sending = false; }).then(function () {
      sending = false;
      return save();
    }).then(function () {
      if (state && $("sync-status")) home();
      // Sending one may have unblocked another (a meeting after its households).
      if (state && state.outbox.some(function (e) { return e.status === "waiting" && !blocked(e); })) return flush();
    });
  }

  function sendEach(entries, token) {
    if (!entries.length || !state) return Promise.resolve();
    var entry = entries[0];
    if (blocked(entry)) return sendEach(entries.slice(1), token);
    return request(entry, token).then(function (answer) {
      if (answer.status === 200 || answer.status === 201) {
        entry.status = "sent";
        entry.sentAt = new Date().toISOString();
        if (entry.kind === "verify") setVersion(entry.appId, answer.data.version);
        return sendEach(entries.slice(1), token);
      }
      if (answer.status === 403 && errorCode(answer) === "device_revoked") return revoked();
      if (answer.status === 409) {
        entry.status = "attention";
        entry.problem = T.conflict;
        var ids = entry.kind === "verify" ? [entry.appId] : entry.body.votes.map(function (v) { return v.application_id; });
        return Promise.all(ids.map(theirs)).then(function (files) {
          entry.theirs = files;
          return sendEach(entries.slice(1), token);
        });
      }
      if (answer.status === 422 || answer.status === 404 || answer.status === 403) {
        entry.status = "attention";
        entry.problem = fill(T.refused, { message: (answer.data.error || {}).message || answer.status });
        entry.fields = (answer.data.error || {}).fields || {};
        return sendEach(entries.slice(1), token);
      }
      if (answer.status === 401 || answer.status === 400) { showSignIn(); return; }
      // No connection or a server error: it stays waiting, to be sent later with the same key.
      return undefined;
    });
  }

  function showSignIn() {
    // Kept until a send gets a current token, so the status bar says it each time it is drawn.
    signInNeeded = true;
    if (state && $("sync-status")) home();
  }

  /* ---------------------------------------------------------------- conflicts */
  function factRows(mine, theirsFacts) {
    var rows = [];
    function add(label, spec, a, b) {
      rows.push(el("tr", { "class": JSON.stringify(a) !== JSON.stringify(b) ? "differs" : null }, [
        el("th", { scope: "row", text: label }), el("td", { text: plain(spec, a) }), el("td", { text: plain(spec, b) })]));
    }
    add(catalog.fields.monthly_income.label.vi, { type: "money" }, theirsFacts.monthly_income, mine.monthly_income);
    Object.keys(catalog.fields).forEach(function (path) {
      if (path.indexOf(".") < 0) return;
      var a = declaredValue(theirsFacts, path), b = declaredValue(mine, path);
      if (a === undefined && b === undefined) return;
      add(catalog.fields[path].label.vi, catalog.fields[path], a, b);
    });
    var count = Math.max((theirsFacts.members || []).length, (mine.members || []).length);
    for (var i = 0; i < count; i++) {
      Object.keys(catalog.member_fields).forEach(function (name) {
        var a = ((theirsFacts.members || [])[i] || {})[name], b = ((mine.members || [])[i] || {})[name];
        if (a === undefined && b === undefined) return;
        add(fill(T.member, { number: i + 1 }) + ": " + catalog.member_fields[name].label.vi, catalog.member_fields[name], a, b);
      });
    }
    return rows;
  }

  function conflict(key) {
    var entry = state.outbox.filter(function (e) { return e.key === key; })[0];
    var nodes = [notice(entry.problem || T.conflict, "warning")];
    if (entry.kind === "verify" && entry.theirs && entry.theirs[0]) {
      var other = entry.theirs[0];
      var otherFacts = other.verification ? other.verification.facts : {};
      var otherClass = other.verification ? T["class_" + other.verification.assessment.classification] : "—";
      var myClass = state.verified[entry.appId] ? T["class_" + state.verified[entry.appId].assessment.classification] : "—";
      nodes.push(el("table", { "class": "compare", id: "conflict-table" }, [
        el("thead", {}, [el("tr", {}, [el("th", { scope: "col", text: "" }), el("th", { scope: "col", text: T.theirs }), el("th", { scope: "col", text: T.mine })])]),
        el("tbody", {}, [el("tr", { "class": otherClass !== myClass ? "differs" : null }, [el("th", { scope: "row", text: T.classification }), el("td", { text: otherClass }), el("td", { text: myClass })])]
          .concat(factRows(entry.body.facts, otherFacts)))
      ]));
    } else if (entry.theirs) {
      nodes.push(el("ul", {}, entry.theirs.map(function (file, i) {
        return el("li", { text: entry.body.votes[i].application_id + ": " + (file ? T["status_" + file.status] || file.status : "—") });
      })));
    }
    nodes.push(el("div", { "class": "actions" }, [
      button(T.keepMine, function () {
        // Mine again, on top of what they did: a new request with the version now on file.
        if (entry.theirs && entry.theirs[0] && entry.kind === "verify") entry.version = entry.theirs[0].version;
        if (entry.kind === "meeting") entry.theirs.forEach(function (file, i) { if (file) setVersion(entry.body.votes[i].application_id, file.version); });
        entry.key = newKey();
        entry.status = "waiting";
        entry.problem = null;
        save().then(function () { home(); flush(); });
      }),
      button(T.keepTheirs, function () {
        entry.status = "dropped";
        save().then(home);
      }, "secondary")
    ]));
    screen(fill(T.conflictTitle, { what: entryTitle(entry) }), [el("p", { "class": "hint", text: T.conflictHint })].concat(nodes));
  }

  /* ---------------------------------------------------------------- start */
  function start() {
    if (root.navigator.serviceWorker) {
      root.navigator.serviceWorker.register(config.workerUrl, { scope: "/officials/" }).catch(function () {});
    }
    root.addEventListener("online", function () { if (state) { home(); flush(); } });
    // A connection the browser thinks is up may not reach the node (a captive portal, a server
    // down): what waits is tried again every half minute while the app is open.
    root.setInterval(function () { if (state) flush(); }, RETRY_MS);
    root.addEventListener("offline", function () { if (state && $("sync-status")) home(); });
    loadStandards().then(function () { return vault.meta(); }).then(function (meta) {
      if (meta) unlockScreen(); else setupScreen();
    }, function () {
      screen(T.unavailableTitle, [notice(T.unavailable, "warning")]);
    });
  }

  start();
})(this);
