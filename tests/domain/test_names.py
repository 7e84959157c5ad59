import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain import names

INDEX = {
    "baclofen": "baclofen",
    "ozobax": "baclofen",
    "lioresal": "baclofen",
    "tizanidine": "tizanidine",
}


def test_resolve_ignores_case_and_surrounding_space() -> None:
    assert names.resolve("  OzoBax ", INDEX) == "baclofen"
    assert names.resolve("baclofen", INDEX) == "baclofen"


def test_resolve_never_answers_for_a_near_miss() -> None:
    assert names.resolve("baclofn", INDEX) is None
    assert names.resolve("", INDEX) is None


def test_suggest_puts_the_closest_name_first() -> None:
    assert names.suggest("baclofn", INDEX)[0] == "baclofen"
    assert names.suggest("tizanidin", INDEX)[0] == "tizanidine"


def test_suggest_returns_nothing_for_nonsense() -> None:
    assert names.suggest("zzzzqqq", INDEX) == []
    assert names.suggest("   ", INDEX) == []


@given(st.sampled_from(sorted(INDEX)), st.text(alphabet=" \t", max_size=3), st.booleans())
def test_resolve_finds_every_known_name_in_any_case(name: str, pad: str, upper: bool) -> None:
    query = pad + (name.upper() if upper else name) + pad
    assert names.resolve(query, INDEX) == INDEX[name]


@given(st.text(max_size=50))
def test_normalize_is_idempotent(text: str) -> None:
    once = names.normalize(text)
    assert names.normalize(once) == once


def test_suggest_leaves_out_weak_matches() -> None:
    names_ = ["baclofen", "clonidine hydrochloride", "gabapentin"]
    assert names.suggest("baclofn", names_) == ["baclofen"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ＢＡＣＬＯＦＥＮ", "baclofen"),
        ("Lioresal®", "baclofen"),
        ("LIORESAL™", "baclofen"),
        ("Ｏｚｏｂａｘ ®", "baclofen"),
        ("tizanidine©", "tizanidine"),
    ],
)
def test_full_width_letters_and_trademark_signs_resolve(query: str, expected: str) -> None:
    assert names.resolve(query, INDEX) == expected
