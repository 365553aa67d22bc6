"""The Jinja sandbox every template renders in, with limits a template cannot talk its way past.

A course is shared between organisations, so its ``templates/`` folder is untrusted code.
Jinja's ``ImmutableSandboxedEnvironment`` already refuses Python internals (names starting
with ``_``, function globals, ``str.format`` reaching attributes) and changes to lists and
dicts. What it leaves open is time and memory, so each render carries a ``Meter``:

- every loop turn (also those a loop's ``if`` skips), macro call and function call is a
  *step*, and a page may take ``MAX_STEPS`` of them;
- every value a template prints, and the template text a loop turn or macro call repeats,
  counts towards ``MAX_OUTPUT`` characters per page;
- ``range`` gives at most ``MAX_RANGE`` numbers; ``*``, ``**``, ``+`` and ``%`` refuse a
  result past ``MAX_VALUE`` characters or items (or ``MAX_BITS`` for a whole number), and
  widths in format strings and size arguments of filters stop at ``MAX_WIDTH``.

Loop turns and macro calls are metered by a filter (``coursepack_charge``) the parser adds
at the top of each loop and macro body, so the limits hold whatever a template does.
Deep recursion ends in Python's ``RecursionError``, which ``render`` reports.
"""

from __future__ import annotations

import io
import math
import re
import string
import types
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from pathlib import PurePath
from typing import Any

import jinja2
from jinja2 import nodes
from jinja2.bccache import Bucket
from jinja2.exceptions import SecurityError
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_STEPS = 1_000_000
MAX_OUTPUT = 100_000_000
MAX_RANGE = 100_000
MAX_VALUE = 10_000_000
MAX_BITS = 4096 * 8
MAX_WIDTH = 10_000

_PURE_PATH = frozenset({"name", "stem", "suffix", "suffixes", "parts", "parent", "anchor",
                        "as_posix", "with_name", "with_stem", "with_suffix", "relative_to",
                        "is_relative_to", "joinpath", "match", "is_absolute"})
"""What a template may use of a path: its name and parts, never the file (no read, write,
listing or stat)."""
_HIDDEN = (jinja2.Environment, jinja2.BaseLoader, jinja2.BytecodeCache, Bucket, jinja2.Template,
           types.CodeType, types.ModuleType, types.FrameType, types.TracebackType, io.FileIO,
           io.BufferedReader, io.BufferedWriter, io.BufferedRandom, io.TextIOWrapper)
"""Objects a template must never hold: the machinery that compiles and caches templates (a
cache entry can be filled with any code), code, modules, frames and open files."""
_SIZED_FILTERS = {"center", "indent", "wordwrap", "truncate", "batch", "slice"}
_SIZED_METHODS = {"center", "ljust", "rjust", "zfill", "expandtabs"}
_PRINTF_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")


class LimitExceeded(jinja2.TemplateRuntimeError):
    """A template went past one of the sandbox's limits."""


class Meter:
    """What one page's render has used so far."""

    def __init__(self) -> None:
        self.steps = 0
        self.output = 0

    def step(self, weight: int = 0) -> None:
        self.steps += 1
        self.output += weight
        if self.steps > MAX_STEPS:
            raise LimitExceeded(
                f"the page took more than {MAX_STEPS:,} loop turns and calls: "
                "a loop or a macro that calls itself does not stop")
        self.printed(0)

    def printed(self, size: int) -> None:
        self.output += size
        if self.output > MAX_OUTPUT:
            raise LimitExceeded(f"the page grew past {MAX_OUTPUT:,} characters")


_meter: ContextVar[Meter | None] = ContextVar("coursepack_template_meter", default=None)


@contextmanager
def metered() -> Iterator[Meter]:
    """The meter of the render under way, or a new one for a render that starts here."""
    current = _meter.get()
    if current is not None:
        yield current
        return
    current = Meter()
    token = _meter.set(current)
    try:
        yield current
    finally:
        _meter.reset(token)


def _active() -> Meter:
    current = _meter.get()
    if current is None:  # a render outside MeteredTemplate.render: meter it alone
        raise LimitExceeded("templates render only through coursepack.render")
    return current


CHARGE = "coursepack_charge"
SIZED = "coursepack_sized"


def _charge(weight: int, lineno: int) -> nodes.Expr:
    """``weight | coursepack_charge``: a filter, because Jinja calls filters directly (a
    ``call`` through the sandbox costs ten times as much, on every loop turn)."""
    return nodes.Filter(nodes.Const(weight, lineno=lineno), CHARGE, [], [], None, None,
                        lineno=lineno)


def add_charges(tree: nodes.Template) -> nodes.Template:
    """Meter every loop turn, every loop-filter test and every macro or call-block call;
    check the size of what ``~`` joins."""
    for node in list(tree.find_all((nodes.For, nodes.Macro, nodes.CallBlock))):
        assert isinstance(node, (nodes.For, nodes.Macro, nodes.CallBlock))
        texts = [data for child in node.body for data in child.find_all(nodes.TemplateData)]
        weight = sum(len(data.data) for data in texts if isinstance(data, nodes.TemplateData))
        node.body.insert(0, nodes.ExprStmt(_charge(weight, node.lineno), lineno=node.lineno))
        if isinstance(node, nodes.For) and node.test is not None:
            node.test = nodes.And(_charge(0, node.lineno), node.test, lineno=node.lineno)
    for concat in list(tree.find_all(nodes.Concat)):
        assert isinstance(concat, nodes.Concat)
        concat.nodes = [nodes.Filter(part, SIZED, [], [], None, None, lineno=part.lineno)
                        for part in concat.nodes]
    return tree


class MeteredTemplate(jinja2.Template):
    """A template whose every render is metered, however it is started."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        with metered():
            return super().render(*args, **kwargs)


class CourseSandbox(ImmutableSandboxedEnvironment):
    """Jinja's immutable sandbox with the limits above."""

    template_class = MeteredTemplate
    intercepted_binops = frozenset({"*", "**", "+", "%"})

    def __init__(self, **options: Any) -> None:
        super().__init__(finalize=self._printed, **options)
        self.globals["range"] = bounded_range
        self.globals.pop("lipsum", None)  # placeholder text has no place in a course
        self.filters[CHARGE] = charge
        self.filters[SIZED] = sized

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        return add_charges(super()._parse(source, name, filename))

    def add_filters(self, filters: dict[str, Callable[..., Any]]) -> None:
        """Register ``filters``, then put every filter behind the size checks."""
        self.filters.update(filters)
        for name, func in list(self.filters.items()):
            if name not in (CHARGE, SIZED):
                self.filters[name] = _checked_filter(name, func)

    @staticmethod
    def _printed(value: Any) -> Any:
        current = _meter.get()
        if isinstance(value, _CONTAINERS):
            size = weight(sized(value))
        else:
            size = len(value) if isinstance(value, str) else 0
        if current is not None:
            current.printed(size)
        return value

    def call(__self, __context: jinja2.runtime.Context, __obj: Any,
             *args: Any, **kwargs: Any) -> Any:
        current = _meter.get()
        if current is not None:
            current.step()
        _check_method(__obj, args, kwargs)
        for value in (*args, *kwargs.values()):
            sized(value)
        return _allowed(bounded(super().call(__context, __obj, *args, **kwargs)))

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if _is_path(type(obj)) and attr not in _PURE_PATH:
            return False
        return (not _is_hidden(type(obj)) and not _is_hidden(type(value))
                and super().is_safe_attribute(obj, attr, value))

    def call_binop(self, context: jinja2.runtime.Context, operator: str,
                   left: Any, right: Any) -> Any:
        sized(left), sized(right)
        _check_binop(operator, left, right)
        return bounded(super().call_binop(context, operator, left, right))

    def getattr(self, obj: Any, attribute: str) -> Any:
        return bounded(super().getattr(obj, attribute))

    def getitem(self, obj: Any, argument: Any) -> Any:
        return _allowed(bounded(super().getitem(obj, argument)))

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None
        check_format_string(value.__self__)

        @wraps(wrapper)
        def checked(*args: Any, **kwargs: Any) -> str:
            return bounded(wrapper(*args, **kwargs))  # type: ignore[no-any-return]

        return checked


@jinja2.pass_context  # never folded into a constant when the template is compiled
def charge(context: jinja2.runtime.Context, weight: int) -> bool:
    """At the top of each loop turn and macro call: one step, ``weight`` characters."""
    _active().step(weight)
    return True


def bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise LimitExceeded(f"range() of {len(numbers):,} numbers: templates may count "
                            f"to {MAX_RANGE:,} at most")
    return numbers


_HIDDEN_KINDS: dict[type, bool] = {}
_PATH_KINDS: dict[type, bool] = {}


def _is_hidden(kind: type) -> bool:
    """Whether ``kind`` is one of ``_HIDDEN`` (remembered per type: asked on every lookup)."""
    found = _HIDDEN_KINDS.get(kind)
    if found is None:
        found = _HIDDEN_KINDS[kind] = issubclass(kind, _HIDDEN)
    return found


def _is_path(kind: type) -> bool:
    found = _PATH_KINDS.get(kind)
    if found is None:
        found = _PATH_KINDS[kind] = issubclass(kind, PurePath)
    return found


def _allowed(value: Any) -> Any:
    """``value``, unless it is one a template must never hold (see ``_HIDDEN``)."""
    if _is_hidden(type(value)):
        raise SecurityError(
            f"a template cannot use a {type(value).__name__!r} object")
    return value


def bounded(value: Any) -> Any:
    """``value``, unless it is too big for a template to hold."""
    if isinstance(value, (str, list, tuple, dict, set, frozenset)) and len(value) > MAX_VALUE:
        raise LimitExceeded(f"a value of {len(value):,} characters or items: templates may "
                            f"hold {MAX_VALUE:,} at most")
    if isinstance(value, int) and value.bit_length() > MAX_BITS:
        raise LimitExceeded(f"a number of more than {MAX_BITS:,} bits")
    return value


_CONTAINERS = (list, tuple, set, frozenset, dict)


def weight(value: Any, limit: int = MAX_VALUE) -> int:
    """About how many characters ``value`` makes as text, counting a list that holds the
    same list twice twice (as ``str`` does); stops counting past ``limit``."""
    total, stack = 0, [value]
    while stack and total <= limit:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif isinstance(item, dict):
            total += 2
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, _CONTAINERS):
            total += 2
            stack.extend(item)
        else:
            total += 8
    return total


def sized(value: Any) -> Any:
    """``value``, unless written as text it would be too long (a list nested in itself)."""
    if isinstance(value, _CONTAINERS) and weight(value) > MAX_VALUE:
        raise LimitExceeded(f"a value that would make more than {MAX_VALUE:,} characters "
                            "as text")
    return value


def _size(value: Any) -> int:
    return len(value) if isinstance(value, (str, list, tuple)) else 0


def _check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse an operation whose result would be too big, before it is computed."""
    whole = (isinstance(left, int) and not isinstance(left, bool)
             and isinstance(right, int) and not isinstance(right, bool))
    if operator == "**" and whole and right > 0 and abs(left) > 1:
        if right * math.log2(abs(left)) > MAX_BITS:
            raise LimitExceeded(f"{left} ** {right} is more than {MAX_BITS:,} bits")
    elif operator == "*" and whole:
        bounded(1 << min(left.bit_length() + right.bit_length(), MAX_BITS + 1))
    elif operator == "*":
        times = right if isinstance(right, int) else left if isinstance(left, int) else 0
        if max(_size(left), _size(right)) * max(times, 0) > MAX_VALUE:
            raise LimitExceeded(f"repeating a value {times:,} times makes more than "
                                f"{MAX_VALUE:,} characters or items")
    elif operator == "+" and _size(left) + _size(right) > MAX_VALUE:
        raise LimitExceeded(f"joining values makes more than {MAX_VALUE:,} characters")
    elif operator == "%" and isinstance(left, str):
        check_printf(left, right)


def check_printf(text: str, args: Any) -> None:
    """Widths and precisions of a ``%`` format, written or passed as ``*``, stay small."""
    values = args if isinstance(args, tuple) else (args,)
    for found in _PRINTF_FIELD.finditer(text):
        for part in found.groups():
            if part and part.isdigit() and int(part) > MAX_WIDTH:
                raise LimitExceeded(f"a format width of {int(part):,}: at most {MAX_WIDTH:,}")
    if any(isinstance(v, int) and abs(v) > MAX_WIDTH for v in values) and "*" in text:
        raise LimitExceeded(f"a format width past {MAX_WIDTH:,}")


def check_format_string(text: str) -> None:
    """``str.format`` widths stay small; widths taken from arguments (``{:{w}}``) are refused."""
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError:
        return  # the call itself reports the broken format
    for _, _, spec, _ in fields:
        if spec and "{" in spec:
            raise LimitExceeded("a format width taken from an argument ('{:{w}}'): "
                                "write the width in the format")
        for digits in re.findall(r"\d+", spec or ""):
            if int(digits) > MAX_WIDTH:
                raise LimitExceeded(f"a format width of {int(digits):,}: at most {MAX_WIDTH:,}")


def _check_sizes(what: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for value in (*args, *kwargs.values()):
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_WIDTH:
            raise LimitExceeded(f"{what}({value:,}): sizes in templates stop at {MAX_WIDTH:,}")


def _check_method(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    """Size arguments of ``str`` methods that build long strings stay small."""
    if not isinstance(obj, types.BuiltinMethodType) or not isinstance(obj.__self__, str):
        return
    if obj.__name__ in _SIZED_METHODS:
        _check_sizes(obj.__name__, args, kwargs)
    elif obj.__name__ == "replace" and len(args) >= 2:
        _check_replace(obj.__self__, args[0], args[1])


def _check_replace(text: Any, old: Any, new: Any) -> None:
    """``replace`` of every empty string, say, must not make a string too long to hold."""
    text, old, new = str(text), str(old), str(new)
    if len(text) + text.count(old) * max(len(new) - len(old), 0) > MAX_VALUE:
        raise LimitExceeded(f"replace() would make more than {MAX_VALUE:,} characters")


def _checked_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` with its size arguments checked before and its result after."""
    if getattr(func, "coursepack_checked", False):
        return func
    skip = 2 if getattr(func, "jinja_pass_arg", None) is not None else 1  # context, value

    @wraps(func)
    def checked(*args: Any, **kwargs: Any) -> Any:
        for value in (*args[skip - 1:], *kwargs.values()):
            sized(value)
        if name in _SIZED_FILTERS:
            _check_sizes(name, args[skip:], kwargs)
        elif name == "replace" and len(args) >= skip + 2:
            _check_replace(*args[skip - 1:skip + 2])
        elif name == "format" and len(args) > skip - 1:
            check_printf(str(args[skip - 1]), tuple(args[skip:]) or tuple(kwargs.values()))
        return bounded(func(*args, **kwargs))

    checked.coursepack_checked = True  # type: ignore[attr-defined]
    return checked
