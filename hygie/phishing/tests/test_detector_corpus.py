"""The detector's labelled corpus is kept with its generator and covers every family."""

from __future__ import annotations

from collections import Counter

from bench.detector_corpus import generate, read


def test_the_kept_corpus_is_what_its_generator_writes():
    kept = read()
    assert kept == generate()
    links = [hit for hit in kept if hit["kind"] in ("click", "hidden", "submit", "report")]
    assert len(links) >= 3000
    families = Counter(hit["family"] for hit in kept)
    for family in (
        "Microsoft Defender detonation",
        "Microsoft Safe Links click-time check",
        "Mimecast URL Protect",
        "Proofpoint URL Defense",
        "Barracuda link protection",
        "gateway outside published ranges",
        "crawler burst",
        "link previewer",
        "stealth sandbox",
        "Apple Mail Privacy Protection",
        "Gmail image proxy (a person's open)",
        "person alone",
        "person sharing an office address",
        "person behind a mobile CGNAT",
        "person on IPv6",
    ):
        assert families[family] >= 10, family
    # People share addresses: offices and mobile operators' NAT.
    people = [hit for hit in links if hit["label"] == "human"]
    per_address = Counter(hit["address"] for hit in people)
    assert max(per_address.values()) >= 8
