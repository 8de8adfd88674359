"""Compile a standard's indicator rules (JSON data) into one fast Python function.

The rule language is deliberately small, so that a browser evaluator can implement exactly the same
thing from the same file. A household rule is one of:

- ``{"any_member": P}``: at least one member satisfies P;
- ``{"members_share": P, "more_than": x}``: the members satisfying P are more than x of all members;
- ``{"fact": "group.name", "equals": v}`` / ``"in": [...]`` / ``"not_in": [...]``;
- ``{"count_false": ["group.a", ...], "at_least": k}``: at least k of these facts are false;
- ``{"per_member": "group.name", "below": x}``: the fact divided by the member count is below x.

A member predicate P is one of ``{"all": [P, ...]}``, ``{"any": [P, ...]}``, ``{"not": P}``,
``{"age": {"min": a, "max": b, "below": c}}`` (full years, min/max inclusive),
``{"working_age": true|false}`` and ``{"fact": name, "equals"|"in"|"not_in"|"below": ...}``
(``below`` compares along the order of an ordered field such as ``education_level``).

Rules become Python source with every constant passed in a tuple (never pasted into the source), and
all member rules share one loop over the members; evaluating a household is then a single call,
which is what lets bulk recomputation reach tens of thousands of households a second.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# (facts, members) → deprived indicator codes in legal order; a member is (facts, age, working age).
MemberRow = tuple[dict[str, Any], int, bool]
DeprivationFinder = Callable[[dict[str, Any], Sequence[MemberRow]], list[str]]
# members → the 0-based indexes, in order, of the members a member predicate selects.
MemberSelector = Callable[[Sequence[MemberRow]], list[int]]


class StandardError(ValueError):
    """A standard's data is malformed; the message says where."""


@dataclass
class _Compiler:
    """Collects constants and the facts the rules read while turning rules into expressions."""

    catalog: dict[str, Any]
    constants: list[Any] = field(default_factory=list)
    household_facts: set[str] = field(default_factory=set)
    member_facts: set[str] = field(default_factory=set)

    def constant(self, value: Any) -> str:
        self.constants.append(value)
        return f"C[{len(self.constants) - 1}]"


def _only_keys(node: Any, allowed: set[str], where: str) -> dict[str, Any]:
    if not isinstance(node, dict) or not node:
        raise StandardError(f"{where}: expected a non-empty object")
    extra = set(node) - allowed
    if extra:
        raise StandardError(f"{where}: unexpected keys {sorted(extra)}")
    return node


def _member_expression(node: Any, compiler: _Compiler, where: str) -> str:
    """A Python expression over ``m`` (member facts), ``age`` (full years) and ``wa``."""
    if not isinstance(node, dict) or not node:
        raise StandardError(f"{where}: expected a predicate object")
    for key, joiner in (("all", " and "), ("any", " or ")):
        if key in node:
            _only_keys(node, {key}, where)
            parts = node[key]
            if not isinstance(parts, list) or not parts:
                raise StandardError(f"{where}.{key}: expected a non-empty list")
            inner = [
                _member_expression(part, compiler, f"{where}.{key}.{index}")
                for index, part in enumerate(parts)
            ]
            return "(" + joiner.join(inner) + ")"
    if "not" in node:
        _only_keys(node, {"not"}, where)
        return f"(not {_member_expression(node['not'], compiler, f'{where}.not')})"
    if "age" in node:
        _only_keys(node, {"age"}, where)
        bounds = _only_keys(node["age"], {"min", "max", "below"}, f"{where}.age")
        for key, value in bounds.items():
            if type(value) is not int or value < 0:
                raise StandardError(f"{where}.age.{key}: expected a whole number of years")
        compiler.member_facts.add("birth_date")
        low = bounds.get("min", 0)
        # "max" is inclusive (16–17 years), "below" exclusive (under 16): both one upper bound.
        high = min(bounds.get("max", 10_000) + 1, bounds.get("below", 10_000))
        return f"({low} <= age < {high})"
    if "working_age" in node:
        _only_keys(node, {"working_age"}, where)
        wanted = node["working_age"]
        if type(wanted) is not bool:
            raise StandardError(f"{where}.working_age: expected true or false")
        compiler.member_facts.update(("birth_date", "sex"))
        return "wa" if wanted else "(not wa)"
    if "fact" in node:
        name = node["fact"]
        spec = compiler.catalog["member_fields"].get(name) if isinstance(name, str) else None
        if spec is None:
            raise StandardError(f"{where}.fact: unknown member fact {name!r}")
        compiler.member_facts.add(name)
        return _value_test(node, spec, compiler, where, f"m[{compiler.constant(name)}]")
    raise StandardError(f"{where}: unknown predicate {sorted(node)}")


def _value_test(
    node: dict[str, Any], spec: dict[str, Any], compiler: _Compiler, where: str, subject: str
) -> str:
    """A comparison of one fact: equals, in, not_in or (ordered fields) below."""
    tests = set(node) - {"fact"}
    if len(tests) != 1:
        raise StandardError(f"{where}: expected exactly one of equals, in, not_in, below")
    (test,) = tests
    operand = node[test]
    allowed = spec.get("values")
    if test == "equals":
        if spec["type"] == "boolean":
            if type(operand) is not bool:
                raise StandardError(f"{where}.equals: expected true or false")
            return f"({subject} is {operand})"
        if allowed is not None and operand not in allowed:
            raise StandardError(f"{where}.equals: not one of {allowed}")
        return f"({subject} == {compiler.constant(operand)})"
    if test in ("in", "not_in"):
        if not isinstance(operand, list) or not operand:
            raise StandardError(f"{where}.{test}: expected a non-empty list")
        if allowed is not None and not set(operand) <= set(allowed):
            raise StandardError(f"{where}.{test}: values outside {allowed}")
        operator = "in" if test == "in" else "not in"
        return f"({subject} {operator} {compiler.constant(frozenset(operand))})"
    if test == "below":
        if not spec.get("ordered") or operand not in allowed:
            raise StandardError(f"{where}.below: needs an ordered field and one of its values")
        lower = frozenset(allowed[: allowed.index(operand)])
        return f"({subject} in {compiler.constant(lower)})"
    raise StandardError(f"{where}: unknown test {test!r}")


def _household_fact(path: Any, compiler: _Compiler, where: str) -> str:
    if not isinstance(path, str) or path.count(".") != 1 or path not in compiler.catalog["fields"]:
        raise StandardError(f"{where}: unknown household fact {path!r}")
    compiler.household_facts.add(path)
    group, name = path.split(".")
    return f"F[{compiler.constant(group)}][{compiler.constant(name)}]"


def _share(value: Any, where: str) -> float:
    if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value < 1:
        raise StandardError(f"{where}: expected a share between 0 and 1")
    return value


def compile_rules(indicators: Sequence[tuple[str, Any]], catalog: dict[str, Any]) -> tuple[
    DeprivationFinder, frozenset[str], frozenset[str]
]:  # fmt: skip
    """Compile (code, rule) pairs into one finder; also return the facts the rules read."""
    compiler = _Compiler(catalog)
    parts = _Source()
    for index, (code, node) in enumerate(indicators):
        where = f"indicators.{index}.rule"
        if not isinstance(node, dict):
            raise StandardError(f"{where}: expected a rule object")
        hit = f"d.append({compiler.constant(code)})"
        _compile_rule(node, index, hit, compiler, parts, where)
    source = ["def find(F, M):", "    n = len(M)", "    d = []", *parts.before]
    if parts.loop:
        source += ["    for m, age, wa in M:", *parts.loop]
    source += [*parts.after, "    return d"]
    namespace: dict[str, Any] = {"C": tuple(compiler.constants)}
    # Only our own names and integers checked above reach the source; every other value travels
    # in C, so a standard's data can never inject code.
    exec(compile("\n".join(source), "<standard rules>", "exec"), namespace)  # noqa: S102
    return (
        namespace["find"],
        frozenset(compiler.household_facts),
        frozenset(compiler.member_facts),
    )


def compile_member_selector(node: Any, catalog: dict[str, Any], where: str) -> tuple[
    MemberSelector, frozenset[str]
]:  # fmt: skip
    """Compile a member predicate (the low-income workers' definition, for one) into a function
    giving the indexes of the members it selects; also return the member facts it reads."""
    compiler = _Compiler(catalog)
    test = _member_expression(node, compiler, where)
    source = [
        "def select(M):",
        f"    return [i for i, (m, age, wa) in enumerate(M) if {test}]",
    ]
    namespace: dict[str, Any] = {"C": tuple(compiler.constants)}
    # As in compile_rules: only checked names and integers are in the source, values travel in C.
    exec(compile("\n".join(source), "<member selector>", "exec"), namespace)  # noqa: S102
    return namespace["select"], frozenset(compiler.member_facts)


@dataclass
class _Source:
    """The finder's lines, by where they run."""

    before: list[str] = field(default_factory=list)  # state the member loop updates
    loop: list[str] = field(default_factory=list)  # run once per member
    after: list[str] = field(default_factory=list)  # one test per indicator, in legal order


def _compile_rule(
    node: dict[str, Any], index: int, hit: str, compiler: _Compiler, parts: _Source, where: str
) -> None:
    """The lines of indicator ``index``'s rule; ``hit`` records the deprivation."""
    if "any_member" in node:
        _only_keys(node, {"any_member"}, where)
        test = _member_expression(node["any_member"], compiler, f"{where}.any_member")
        parts.before.append(f"    h{index} = False")
        parts.loop.append(f"        if not h{index} and {test}: h{index} = True")
        parts.after.append(f"    if h{index}: {hit}")
    elif "members_share" in node:
        _only_keys(node, {"members_share", "more_than"}, where)
        share = _share(node.get("more_than"), f"{where}.more_than")
        test = _member_expression(node["members_share"], compiler, f"{where}.members_share")
        parts.before.append(f"    k{index} = 0")
        parts.loop.append(f"        if {test}: k{index} += 1")
        parts.after.append(f"    if k{index} > {compiler.constant(share)} * n: {hit}")
    elif "count_false" in node:
        parts.after.append(f"    if {_count_false_test(node, compiler, where)}: {hit}")
    elif "per_member" in node:
        parts.after.append(f"    if {_per_member_test(node, compiler, where)}: {hit}")
    elif "fact" in node:
        path = node["fact"]
        read = _household_fact(path, compiler, f"{where}.fact")
        test = _value_test(node, compiler.catalog["fields"][path], compiler, where, read)
        parts.after.append(f"    if {test}: {hit}")
    else:
        raise StandardError(f"{where}: unknown rule {sorted(node)}")


def _count_false_test(node: dict[str, Any], compiler: _Compiler, where: str) -> str:
    """At least ``at_least`` of the ``count_false`` household facts are false."""
    _only_keys(node, {"count_false", "at_least"}, where)
    paths = node["count_false"]
    if not isinstance(paths, list) or not paths:
        raise StandardError(f"{where}.count_false: expected a list of facts")
    reads = [_household_fact(p, compiler, f"{where}.count_false") for p in paths]
    least = node.get("at_least")
    if type(least) is not int or not 1 <= least <= len(reads):
        raise StandardError(f"{where}.at_least: expected 1..{len(reads)}")
    falses = " + ".join(f"({read} is False)" for read in reads)
    return f"{falses} >= {least}"


def _per_member_test(node: dict[str, Any], compiler: _Compiler, where: str) -> str:
    """The ``per_member`` household fact divided by the member count is ``below`` a limit."""
    _only_keys(node, {"per_member", "below"}, where)
    read = _household_fact(node["per_member"], compiler, f"{where}.per_member")
    limit = node.get("below")
    if not isinstance(limit, int | float) or isinstance(limit, bool) or limit <= 0:
        raise StandardError(f"{where}.below: expected a positive number")
    # Multiply instead of dividing: 24 m² for 3 people is exactly 8, not 7.999…
    return f"{read} < {compiler.constant(limit)} * n"
