"""How a term of functions/domain/email_terms.py finds itself in a message's words.

A term's last word matches a message word when the message word starts with it (the terms are
written as stems: "pasaport" matches "pasaportes"); every term word matches a message word with the
same light stem, so the inflections
the agency did not write out still match: "appealed"/"appealing" for "appeal", "solicitudes" for
"solicitud", "negó"/"negado" for "negaron", "vehículos" for "vehicle"... A phrase matches its words in
order, each by that rule.

Why a light suffix-stripper and not a full stemmer (Snowball): the terms are English and Spanish side
by side and a message often mixes both; a conservative list of endings of both languages, applied
only to words longer than :data:`MIN_STEMMED`, keeps the stems readable and avoids the over-reach of a
language-specific stemmer run on the wrong language. A stem is always a prefix of its word, so the
words sharing a stem share their first letters: the index below looks candidates up by them.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache

#: words this long or shorter are matched as written
MIN_STEMMED = 4
#: the stem never gets shorter than this
MIN_STEM = 4
#: endings stripped, longest first (Spanish and English inflection and derivation)
_SPANISH_ENDINGS = (
    "aciones acion iciones icion amientos amiento imientos imiento aron ieron ando iendo ados adas idos"
    " idas ado ada ido ida aba aban ara aran emos amos imos aste iste ar er ir an en es as os a o e i"
)
_ENGLISH_ENDINGS = "ations ation ings ing ied ies ed es ly s y"
_ENDINGS = tuple(sorted(set(f"{_SPANISH_ENDINGS} {_ENGLISH_ENDINGS}".split()), key=len, reverse=True))


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The word without one inflectional ending (never shorter than :data:`MIN_STEM` letters)."""
    if len(word) <= MIN_STEMMED:
        return word
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return word[: -len(ending)]
    return word


def word_matches(term_word: str, word: str, *, last: bool) -> bool:
    """The last word of a term matches the words it starts; every word matches its inflections."""
    return word == term_word or (last and word.startswith(term_word)) or stem(word) == stem(term_word)


@lru_cache(maxsize=4096)
def _parts(term: str) -> tuple[str, ...]:
    return tuple(term.split())


@lru_cache(maxsize=4096)
def term_key(term: str) -> str:
    """What a message must hold for ``term`` to occur in it (see :meth:`Words.may_hold`); blank for a
    one-word term shorter than a stem, which is looked up by prefix."""
    parts = _parts(term)
    if not parts:
        return ""
    first = parts[0]
    if len(first) >= MIN_STEM:
        return first[:MIN_STEM]
    return first if len(parts) > 1 else ""


class Words:
    """A message's words, indexed by their first letters (and whole, when short) for the look-ups."""

    def __init__(self, text: str) -> None:
        self.words = text.split()
        self._by_start: dict[str, list[int]] = defaultdict(list)
        self._by_word: dict[str, list[int]] = defaultdict(list)
        for position, word in enumerate(self.words):
            self._by_start[word[:MIN_STEM]].append(position)
            if len(word) < MIN_STEM:
                self._by_word[word].append(position)

    def may_hold(self, term: str) -> bool:
        """False when ``term`` cannot occur (its key is absent): a cheap test before :meth:`find`."""
        key = term_key(term)
        return not key or key in self._by_start or key in self._by_word

    def __contains__(self, term: str) -> bool:
        return self.find(term) >= 0

    def find(self, term: str, taken: frozenset[int] | set[int] = frozenset()) -> int:
        """Where the phrase ``term`` (normalized words) first occurs, each word by :func:`word_matches`,
        starting at none of the ``taken`` positions; -1 when it does not."""
        parts = _parts(term)
        if not parts:
            return -1
        for position in self._candidates(parts[0], last=len(parts) == 1):
            if position not in taken and self._phrase_at(parts, position):
                return position
        return -1

    def _candidates(self, first: str, *, last: bool) -> list[int]:
        """Positions where ``first`` can match: a stem shares the word's first letters; a short word
        (never stemmed) matches itself, or, as a term's last word, the words it starts."""
        if len(first) >= MIN_STEM:
            return self._by_start.get(first[:MIN_STEM], [])
        if not last:
            return self._by_word.get(first, [])
        return sorted(
            p for key, positions in self._by_start.items() if key.startswith(first) for p in positions
        )

    def _phrase_at(self, parts: tuple[str, ...], position: int) -> bool:
        if position + len(parts) > len(self.words):
            return False
        last = len(parts) - 1
        return all(
            word_matches(part, self.words[position + i], last=i == last) for i, part in enumerate(parts)
        )
