"""What both QTI flavours (and the Common Cartridge items) need of names and text.

- ``Idents``: a package's identifiers, valid XML NCNames and unique even when two ids
  differ only by letter case or punctuation (``Wq.Multiple`` and ``wq-multiple``): zip
  entries named after them must not collide on a case-insensitive disk, and Canvas's
  QTI 1.2 converter turns ``.`` and ``:`` into ``_``.
- ``clean``: text without the characters XML 1.0 cannot hold (C0 controls, surrogates,
  U+FFFE/U+FFFF); everything else (accents, right-to-left scripts, emoji) is kept.
- ``scrambled``: a fixed order of n items that is never the answer order, for ordering
  questions whose items must not be shown in their correct order.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal, localcontext
from fractions import Fraction

_NOT_NAME = re.compile(r"[^A-Za-z0-9_.-]")
_FOLD = re.compile(r"[._-]")
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot carry."""
    return _ILLEGAL.sub("", text)


def has_illegal(text: str) -> bool:
    """Whether ``text`` holds characters XML 1.0 cannot carry (``clean`` drops them)."""
    return _ILLEGAL.search(text) is not None


def name_of(text: str, prefix: str = "id-", allowed: re.Pattern[str] = _NOT_NAME) -> str:
    """``text`` as an NCName: characters outside ``allowed`` become ``_``; a bad start prefixed."""
    name = allowed.sub("_", text)
    if not name or not (name[0].isalpha() or name[0] == "_"):
        name = prefix + name
    return name


def fold(name: str) -> str:
    """The form two names must not share: letter case and ``. _ -`` ignored."""
    return _FOLD.sub("_", name.casefold())


def _digest(key: str, size: int) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:size]


class Idents:
    """Identifiers for a set of keys, each a readable name unless two would collide.

    Names that fold to the same form (see ``fold``) all get a suffix from a hash of their
    key, so the result depends only on the set of keys, never on their order.
    """

    def __init__(self, names: Iterable[tuple[str, str]], prefix: str = "id-",
                 allowed: re.Pattern[str] = _NOT_NAME) -> None:
        wanted = {key: name_of(text, prefix, allowed) for key, text in names}
        count: dict[str, int] = {}
        for name in wanted.values():
            count[fold(name)] = count.get(fold(name), 0) + 1
        self._names: dict[str, str] = {}
        taken = {fold(n) for n in wanted.values()}
        for key in sorted(wanted, key=lambda k: (wanted[k], k)):
            name = wanted[key]
            if count[fold(name)] > 1:
                name = self._suffixed(name, key, taken)
            self._names[key] = name

    @staticmethod
    def _suffixed(name: str, key: str, taken: set[str]) -> str:
        for size in range(8, 65):
            candidate = f"{name}-{_digest(key, size)}"
            if fold(candidate) not in taken:
                taken.add(fold(candidate))
                return candidate
        raise ValueError(f"no unique identifier for {key!r}")  # pragma: no cover

    def __getitem__(self, key: str) -> str:
        return self._names[key]

    def __contains__(self, key: object) -> bool:
        return key in self._names

    @classmethod
    def of(cls, keys: Iterable[str], prefix: str = "id-") -> Idents:
        """Identifiers named after the keys themselves."""
        return cls(((k, k) for k in keys), prefix)


BLANK_NAME = re.compile(r"[^A-Za-z0-9_-]")
"""What a Canvas blank name may not hold: it is written ``[name]`` in the question text and
Canvas's converter rewrites ``.`` in response identifiers."""


def blank_names(ids: Sequence[str]) -> list[str]:
    """A name per blank of one question, unique, safe in Canvas's ``[name]`` markers."""
    names = Idents(((b, b) for b in ids), prefix="b_", allowed=BLANK_NAME)
    return [names[b] for b in ids]


def amount(value: Fraction | float) -> str:
    """A number as plain decimal text: exact when it has a short decimal form (0.25, 12.5),
    else 15 significant digits (33.3333333333333); never an exponent, never -0."""
    exact = Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
    with localcontext() as context:
        context.prec = 15
        text = format(Decimal(exact.numerator) / Decimal(exact.denominator), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def scrambled(seed: str, count: int) -> list[int]:
    """A fixed order of ``count`` positions (the same for the same seed), never 0, 1, 2..."""
    order = list(range(count))
    random.Random(seed).shuffle(order)
    if count > 1 and order == sorted(order):
        order = order[1:] + order[:1]
    return order


__all__ = ["BLANK_NAME", "Idents", "amount", "blank_names", "clean", "fold", "has_illegal",
           "name_of", "scrambled"]
