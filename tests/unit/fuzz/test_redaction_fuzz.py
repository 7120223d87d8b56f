"""`scrub` against generated secrets echoed in every encoding a server uses, inside generated text.

Invariants: no echo of a secret (raw, percent- and form-encoded, encoded twice, JSON- and HTML-escaped; see
`tests.helpers.echoes`) survives outside the ``REDACTED`` markers, whatever surrounds it and
whichever other secrets are scrubbed with it; a text holding no echo of any secret comes back unchanged.
"""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from apitoolkit.http.redaction import REDACTED, scrub
from tests.helpers import echoes
from tests.unit.fuzz.strategies import fuzz

#: What each encoding treats specially, drawn often on purpose.
SPECIAL = "@ &#+%/\"'\\<>;=?~"
SECRET_CHARS = (
    st.sampled_from(SPECIAL)
    | st.characters(min_codepoint=0x20, max_codepoint=0x7E)
    | st.characters(min_codepoint=0xA0, exclude_categories=("Cs", "Cc"))
)
SECRETS = st.text(SECRET_CHARS, min_size=4, max_size=40).filter(lambda s: REDACTED not in s)
#: Any text a message or log line may hold around an echo (no lone surrogates: no encoder takes them).
SURROUNDING = st.text(st.characters(exclude_categories=["Cs"]) | st.sampled_from(SPECIAL), max_size=40)
ENCODINGS = st.sampled_from(sorted(echoes("abcd")))


def survivors(text: str, secret: str) -> list[str]:
    """The encodings of ``secret`` found in ``text`` outside the ``REDACTED`` markers."""
    parts = text.split(REDACTED)
    return [name for name, echoed in echoes(secret).items() if any(echoed in part for part in parts)]


@fuzz()
@given(secret=SECRETS, other=SECRETS, encoding=ENCODINGS, before=SURROUNDING, after=SURROUNDING)
def test_scrub__no_echo_of_a_secret_survives(secret: str, other: str, encoding: str, before: str, after: str) -> None:
    text = before + echoes(secret)[encoding] + after
    scrubbed = scrub(text, [other, secret])
    assert not survivors(scrubbed, secret), (text, scrubbed)
    assert not survivors(scrubbed, other), (text, scrubbed)


@fuzz()
@given(secret=SECRETS, encoding=ENCODINGS, before=SURROUNDING, after=SURROUNDING, data=st.data())
def test_scrub__text_without_the_secret_is_unchanged(
    secret: str, encoding: str, before: str, after: str, data: st.DataObject
) -> None:
    """Around an echo of a near miss: the secret with one character left out or changed."""
    index = data.draw(st.integers(0, len(secret) - 1))
    replacement = data.draw(st.sampled_from(["", "x", "é", "%", "+", " "]).filter(lambda c: c != secret[index]))
    near_miss = secret[:index] + replacement + secret[index + 1 :]
    text = before + echoes(near_miss)[encoding] + after
    assume(not survivors(text, secret))
    assert scrub(text, [secret]) == text
