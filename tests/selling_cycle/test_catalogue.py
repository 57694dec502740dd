"""The catalogue covers every stage of METHODOLOGY.md §3."""

from opportunities.criteria import APPROVAL, ATTESTED, CATALOGUE, DERIVED, FINANCE
from opportunities.models import LADDER


def test_codes_are_stable_and_unique():
    codes = [c.code for c in CATALOGUE]
    assert len(codes) == len(set(codes))
    for c in CATALOGUE:
        assert c.code.startswith(c.stage + ".")


def test_every_stage_has_the_kinds_the_methodology_names():
    kinds = {s: {c.kind for c in CATALOGUE if c.stage == s} for s in LADDER}
    assert kinds["2"] == {DERIVED, ATTESTED}
    assert kinds["3"] == {DERIVED, APPROVAL}
    assert kinds["4"] == {DERIVED, ATTESTED}
    assert kinds["5"] == {ATTESTED}
    assert kinds["6"] == {DERIVED, ATTESTED, APPROVAL}
    assert kinds["7"] == {DERIVED, ATTESTED, APPROVAL}
    assert kinds["8"] == {DERIVED, ATTESTED}
    assert kinds["9"] == {DERIVED}
    assert kinds["9.5"] == kinds["10"] == {FINANCE}


def test_every_criterion_has_english_and_chinese_text_without_artefacts():
    for c in CATALOGUE:
        assert c.en and c.zh
        for artefact in ("旳", "处理方案", "提议书", "方略", "贯彻", "团体", "协议"):
            assert artefact not in c.zh, (c.code, artefact)
