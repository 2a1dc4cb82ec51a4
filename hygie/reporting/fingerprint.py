"""What makes two reported messages the same lure, as keys that can be looked up.

A report yields exact keys and a text signature:

- `sender`: the sending domain (not for free mail providers, shared by everyone);
- `host`: each link's host (not for the big sites every message links to);
- `path`: each link's host and path, without its query (the per-victim part);
- `file`: each attachment's SHA-256;
- `band`: the text signature cut into bands, for near-identical subjects and bodies.

The text signature is MinHash over word 4-shingles of the subject and body, computed
with one hash per shingle ("one permutation hashing", Li, Owen and Zhang, 2012, with
the empty bins filled from their right-hand neighbour as Shrivastava and Li proposed
in 2014): 64 values whose share of equal positions between two messages estimates
the Jaccard similarity of their shingle sets. Cut into 16 bands of 4, two messages
sharing a band are candidates, and are the same lure when the estimate reaches
`SIMILAR`. Before shingling, numbers, links and addresses are replaced by markers so
that a lure personalised with the recipient's name, amount or tracking link still
matches its siblings.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

BINS = 64
ROWS_PER_BAND = 4
SIMILAR = 0.6
SHINGLE = 4
MAX_WORDS = 1500
_BIN_BITS = 6  # 64 bins
_VALUE_BITS = 58
_EMPTY = (1 << _VALUE_BITS) - 1

FREE_MAIL = frozenset(
    {
        "gmail.com", "googlemail.com", "outlook.com", "outlook.fr", "hotmail.com",
        "hotmail.fr", "live.com", "live.fr", "msn.com", "yahoo.com", "yahoo.fr",
        "icloud.com", "me.com", "orange.fr", "wanadoo.fr", "free.fr", "sfr.fr",
        "neuf.fr", "laposte.net", "bbox.fr", "aol.com", "gmx.fr", "gmx.com",
        "protonmail.com", "proton.me",
    }
)  # fmt: skip
# Hosts that legitimate and fraudulent messages alike link to: not evidence.
COMMON_HOSTS = frozenset(
    {
        "google.com", "www.google.com", "microsoft.com", "www.microsoft.com",
        "facebook.com", "www.facebook.com", "twitter.com", "x.com", "linkedin.com",
        "www.linkedin.com", "instagram.com", "www.instagram.com", "youtube.com",
        "www.youtube.com", "apple.com", "www.apple.com", "aka.ms", "fonts.googleapis.com",
        # Platforms that host anyone's pages: only the path says which lure it is.
        "docs.google.com", "sites.google.com", "forms.gle", "forms.office.com",
        "bit.ly", "tinyurl.com", "t.co", "1drv.ms", "onedrive.live.com", "dropbox.com",
        "www.dropbox.com", "wetransfer.com",
    }
)  # fmt: skip

# Hosts whose paths say nothing about a lure either.
_EVERYWHERE = frozenset({"www.w3.org", "schemas.microsoft.com", "fonts.googleapis.com"})

_URLISH = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\S+@\S+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_WORD = re.compile(r"\w+")


def normalise(text: str) -> list[str]:
    """The words of a message, lower-cased, accents removed, variable parts masked."""
    text = _URLISH.sub(" lien ", text)
    text = _EMAIL.sub(" adresse ", text)
    text = _NUMBER.sub(" 0 ", text)
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(plain)[:MAX_WORDS]


def _hash64(data: str) -> int:
    return int.from_bytes(hashlib.blake2b(data.encode(), digest_size=8).digest(), "big")


def signature(text: str) -> list[int]:
    """The MinHash signature of a text ([] when it has too few words to compare)."""
    words = normalise(text)
    if len(words) < SHINGLE + 2:
        return []
    bins = [_EMPTY] * BINS
    for start in range(len(words) - SHINGLE + 1):
        value = _hash64(" ".join(words[start : start + SHINGLE]))
        index = value >> _VALUE_BITS  # the top 6 bits choose the bin
        low = value & _EMPTY
        if low < bins[index]:
            bins[index] = low
    filled = [i for i, v in enumerate(bins) if v != _EMPTY]
    if not filled:
        return []
    # Densification: an empty bin takes the nearest filled bin to its right, marked
    # by the distance so that it only equals a bin filled the same way.
    dense = list(bins)
    for index in range(BINS):
        if bins[index] != _EMPTY:
            continue
        distance = 1
        while bins[(index + distance) % BINS] == _EMPTY:
            distance += 1
        dense[index] = (bins[(index + distance) % BINS] + distance * 0x9E3779B97F4A7C15) & _EMPTY
    return dense


def similarity(first: list[int], second: list[int]) -> float:
    """The estimated Jaccard similarity of two signatures (0 when either is empty)."""
    if len(first) != BINS or len(second) != BINS:
        return 0.0
    return sum(1 for a, b in zip(first, second, strict=True) if a == b) / BINS


def bands(sig: list[int]) -> list[str]:
    if len(sig) != BINS:
        return []
    keys = []
    for band in range(BINS // ROWS_PER_BAND):
        rows = sig[band * ROWS_PER_BAND : (band + 1) * ROWS_PER_BAND]
        digest = hashlib.blake2b(
            ",".join(map(str, rows)).encode(), digest_size=8, person=b"band%02d" % band
        ).hexdigest()
        keys.append(f"{band:02d}{digest}")
    return keys


@dataclass(frozen=True, slots=True)
class Key:
    kind: str
    value: str


STRONG = ("sender", "path", "file")


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower().strip(".")
    except ValueError:
        return ""


def keys_for(
    *,
    sender_domain: str,
    urls: Iterable[str],
    attachment_hashes: Iterable[str],
    sig: list[int],
) -> list[Key]:
    """The lookup keys of one report (without duplicates, in a stable order)."""
    keys: list[Key] = []
    if sender_domain and sender_domain not in FREE_MAIL:
        keys.append(Key("sender", sender_domain[:200]))
    for url in urls:
        host = _host(url)
        if not host or host in _EVERYWHERE:
            continue
        if host not in COMMON_HOSTS:
            keys.append(Key("host", host[:200]))
        try:
            path = urlsplit(url).path.rstrip("/")
        except ValueError:
            path = ""
        if path:
            keys.append(Key("path", f"{host}{path}"[:200]))
    keys.extend(Key("file", digest) for digest in attachment_hashes if digest)
    keys.extend(Key("band", band) for band in bands(sig))
    return list(dict.fromkeys(keys))
