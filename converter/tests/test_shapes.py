"""Parsing --shape values and grouping them into profiles with --profile."""

import pytest

from mconv_converter.errors import InvalidInputError
from mconv_converter.shapes import group_profiles, parse_shape


def test_static_shape():
    shape = parse_shape("input=1x3x224x224")

    assert shape.name == "input"
    assert shape.min == shape.opt == shape.max == (1, 3, 224, 224)
    assert shape.is_static


def test_dynamic_range():
    shape = parse_shape("input=1x3x224x224:8x3x224x224:32x3x224x224")

    assert shape.min == (1, 3, 224, 224)
    assert shape.opt == (8, 3, 224, 224)
    assert shape.max == (32, 3, 224, 224)
    assert not shape.is_static


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1x3x224x224", "expected NAME=DIMS"),
        ("input=", "invalid dimensions ''"),
        ("input=1x0x3", "contain 0"),
        ("input=1x3:2x3", "expected 1 or 3 shapes"),
        ("input=1x3:2x3x4:3x3", "same number of dimensions"),
        ("input=2x3:1x3:4x3", "dimension 0 must satisfy min <= opt <= max"),
        ("input=-1x3", "invalid dimensions '-1x3'"),
    ],
)
def test_invalid_shape(text, message):
    with pytest.raises(InvalidInputError, match=message):
        parse_shape(text)


def test_shapes_without_profile_form_one():
    profiles = group_profiles(["a=1x2", "b=3x4"])

    assert len(profiles) == 1
    assert set(profiles[0]) == {"a", "b"}


def test_profile_starts_new_group():
    profiles = group_profiles(["a=1x2:2x2:4x2", None, "a=8x2:16x2:32x2"])

    assert len(profiles) == 2
    assert profiles[0]["a"].max == (4, 2)
    assert profiles[1]["a"].min == (8, 2)


def test_leading_profile_marker():
    profiles = group_profiles([None, "a=1x2", None, "a=2x2"])

    assert [profile["a"].opt for profile in profiles] == [(1, 2), (2, 2)]


def test_empty_profile_rejected():
    with pytest.raises(InvalidInputError, match="--profile 1 has no --shape"):
        group_profiles(["a=1x2", None])


def test_duplicate_input_rejected():
    with pytest.raises(InvalidInputError, match="input 'a' is given twice in profile 0"):
        group_profiles(["a=1x2", "a=2x2"])
