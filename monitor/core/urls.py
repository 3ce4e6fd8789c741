"""Addresses and keys: canonical URLs without tracking parameters, an item's key inside its source, a
fingerprint of its words, and Telegram channel names and addresses."""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that identify a campaign or a click, never the document.
_TRACKING_EXACT = {
    "fbclid", "gclid", "dclid", "gbraid", "wbraid", "yclid", "msclkid", "twclid", "igshid", "igsh",
    "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "ref_src", "ref_url", "spm", "cmpid", "ocid",
    "at_medium", "at_campaign", "at_custom1", "at_custom2", "at_custom3", "at_custom4", "s_cid",
    "ito", "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "__twitter_impression",
    "_ga", "_gl", "oly_anon_id", "oly_enc_id", "vero_id", "wt_mc", "wt.mc_id", "xtor", "utm",
}
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")


def is_tracking_param(name: str) -> bool:
    lowered = name.lower()
    return lowered in _TRACKING_EXACT or lowered.startswith(_TRACKING_PREFIXES)


def strip_tracking(url: str) -> str:
    """The URL without tracking parameters and fragment, otherwise as written (the link users see)."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https"):
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))


def canonical_url(url: str) -> str:
    """The form of a URL used to recognise one document under its variants.

    Lower-case scheme and host, https for http, no `www.`, no default port, no fragment, no
    tracking parameters, the rest of the query sorted, no trailing slash. Not-URLs come back
    stripped but otherwise untouched.
    """
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return url
    host = parts.hostname.lower().rstrip(".")
    host = host.removeprefix("www.")
    if port and port not in (80, 443):
        host = f"{host}:{port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not is_tracking_param(k)
    )
    path = parts.path or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    return urlunsplit(("https", host, path, urlencode(query), ""))


_WORDS = re.compile(r"\w+", re.UNICODE)
# Fewer words than this and two different reports could share them by chance ("Live updates").
_MIN_FINGERPRINT_WORDS = 8


def fingerprint(title: str, text: str) -> str:
    """A short hash of the words of title + text, or "" when there are too few words to be telling."""
    words = _WORDS.findall(f"{title}\n{text}".casefold())
    if len(words) < _MIN_FINGERPRINT_WORDS:
        return ""
    return hashlib.sha1(" ".join(words).encode("utf-8")).hexdigest()[:20]


def item_key(guid: str | None, link: str | None, title: str, text: str) -> str:
    """A stable key for an item inside its source: guid, else canonical link, else hash of content."""
    if guid and guid.strip():
        return "guid:" + guid.strip()
    if link and link.strip():
        return "url:" + canonical_url(link)
    digest = hashlib.sha1(f"{title}\n{text}".encode()).hexdigest()
    return "hash:" + digest


# Telegram usernames: 5-32 characters, a letter first, then letters, digits, underscores.
_CHANNEL = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_CHANNEL_FORMS = re.compile(
    r"^(?:@|(?:https?://)?(?:www\.)?(?:t|telegram)\.me/(?:s/)?)?(?P<name>[^/?#\s]+)/?(?:[?#].*)?$", re.IGNORECASE
)


def parse_channel_name(value: str) -> str | None:
    """The bare channel name from `name`, `@name`, `t.me/name` or `https://t.me/s/name`; None if it is none."""
    match = _CHANNEL_FORMS.match((value or "").strip())
    name = match.group("name") if match else ""
    return name if _CHANNEL.match(name) else None


def channel_url(channel: str) -> str:
    """A channel's public address, which the store keeps as the source's URL."""
    return f"https://t.me/{channel}"


def channel_of(url: str) -> str:
    """The channel name in an address made by channel_url."""
    return url.rstrip("/").rsplit("/", 1)[-1]
