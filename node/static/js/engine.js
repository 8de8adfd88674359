/*
 * giamngheo standards engine for the browser: the same rules, from the same JSON files, as
 * shared/standards in Python, so a resident sees at once, even offline, the assessment the
 * commune will compute. A test runs the shared cases and hundreds of generated households
 * through both and requires identical results, errors included.
 */
(function (root) {
  "use strict";

  var LANGUAGES = ["vi", "en"];
  var ALWAYS_REQUIRED = { period: true, area: true };
  var ALWAYS_MEMBER = { birth_date: true, sex: true, relation: true };

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function Bad(code) {
    this.code = code;
  }

  /* A strict YYYY-MM-DD date as {y, m, d}, or null. */
  function parseDate(value) {
    if (typeof value !== "string" || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
    var y = +value.slice(0, 4), m = +value.slice(5, 7), d = +value.slice(8, 10);
    if (y < 1 || m < 1 || m > 12 || d < 1) return null;
    var days = new Date(Date.UTC(2000, m, 0)).getUTCDate();
    if (m === 2) days = (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0)) ? 29 : 28;
    if (d > days) return null;
    return { y: y, m: m, d: d };
  }

  function compareDates(a, b) {
    return (a.y - b.y) || (a.m - b.m) || (a.d - b.d);
  }

  function today() {
    var now = new Date();
    return { y: now.getFullYear(), m: now.getMonth() + 1, d: now.getDate() };
  }

  function ageInMonths(birth, on) {
    var months = (on.y - birth.y) * 12 + on.m - birth.m;
    return on.d < birth.d ? months - 1 : months;
  }

  function checker(spec) {
    switch (spec.type) {
      case "integer":
        return function (v) {
          if (typeof v !== "number" || !Number.isInteger(v)) throw new Bad("integer");
          if ((spec.min != null && v < spec.min) || (spec.max != null && v > spec.max)) throw new Bad("range");
          return v;
        };
      case "money":
        return function (v) {
          if (typeof v !== "number" || !isFinite(v)) throw new Bad("integer");
          if (v < 0) throw new Bad("negative");
          if (!Number.isInteger(v)) throw new Bad("whole_dong");
          if (spec.max != null && v > spec.max) throw new Bad("too_large");
          return v;
        };
      case "number":
        return function (v) {
          if (typeof v !== "number" || !isFinite(v)) throw new Bad("number");
          if (v < 0) throw new Bad("negative");
          if (spec.exclusive_min != null && v <= spec.exclusive_min) throw new Bad("positive");
          if (spec.max != null && v > spec.max) throw new Bad("too_large");
          return v;
        };
      case "boolean":
        return function (v) {
          if (typeof v !== "boolean") throw new Bad("boolean");
          return v;
        };
      case "enum":
        return function (v) {
          if (typeof v !== "string" || spec.values.indexOf(v) < 0) throw new Bad("enum");
          return v;
        };
      case "date":
        return function (v) {
          var parsed = parseDate(v);
          if (!parsed) throw new Bad("date");
          if ((spec.min != null && compareDates(parsed, parseDate(spec.min)) < 0) ||
              (spec.max != null && compareDates(parsed, parseDate(spec.max)) > 0)) {
            throw new Bad("date_range");
          }
          return parsed;
        };
    }
    throw new Error("unknown field type " + spec.type);
  }

  /* The household facts and member facts a standard's rules read (as the Python compiler finds). */
  function factsUsed(standard) {
    var household = {}, member = {};
    function walkMember(node) {
      if (node.all || node.any) (node.all || node.any).forEach(walkMember);
      else if (node.not) walkMember(node.not);
      else if (node.age) member.birth_date = true;
      else if (has(node, "working_age")) { member.birth_date = true; member.sex = true; }
      else if (node.fact) member[node.fact] = true;
    }
    standard.indicators.forEach(function (indicator) {
      var rule = indicator.rule;
      if (rule.any_member) walkMember(rule.any_member);
      else if (rule.members_share) walkMember(rule.members_share);
      else if (rule.count_false) rule.count_false.forEach(function (p) { household[p] = true; });
      else if (rule.per_member) household[rule.per_member] = true;
      else if (rule.fact) household[rule.fact] = true;
    });
    // Who counts as a low-income worker matters only where the standard sets their lines.
    if (standard.low_income_lines) walkMember(standard.low_income_worker.rule);
    return { household: household, member: member };
  }

  function valueTest(node, spec, value) {
    if (has(node, "equals")) return value === node.equals;
    if (node["in"]) return node["in"].indexOf(value) >= 0;
    if (node.not_in) return node.not_in.indexOf(value) < 0;
    if (has(node, "below")) {
      return spec.values.indexOf(value) < spec.values.indexOf(node.below);
    }
    throw new Error("unknown test");
  }

  function memberTest(node, m, catalog) {
    var i;
    if (node.all) {
      for (i = 0; i < node.all.length; i++) if (!memberTest(node.all[i], m, catalog)) return false;
      return true;
    }
    if (node.any) {
      for (i = 0; i < node.any.length; i++) if (memberTest(node.any[i], m, catalog)) return true;
      return false;
    }
    if (node.not) return !memberTest(node.not, m, catalog);
    if (node.age) {
      var low = node.age.min != null ? node.age.min : 0;
      var high = Math.min(node.age.max != null ? node.age.max + 1 : 10000,
        node.age.below != null ? node.age.below : 10000);
      return low <= m.age && m.age < high;
    }
    if (has(node, "working_age")) return m.workingAge === node.working_age;
    return valueTest(node, catalog.member_fields[node.fact], m.facts[node.fact]);
  }

  function readFact(facts, path) {
    var parts = path.split(".");
    return facts[parts[0]][parts[1]];
  }

  function deprived(rule, facts, members, catalog) {
    var n = members.length, i, count;
    if (rule.any_member) {
      for (i = 0; i < n; i++) if (memberTest(rule.any_member, members[i], catalog)) return true;
      return false;
    }
    if (rule.members_share) {
      count = 0;
      for (i = 0; i < n; i++) if (memberTest(rule.members_share, members[i], catalog)) count++;
      return count > rule.more_than * n;
    }
    if (rule.count_false) {
      count = 0;
      rule.count_false.forEach(function (p) { if (readFact(facts, p) === false) count++; });
      return count >= rule.at_least;
    }
    if (rule.per_member) return readFact(facts, rule.per_member) < rule.below * n;
    return valueTest(rule, catalog.fields[rule.fact], readFact(facts, rule.fact));
  }

  /* Errors (path → code) of the facts against one standard, and the values assess() needs. */
  function validate(facts, standard, catalog, startErrors) {
    var errors = {}, key;
    for (key in startErrors || {}) errors[key] = startErrors[key];
    if (!isObject(facts)) return { errors: { facts: "object" } };
    var used = factsUsed(standard);
    var values = {};
    var groups = {}, topLevel = {};
    Object.keys(catalog.fields).forEach(function (path) {
      var dot = path.indexOf(".");
      if (dot < 0) topLevel[path] = true;
      else {
        var group = path.slice(0, dot);
        topLevel[group] = true;
        (groups[group] = groups[group] || []).push(path.slice(dot + 1));
      }
    });
    for (key in facts) if (has(facts, key) && !topLevel[key]) errors[key] = "unknown";

    Object.keys(catalog.fields).forEach(function (path) {
      var spec = catalog.fields[path];
      if (spec.type === "members") return;
      var dot = path.indexOf("."), container = facts, name = path;
      if (dot >= 0) {
        var group = path.slice(0, dot);
        name = path.slice(dot + 1);
        container = facts[group];
        if (container === undefined || container === null) {
          if (used.household[path]) errors[group] = errors[path] = "required";
          return;
        }
        if (!isObject(container)) {
          errors[group] = "object";
          return;
        }
      }
      if (!has(container, name)) {
        if (used.household[path] || ALWAYS_REQUIRED[path]) errors[path] = "required";
        return;
      }
      try {
        values[path] = checker(spec)(container[name]);
      } catch (bad) {
        if (!(bad instanceof Bad)) throw bad;
        errors[path] = bad.code;
      }
    });
    Object.keys(groups).forEach(function (group) {
      var container = facts[group];
      if (isObject(container)) {
        Object.keys(container).forEach(function (k) {
          if (groups[group].indexOf(k) < 0) errors[group + "." + k] = "unknown";
        });
      }
    });

    /* The reference date falls in the years the data allows around the period. */
    var years = catalog.fields.reference_date.period_years;
    if (years && values.reference_date && values.period != null &&
        (values.reference_date.y < values.period + years[0] ||
         values.reference_date.y > values.period + years[1])) {
      errors.reference_date = "reference_period";
    }

    var monthly = 0;
    var hasMonthly = has(facts, "monthly_income"), hasAnnual = has(facts, "annual_income");
    if (hasMonthly && hasAnnual) errors.monthly_income = errors.annual_income = "both_incomes";
    else if (!hasMonthly && !hasAnnual) errors.monthly_income = "income_missing";
    else if (hasAnnual) monthly = values.annual_income != null ? Math.floor(values.annual_income / 12) : 0;
    else monthly = values.monthly_income != null ? values.monthly_income : 0;

    var reference = values.reference_date || today();
    var members = validateMembers(facts.members, reference, used.member, catalog, errors);
    return {
      errors: errors,
      valid: {
        facts: facts, period: values.period, area: values.area, reference: reference,
        monthlyIncome: monthly, members: members
      }
    };
  }

  function validateMembers(members, reference, required, catalog, errors) {
    if (members === undefined || members === null) { errors.members = "required"; return []; }
    if (!Array.isArray(members)) { errors.members = "list"; return []; }
    if (!members.length) { errors.members = "no_members"; return []; }
    if (members.length > catalog.max_members) { errors.members = "too_many_members"; return []; }
    var names = Object.keys(catalog.member_fields);
    var result = [], heads = 0, relationsKnown = true;
    members.forEach(function (member, index) {
      var prefix = "members." + index;
      if (!isObject(member)) { errors[prefix] = "object"; relationsKnown = false; return; }
      Object.keys(member).forEach(function (k) {
        if (names.indexOf(k) < 0) errors[prefix + "." + k] = "unknown";
      });
      var birth = null;
      names.forEach(function (name) {
        if (has(member, name)) {
          var value;
          try {
            value = checker(catalog.member_fields[name])(member[name]);
          } catch (bad) {
            if (!(bad instanceof Bad)) throw bad;
            errors[prefix + "." + name] = bad.code;
            if (name === "relation") relationsKnown = false;
            return;
          }
          if (name === "birth_date") birth = value;
          else if (name === "relation" && value === "head") heads++;
        } else if (required[name] || ALWAYS_MEMBER[name]) {
          errors[prefix + "." + name] = "required";
          if (name === "relation") relationsKnown = false;
        }
      });
      if (birth) {
        if (compareDates(birth, reference) > 0) errors[prefix + ".birth_date"] = "birth_after_reference";
        result.push({ facts: member, birth: birth });
      }
    });
    if (relationsKnown && heads !== 1) errors.members = "head_count";
    return result;
  }

  function formatDong(amount, lang) {
    var digits = String(amount), out = "";
    while (digits.length > 3) {
      out = (lang === "vi" ? "." : ",") + digits.slice(-3) + out;
      digits = digits.slice(0, -3);
    }
    return digits + out;
  }

  function retirementMonths(standard, year, sex) {
    var table = standard.working_age.retirement_age[sex];
    var years = Object.keys(table).map(Number);
    var nearest = Math.min(Math.max(year, Math.min.apply(null, years)), Math.max.apply(null, years));
    var age = table[String(nearest)];
    return age[0] * 12 + age[1];
  }

  function assess(valid, standard, catalog) {
    var ref = valid.reference;
    var fromMonths = standard.working_age.from_years * 12;
    var retire = { male: retirementMonths(standard, ref.y, "male"), female: retirementMonths(standard, ref.y, "female") };
    var members = valid.members.map(function (item) {
      var months = ageInMonths(item.birth, ref);
      return {
        facts: item.facts, age: Math.floor(months / 12),
        workingAge: fromMonths <= months && months < retire[item.facts.sex]
      };
    });
    var deprivations = standard.indicators
      .filter(function (ind) { return deprived(ind.rule, valid.facts, members, catalog); })
      .map(function (ind) { return ind.code; });
    var count = deprivations.length;
    var area = valid.area;
    var income = Math.floor(valid.monthlyIncome / members.length);
    var line = standard.income_lines[area];
    var averageLine = standard.average_lines ? standard.average_lines[area] : null;
    var classification;
    if (income <= line) classification = count >= standard.poor_min_deprivations ? "poor" : "near_poor";
    else if (averageLine !== null && income <= averageLine) classification = "average";
    else classification = "not_poor";
    // Decree 30/2025: the workers of a household that is neither poor nor near-poor (so above
    // the income line) with an income per person at or below the low-income line.
    var lowLine = standard.low_income_lines ? standard.low_income_lines[area] : null;
    var workers = [];
    if (lowLine !== null && line < income && income <= lowLine) {
      members.forEach(function (m, index) {
        if (memberTest(standard.low_income_worker.rule, m, catalog)) workers.push(index);
      });
    }
    var why = reasons(standard, catalog, area, income, deprivations, classification);
    if (workers.length) why.push(lowIncomeReason(standard, catalog, area, lowLine, workers.length));
    return {
      standard_id: standard.id,
      period: valid.period,
      area: area,
      income_per_capita: income,
      income_line: line,
      average_line: averageLine,
      deprivations: deprivations,
      deprivation_count: count,
      deprivation_score: count * standard.points_per_deprivation,
      classification: classification,
      // The farming, forestry, fishery and salt households with an average living standard
      // (Decision 24/2021 Art. 3): the class `average` and such a main livelihood.
      average_livelihood: classification === "average" &&
        catalog.fields.main_income_source.average_list_values.indexOf(valid.facts.main_income_source) >= 0,
      low_income_line: lowLine,
      low_income_workers: workers,
      reasons: why
    };
  }

  function lowIncomeReason(standard, catalog, area, lowLine, count) {
    var item = { code: "low_income_workers" };
    LANGUAGES.forEach(function (lang) {
      var fields = {
        count: String(count), low_income_line: formatDong(lowLine, lang),
        area: (standard.area_names || catalog.texts.area)[area][lang]
      };
      item[lang] = fill(catalog.texts.low_income_workers[lang], fields);
    });
    return item;
  }

  /* A reason's template with its {fields} filled in. */
  function fill(template, fields) {
    return template.replace(/\{(\w+)\}/g, function (all, name) {
      return has(fields, name) ? fields[name] : all;
    });
  }

  function reasons(standard, catalog, area, income, deprivations, classification) {
    var texts = catalog.texts;
    var line = standard.income_lines[area];
    var averageLine = standard.average_lines ? standard.average_lines[area] : null;
    var key;
    if (income <= line) key = "income_at_or_below_line";
    else if (averageLine === null) key = "income_above";
    else if (income <= averageLine) key = "income_at_or_below_average";
    else key = "income_above_average";
    function both(template, fieldsFor) {
      var out = {};
      LANGUAGES.forEach(function (lang) { out[lang] = fill(template[lang], fieldsFor(lang)); });
      return out;
    }
    var result = [];
    var first = { code: "income" };
    var incomeTexts = both(texts[key], function (lang) {
      return {
        income: formatDong(income, lang), line: formatDong(line, lang),
        average_line: formatDong(averageLine || 0, lang), area: (standard.area_names || texts.area)[area][lang]
      };
    });
    LANGUAGES.forEach(function (lang) { first[lang] = incomeTexts[lang]; });
    result.push(first);
    var byCode = {};
    standard.indicators.forEach(function (ind) { byCode[ind.code] = ind; });
    deprivations.forEach(function (code) {
      var item = { code: code };
      LANGUAGES.forEach(function (lang) { item[lang] = byCode[code].reason[lang]; });
      result.push(item);
    });
    var count = deprivations.length;
    var summary = both(texts.deprivations, function () {
      return {
        count: String(count),
        score: String(count * standard.points_per_deprivation),
        points: String(standard.points_per_deprivation)
      };
    });
    result.push({ code: "deprivations", vi: summary.vi, en: summary.en });
    var verdict = both(texts.classification[classification], function () {
      return { min: String(standard.poor_min_deprivations) };
    });
    result.push({ code: "classification", vi: verdict.vi, en: verdict.en });
    return result;
  }

  /*
   * Evaluate facts: standards is the list of national standards (oldest first), catalog the
   * facts catalogue. Returns {assessment} or {errors: {path: code}}.
   */
  function evaluate(facts, standards, catalog, standardId) {
    var standard = null, startErrors = {}, i;
    if (standardId != null) {
      for (i = 0; i < standards.length; i++) if (standards[i].id === standardId) standard = standards[i];
      if (!standard) throw new Error("unknown standard " + standardId);
    } else {
      var period = isObject(facts) ? facts.period : undefined;
      standard = standards[standards.length - 1];
      if (typeof period === "number" && Number.isInteger(period)) {
        var found = null;
        for (i = 0; i < standards.length; i++) {
          if (standards[i].periods.from <= period && period <= standards[i].periods.to) found = standards[i];
        }
        if (found) standard = found;
        else startErrors = { period: "period_unsupported" };
      }
    }
    var checked = validate(facts, standard, catalog, startErrors);
    if (Object.keys(checked.errors).length) return { errors: checked.errors };
    return { assessment: assess(checked.valid, standard, catalog) };
  }

  /* The message for an error code in lang, from the catalogue. */
  function message(catalog, code, lang) {
    return catalog.errors[code][lang];
  }

  var api = { evaluate: evaluate, validate: validate, message: message, formatDong: formatDong };
  if (typeof module !== "undefined" && module.exports) module.exports = api;
  else root.GiamNgheo = api;
})(this);
