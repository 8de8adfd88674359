"""The questionnaire read as a rural resident would (issue 19 §2): every label of facts.json is a
question about the household, short sentences in everyday words, no untranslated legal
abbreviations, a description wherever a technical term stays, and errors with an example."""

from __future__ import annotations

import re

import pytest

from shared.standards.catalog import facts_catalog

CATALOG = facts_catalog()
QUESTIONS = {
    **CATALOG["fields"],
    **{f"members.*.{k}": v for k, v in CATALOG["member_fields"].items()},
}
# Words per sentence: a question or an answer is read at a glance, a description in one breath.
MAX_QUESTION_WORDS = 16
MAX_OPTION_WORDS = 12
MAX_HINT_SENTENCE_WORDS = 22
# Upper-case runs of two or more letters (BHYT, QĐ, NĐ, UBND, CCCD, TV): legal or official
# shorthand a resident need not know. Roman numerals and units do not occur in the questions.
ABBREVIATION = re.compile(r"\b[A-ZĐ]{2,}\b")


def texts(lang: str):
    """(where, kind, text) for every question, option and description in ``lang``."""
    for name, spec in QUESTIONS.items():
        yield name, "question", spec["label"][lang]
        if "hint" in spec:
            yield name, "hint", spec["hint"][lang]
        for value, option in spec.get("options", {}).items():
            yield f"{name}={value}", "option", option[lang]
            if "hint" in option:
                yield f"{name}={value}", "hint", option["hint"][lang]


def sentences(text: str) -> list[str]:
    return [part for part in re.split(r"(?<=[.?!:;])\s+", text) if part.strip()]


def words(sentence: str) -> int:
    return len(sentence.split())


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_label_is_a_question(lang):
    not_questions = [
        name for name, spec in QUESTIONS.items() if not spec["label"][lang].endswith("?")
    ]
    assert not_questions == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_sentences_are_short(lang):
    limits = {"question": MAX_QUESTION_WORDS, "option": MAX_OPTION_WORDS,
              "hint": MAX_HINT_SENTENCE_WORDS}  # fmt: skip
    too_long = [
        f"{where} ({kind}): {sentence}"
        for where, kind, text in texts(lang)
        for sentence in sentences(text)
        if words(sentence) > limits[kind]
    ]
    assert too_long == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_untranslated_abbreviations(lang):
    found = [f"{where}: {text}" for where, _kind, text in texts(lang) if ABBREVIATION.search(text)]
    assert found == []


def test_the_check_catches_what_it_is_for():
    """The readability rules fail on the wording the issue found (so the tests above can fail)."""
    assert ABBREVIATION.search("Có thẻ BHYT còn hạn")
    assert ABBREVIATION.search("theo QĐ 24")
    assert not "Có thẻ bảo hiểm y tế còn hạn".endswith("?")
    legal = "Người khuyết tật không có khả năng lao động theo quy định của pháp luật về người "
    assert words(legal + "khuyết tật và các văn bản hướng dẫn thi hành") > MAX_QUESTION_WORDS


def test_technical_answers_carry_a_description():
    for name in ("water.source", "sanitation.latrine", "members.*.education_level",
                 "members.*.employment"):  # fmt: skip
        options = QUESTIONS[name]["options"]
        missing = [value for value, option in options.items() if "hint" not in option]
        assert missing == [], name


def test_schooling_is_counted_in_years_finished():
    labels = {v: o["vi"] for v, o in QUESTIONS["members.*.education_level"]["options"].items()}
    assert labels["primary"] == "Hết lớp 5"
    assert labels["lower_secondary"] == "Hết lớp 9"
    assert labels["upper_secondary"] == "Hết lớp 12"
    assert sum("cao đẳng" in label.lower() for label in labels.values()) <= 1


def test_regional_words_are_gone():
    # "mó" (a spring in some provinces) and "nhà tiêu" (the Ministry's term) say nothing to many.
    vi = " ".join(text for _where, _kind, text in texts("vi")).lower()
    assert not re.search(r"\bmó\b", vi)
    assert "nhà tiêu" not in vi


def test_errors_show_an_example():
    errors = CATALOG["errors"]
    assert errors["date"]["vi"] == "Nhập ngày/tháng/năm, ví dụ 05/02/1980."
    for code in ("integer", "number", "positive", "whole_dong", "income_missing", "date_range"):
        assert "ví dụ" in errors[code]["vi"], code
    assert "NNNN" not in str(errors)


def test_the_score_is_explained():
    template = CATALOG["texts"]["deprivations"]["vi"]
    assert "{points}" in template
    assert "mỗi chỉ số" in template
