"""How this process ends: whether it leaves without freeing its memory.

The ``coursepack`` program ends with ``os._exit`` once its command is done (``cli.run``),
so what it still holds is never freed object by object. Code that would otherwise spend
time freeing something large at the end of a build may then simply keep it. Any other
process (the preview, which builds again and again, a program or test that calls
``build``) frees as it goes: there, what is kept would add up.
"""

from __future__ import annotations

_without_freeing = False


def without_freeing() -> None:
    """Declare that this process leaves with ``os._exit`` when its one command is done."""
    global _without_freeing
    _without_freeing = True


def stays() -> None:
    """Declare that this process builds again and again (the preview, started by the
    program all the same): it frees as it goes."""
    global _without_freeing
    _without_freeing = False


def leaves_without_freeing() -> bool:
    return _without_freeing
