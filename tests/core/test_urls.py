"""Canonical URLs, item keys and fingerprints."""

import pytest

from monitor.core.urls import canonical_url, fingerprint, item_key, strip_tracking


@pytest.mark.parametrize(
    "url,canonical",
    [
        ("https://Example.org/a/b/?utm_source=x&utm_medium=y#frag", "https://example.org/a/b"),
        ("http://www.example.org:80/a?b=2&a=1&fbclid=Z", "https://example.org/a?a=1&b=2"),
        ("https://example.org/?gclid=1&yclid=2&_ga=3", "https://example.org/"),
        ("https://example.org:8443/x?id=5&mc_cid=1", "https://example.org:8443/x?id=5"),
        ("https://example.org/путь?q=мир", "https://example.org/путь?q=%D0%BC%D0%B8%D1%80"),
        ("tag:example.org,2023:1", "tag:example.org,2023:1"),
        ("  ", ""),
    ],
)
def test_canonical_url(url, canonical):
    assert canonical_url(url) == canonical


def test_strip_tracking_keeps_the_rest_as_written():
    assert strip_tracking("http://www.Example.org/a/?b=2&utm_source=x&a=1#top") == "http://www.Example.org/a/?b=2&a=1"


def test_fingerprint_ignores_case_and_punctuation_but_not_words():
    a = fingerprint("Wagner leaves Rostov!", "After a deal brokered by Lukashenko, the column turned back.")
    b = fingerprint("wagner leaves rostov", "after a deal — brokered by Lukashenko; the column turned back")
    c = fingerprint("Wagner leaves Rostov", "After a deal brokered by Lukashenko, the column turned north.")
    assert a == b != c
    assert fingerprint("Live updates", "") == ""  # too few words to tell reports apart


def test_item_key_fallback_chain():
    assert item_key("abc", "https://x.org/1", "t", "x") == "guid:abc"
    assert item_key(None, "https://x.org/1?utm_source=a", "t", "x") == "url:https://x.org/1"
    assert item_key("", "", "t", "x") == item_key(None, None, "t", "x")
    assert item_key(None, None, "t", "x").startswith("hash:")
    assert item_key(None, None, "t", "x") != item_key(None, None, "t", "y")
