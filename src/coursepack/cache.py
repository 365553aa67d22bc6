"""The one cache of a course's builds, kept apart from what a build delivers.

Everything a build keeps to be faster next time is here: which output of each format was
made from which inputs, the pages of the sites, the PDF exporter's parts, page counts and
assembled documents, the files of zip packages as they were deflated, and Jinja's compiled
templates. ``build/<format>/`` holds only what a user distributes.

Where: ``.coursepack-cache/`` in the course folder (``coursepack init`` git-ignores it, and
the folder ignores itself too). When the course folder cannot be written, a per-user folder
(``$XDG_CACHE_HOME/coursepack/store``, else ``~/.cache/coursepack/store``) shared by those
courses. ``COURSEPACK_CACHE_DIR`` names another folder.

Keys: an entry is named by a keyed hash of everything it is made from: what the caller
gives (file contents, settings, HTML...) and what every entry depends on (the bytes of
coursepack's own code, the versions of Python and of the libraries that write output,
``SOURCE_DATE_EPOCH``). The hash key is a secret in the per-user folder, so the entries a
course folder arrives with (in a zip, say) are never read: only this user's builds make the
names this user's builds look up.

Entries: a file holding the SHA-256 of its name and data, then the data. One that does not
match (a disk or a copy that cut it short, an entry put in another's place) is removed and
counts as a miss. An entry is written to a temporary file and renamed into place, so builds
sharing the cache never see half of one.

Size: at most ``COURSEPACK_CACHE_LIMIT_MB`` megabytes (default 1024). Past that, a build
removes the entries used longest ago, never those it used itself, down to nine tenths of
the limit. Finding out means a look at every entry, so the size found is noted
(``size.json``) and each build adds what it kept: the entries are looked at again only when
that sum passes the limit, or an hour after the last look (builds sharing the cache can
each miss what the others added meanwhile). Evicting to the limit itself would leave no
room: every build after it would pass the limit again and look at every entry (0.2 s with
18,000 entries). A build that alone uses more than the limit keeps all it used and says so;
the size it could not go below is noted too, and the builds after it look at the entries
again only when they add to them.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import hmac
import json
import math
import os
import secrets
import stat
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2

from coursepack.atomic import replace_whole
from coursepack.errors import CoursepackError

CACHE_DIR = ".coursepack-cache"
DEFAULT_LIMIT_MB = 1024
EVICTED_TO = 0.9
"""The share of the limit eviction goes down to, leaving room for the builds after it."""
LIMIT_VARIABLE = "COURSEPACK_CACHE_LIMIT_MB"
_CODE = Path(__file__).resolve().parent
_KEY_BYTES = 32  # of the secret that names the entries
_ENTRIES = "entries"
_SIZE = "size.json"
#: Seconds a noted size is trusted without looking at the entries again.
SIZE_TRUSTED_FOR = 3600
#: Libraries whose version can change what a format writes.
LIBRARIES = ("jinja2", "markupsafe", "markdown-it-py", "nh3", "pyyaml", "lxml", "weasyprint",
             "pydyf", "tinycss2", "cssselect2", "pikepdf", "fonttools", "pillow", "babel")
# Backup and archiving tools that follow https://bford.info/cachedir/ skip a tagged folder.
_TAG = ("Signature: 8a477f597d28d172789f06886806bc55\n"
        "# coursepack's build cache: safe to delete ('coursepack clean' does it).\n")


def location(course_root: Path) -> Path:
    """Where the builds of the course in ``course_root`` keep their cache."""
    chosen = os.environ.get("COURSEPACK_CACHE_DIR")
    if chosen:
        return Path(chosen).resolve()
    beside = course_root.resolve() / CACHE_DIR
    return beside if _not_beside_because(beside) is None else user_folder() / "store"


def _not_beside_because(beside: Path) -> str | None:
    """Why a course cannot keep its cache in ``beside``, its own folder for it; None if
    it can."""
    if beside.is_symlink():  # a course's link could send the cache's writes anywhere
        return f"{beside} is a link"
    if beside.exists() and not beside.is_dir():
        return f"{beside} is a file"
    if beside.exists() and not own_or_empty(beside):
        return f"{beside} holds files that are not a cache's"
    if not _writable(beside if beside.is_dir() else beside.parent):
        return f"{beside if beside.is_dir() else beside.parent} cannot be written"
    return None


def _writable(folder: Path) -> bool:
    return os.access(folder, os.W_OK | os.X_OK)


def user_folder() -> Path:
    """This user's coursepack folder for cached things (and the cache's secret)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "coursepack"


@lru_cache(maxsize=4)
def _secret(folder: Path) -> bytes:
    """This user's key for naming entries, made once; a fresh one per process if it cannot
    be kept (entries are then never found again, which is slow but never wrong). A key file
    cut short (a crash as it was written) is made anew."""
    path = folder / "key"
    kept = _key_in(path)
    if kept is not None:
        return kept
    made = secrets.token_bytes(_KEY_BYTES)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        spare = folder / f".key-{os.getpid()}"
        descriptor = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as file:
            file.write(made)
            file.flush()
            os.fsync(file.fileno())  # on disk whole before it is the key
        try:
            os.link(spare, path)
        except FileExistsError:
            kept = _key_in(path)
            if kept is not None:  # another process made the key first: use that
                return kept
            if path.is_file() and not path.is_symlink():
                os.replace(spare, path)  # cut short: this one instead
        finally:
            spare.unlink(missing_ok=True)
    except OSError:
        pass
    return made


def _key_in(path: Path) -> bytes | None:
    """The key kept in ``path``; None if there is none, it is too short to be one, or it is
    not a plain file (a link to /dev/zero or to a large file, a pipe that would wait)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        data = os.read(fd, _KEY_BYTES)
    except OSError:
        return None
    finally:
        os.close(fd)
    return data if len(data) == _KEY_BYTES else None


def library_versions() -> dict[str, str]:
    """The version of each library in ``LIBRARIES`` that Python would import."""
    return {library: version_of(library) or "none" for library in LIBRARIES}


def version_of(distribution: str) -> str | None:
    """The version of an installed distribution (a library, coursepack), None if there is
    none: read from the ``<name>-<version>.dist-info`` folder names of the import path,
    else asked of ``importlib.metadata`` (slow to import, and to ask: it scans the whole
    path at each question, a few hundredths of a second for three)."""
    found = _installed().get(_normal(distribution))
    if found is not None:
        return found
    from importlib import metadata

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


@lru_cache(maxsize=1)
def _installed() -> dict[str, str]:
    """Each distribution's version by its normalised name, from one pass over the import
    path (the first found wins, as Python would import it)."""
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder in names:
            if folder.endswith(".dist-info"):
                name, _, version = folder.removesuffix(".dist-info").partition("-")
                if version:
                    found.setdefault(_normal(name), version)
    return found


def _normal(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def code_and_libraries(code: Path, versions: Mapping[str, str]) -> str:
    """A digest of coursepack's code (every .py file under ``code``, the interface's
    catalogues, .po, and the fonts it ships, .ttf), Python and libraries."""
    found = hashlib.sha256(f"python {sys.version}\0".encode())
    for name, version in sorted(versions.items()):
        found.update(f"{name} {version}\0".encode())
    for parts in _code_files(code):
        found.update("/".join(parts).encode() + b"\0")
        with open(os.path.join(code, *parts), "rb") as file:
            found.update(hashlib.sha256(file.read()).digest())
    return found.hexdigest()


def _code_files(code: Path) -> list[tuple[str, ...]]:
    """The files ``code_and_libraries`` reads, as the parts of their paths under ``code``,
    in order. One walk of the folder, past bytecode and hidden folders (a cache, when the
    starter course is built where it is installed): ``Path.rglob`` three times took longer
    than reading every file, and this runs at every build."""
    found: list[tuple[str, ...]] = []
    todo: list[tuple[str, ...]] = [()]
    while todo:
        under = todo.pop()
        with os.scandir(os.path.join(code, *under)) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    if entry.name != "__pycache__" and not entry.name.startswith("."):
                        todo.append((*under, entry.name))
                elif entry.name.endswith((".py", ".po", ".ttf")):
                    found.append((*under, entry.name))
    return sorted(found)


@lru_cache(maxsize=1)
def environment() -> str:
    """What every entry depends on besides its own inputs: this code and these libraries."""
    return code_and_libraries(_CODE, library_versions())


def limit_from_environment() -> int:
    """The size limit in bytes: ``COURSEPACK_CACHE_LIMIT_MB``, or the default (also for a
    value that is not a size, which ``check_limit`` reports)."""
    megabytes = _megabytes(os.environ.get(LIMIT_VARIABLE, ""))
    return int((DEFAULT_LIMIT_MB if megabytes is None else megabytes) * 1024 * 1024)


def check_limit() -> None:
    """Raise ``CoursepackError`` if ``COURSEPACK_CACHE_LIMIT_MB`` is set to anything but a
    number of megabytes, 0 or more."""
    text = os.environ.get(LIMIT_VARIABLE, "")
    if text.strip() and _megabytes(text) is None:
        shown = repr(text[:40] + ("..." if len(text) > 40 else ""))
        raise CoursepackError.single(
            f"{LIMIT_VARIABLE} is {shown}, not a number of megabytes (0 or more)",
            hint=f"set it to the most the build cache may hold, for example "
                 f"{LIMIT_VARIABLE}=2048, or unset it for {DEFAULT_LIMIT_MB}")


def _megabytes(text: str) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        return None
    # in bytes too: 1e308 megabytes are more bytes than a number holds, as 1e309 are
    return value if math.isfinite(value * 1024 * 1024) and value >= 0 else None


def _entry_digest(key: str, data: bytes) -> bytes:
    """What an entry begins with: the SHA-256 of its name and its data. Of its data alone,
    a whole entry put in another's place (a backup or a sync mixing them up) was taken for
    that other: a course pack that was the answer key."""
    found = hashlib.sha256(key.encode("ascii") + b"\0")
    found.update(data)  # not joined to the name first: a copy of a PDF
    return found.digest()


def _feed(named: hmac.HMAC, part: str | bytes) -> None:
    data = part.encode("utf-8") if isinstance(part, str) else part
    named.update(len(data).to_bytes(8, "big") + data)


class Cache:
    """Entries of one cache folder; ``Cache(None)`` keeps nothing (every lookup misses)."""

    def __init__(self, root: Path | None, limit: int | None = None) -> None:
        self.root = root
        self.limit = limit_from_environment() if limit is None else limit
        self.opened = time.time()
        self.unwritten: OSError | None = None  # why the first entry not kept was not kept
        self.added = 0  # bytes this instance kept
        # The entries this instance used: their times alone do not tell, as a file's times
        # come from a coarser clock than time.time() (one used a moment after ``opened``
        # could show a time before it).
        self._used: set[Path] = set()
        self.in_use_past_limit = 0  # bytes past the limit that eviction could not remove
        self._prepared = False  # the folder checked and tagged by this instance
        #: the folders found to be the cache's own, by the two characters that name them
        self._own_folders: dict[str, Path] = {}
        self._start: tuple[str, hmac.HMAC] | None = None  # see _keyed

    @classmethod
    def for_course(cls, course_root: Path) -> Cache:
        return cls(location(course_root))

    def key(self, kind: str, *inputs: str | bytes) -> str:
        """The name of the entry made from ``inputs`` (and this code and these libraries)."""
        named = self._keyed().copy()
        for part in (kind, *inputs):
            _feed(named, part)
        return named.hexdigest()

    def _keyed(self) -> hmac.HMAC:
        """The hash every key starts from: this user's secret, this code and libraries,
        SOURCE_DATE_EPOCH; made once per cache (a build asks for thousands of keys)."""
        epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
        if self._start is None or self._start[0] != epoch:
            named = hmac.new(_secret(user_folder()), digestmod=hashlib.sha256)
            for part in (environment(), epoch):
                _feed(named, part)
            self._start = (epoch, named)
        return self._start[1]

    def get(self, key: str) -> bytes | None:
        """The entry's data, or None if it is missing or damaged (then it is removed)."""
        path = self._path(key)
        if path is None:
            return None
        try:
            data = _read_entry(path)
        except OSError:
            return None
        if data is None:  # a link, a pipe, a device put in its place: never read
            _remove(path)
            return None
        digest, data = data[:32], data[32:]
        if _entry_digest(key, data) != digest:
            _remove(path)
            return None
        with contextlib.suppress(OSError):
            os.utime(path)  # used now: the last to be evicted
        self._used.add(path)
        return data

    def has(self, key: str) -> bool:
        """Whether the entry is there (a damaged one is found out when it is read)."""
        path = self._path(key)
        try:
            return path is not None and stat.S_ISREG(path.lstat().st_mode)
        except OSError:
            return False

    def put(self, key: str, data: bytes) -> None:
        """Keep ``data`` as the entry ``key``; a cache that cannot be written is skipped."""
        path = self._path(key)
        if path is None or self.root is None:
            return
        try:
            self._prepare(self.root)
            replace_whole(path, _entry_digest(key, data) + data)
            self.added += len(data) + 32
            self._used.add(path)
        except OSError as exc:
            self.unwritten = self.unwritten or exc

    def unwritten_note(self) -> str | None:
        """What the user should know when entries could not be kept (a full disk, say):
        the build is whole, but the next one will not be faster."""
        if self.unwritten is None:
            return None
        reason = self.unwritten.strerror or type(self.unwritten).__name__
        if self.unwritten.errno in (errno.ENOSPC, errno.EDQUOT):
            remedy = ("Free some space there (coursepack clean empties it), or set "
                      "COURSEPACK_CACHE_DIR to another folder")
        elif self.unwritten.errno == errno.EEXIST:
            remedy = "Set COURSEPACK_CACHE_DIR to a new or empty folder"
        else:
            remedy = ("Set COURSEPACK_CACHE_DIR to a folder you may write, or run coursepack "
                      "clean if it is this cache that is damaged")
        return (f"cache: could not keep what this build made in {self.root} ({reason}); "
                f"the next build will not be as fast. {remedy}")

    def get_json(self, key: str) -> Any:
        data = self.get(key)
        try:
            return None if data is None else json.loads(data)
        except ValueError:
            return None

    def put_json(self, key: str, value: Any) -> None:
        self.put(key, json.dumps(value, sort_keys=True).encode("utf-8"))

    def evict(self) -> int:
        """Remove the entries used longest ago once the cache is past its limit, until it
        holds nine tenths of it; never one used since this cache was opened. Returns the
        bytes freed."""
        if self.root is None:
            return 0
        noted = self._noted_size()
        if noted is not None and noted[0] + self.added <= max(self.limit, noted[2]):
            if self.added:
                self._note_size(noted[0] + self.added, noted[1], noted[2])
            return 0
        looked = time.time()
        entries = sorted(_entries(self.root), key=lambda entry: entry.used)
        total = sum(entry.size for entry in entries)
        freed = 0
        goal = self.limit * EVICTED_TO if total > self.limit else self.limit
        for entry in entries:
            if total - freed <= goal or entry.used >= self.opened:
                break
            if entry.path in self._used:
                continue
            if _remove(entry.path):
                freed += entry.size
        left = total - freed
        self.in_use_past_limit = left if left > self.limit else 0
        if entries:
            self._note_size(left, looked, self.in_use_past_limit)
        return freed

    def past_limit_note(self) -> str | None:
        """What the user should know when this build alone used more of the cache than its
        limit: nothing it used could be removed."""
        if not self.in_use_past_limit:
            return None
        used, limit = (math.ceil(size / 2**20) for size in (self.in_use_past_limit, self.limit))
        return (f"cache: this build uses {used} MB of the cache in {self.root}, more than its "
                f"limit of {limit} MB ({LIMIT_VARIABLE}); what it uses is kept all the same. "
                f"Set {LIMIT_VARIABLE}={used} or more to keep the cache within its limit")

    def _noted_size(self) -> tuple[int, float, int] | None:
        """The size noted by the last build, when the entries were last looked at, and how
        much past the limit that look had to leave, in use by its build (0 when none); None
        if there is none, it cannot be read, or it is too old to trust. Below that much,
        the next build does not look at every entry again: it could remove nothing."""
        assert self.root is not None
        try:
            noted = json.loads(_read_own(self.root / _SIZE))
            size, looked = int(noted["bytes"]), float(noted["looked"])
            in_use = int(noted.get("in_use_past_limit", 0))
        except (OSError, ValueError, TypeError, KeyError, OverflowError, AttributeError):
            return None
        if size < 0 or in_use < 0 or not 0 <= time.time() - looked <= SIZE_TRUSTED_FOR:
            return None
        return size, looked, in_use

    def _note_size(self, size: int, looked: float, in_use: int) -> None:
        assert self.root is not None
        noted = {"bytes": size, "looked": looked, "in_use_past_limit": in_use}
        with contextlib.suppress(OSError):  # not noted: the next build looks at the entries
            replace_whole(self.root / _SIZE, json.dumps(noted).encode())

    def _path(self, key: str) -> Path | None:
        """Where the entry lives; None if a link inside the cache leads elsewhere (the
        entries' folder, or the folder of entries that begin as this one does). A folder
        found to be the cache's own is not looked at again by this instance."""
        if self.root is None:
            return None
        folder = self._own_folders.get(key[:2])
        if folder is not None:
            return folder / key
        folder = self.root / _ENTRIES / key[:2]
        # a folder that is no link, in one that is none, is where its path says: no need to
        # resolve it (a build looks at hundreds of them)
        kinds = [_kind(mine) for mine in (folder.parent, folder)]
        if None in kinds or stat.S_IFLNK in kinds:
            return None
        if kinds[1] == stat.S_IFDIR:
            self._own_folders[key[:2]] = folder
        return folder / key

    def _prepare(self, root: Path) -> None:
        """Make ``root`` a cache, once per instance: a new or empty folder, or one that is
        a cache of ours already; never a folder that holds other files (``COURSEPACK_CACHE_DIR``
        naming a home or project folder, say), which its ignore file and ``clean`` would
        take over."""
        if self._prepared:
            return
        if root.exists() and not root.is_dir():
            raise OSError(errno.ENOTDIR, "it is a file, not a folder", str(root))
        if not own_or_empty(root):
            raise OSError(errno.EEXIST, "it holds other files: a cache needs a folder of its "
                          "own", str(root))
        root.mkdir(parents=True, exist_ok=True)
        if not _tagged(root):
            replace_whole(root / ".gitignore", b"# coursepack's build cache\n*\n")
            replace_whole(root / _TAG_NAME, _TAG.encode("utf-8"))
        self._prepared = True


_TAG_NAME = "CACHEDIR.TAG"
#: What a cache folder of ours holds (and the temporary files it writes, ".<name>....tmp").
_OWN_NAMES = frozenset({_ENTRIES, _TAG_NAME, ".gitignore", _SIZE})


def own_or_empty(root: Path) -> bool:
    """Whether ``root`` is not there yet, is empty, or is a cache of ours (tagged as one, or
    holding only what one holds)."""
    try:
        names = os.listdir(root)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return _tagged(root) or all(_own_name(name) for name in names)


def _own_name(name: str) -> bool:
    return name in _OWN_NAMES or (name.startswith(".") and name.endswith(".tmp"))


def _tagged(root: Path) -> bool:
    """Whether ``root`` holds the tag a cache of ours writes (a file, not a link)."""
    try:
        return b"coursepack" in _read_own(root / _TAG_NAME, 1024)
    except OSError:
        return False


@dataclass(frozen=True)
class _Entry:
    path: Path
    size: int
    used: float


def _entries(root: Path) -> list[_Entry]:
    """Every entry: the files of the folders of the entries' folder, none through a link
    (one could lead to a user's own files, which eviction would remove)."""
    found = []
    for folder in _real_folders(root / _ENTRIES):
        try:
            with os.scandir(folder) as files:
                for file in files:
                    if file.is_file(follow_symlinks=False):
                        stat = file.stat(follow_symlinks=False)
                        found.append(_Entry(Path(file.path), stat.st_size,
                                            max(stat.st_atime, stat.st_mtime)))
        except OSError:
            continue
    return found


def _real_folders(folder: Path) -> list[Path]:
    """The folders in ``folder`` that are not links; none if ``folder`` is one."""
    if folder.is_symlink():
        return []
    try:
        with os.scandir(folder) as inside:
            return [Path(e.path) for e in inside if e.is_dir(follow_symlinks=False)]
    except OSError:
        return []


def _kind(path: Path) -> int | None:
    """The file type bits of ``path`` itself (a link's, not its target's), 0 if there is
    nothing there (or a file where a folder should be: writing says what is wrong), None if
    it cannot be looked at."""
    try:
        return stat.S_IFMT(os.lstat(path).st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    except OSError:
        return None


def _read_entry(path: Path) -> bytes | None:
    """An entry's bytes, or None if it is not an ordinary file. Opened without following a
    link or waiting on a pipe, and read to the size the file has: a link to /dev/zero, or
    a pipe, planted in a cache that came with a course would fill the memory or hang."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # the entry is a link
            return None
        raise
    try:  # not through a file object: a build reads hundreds of small entries
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            return None
        chunks, left = [], info.st_size
        while left > 0:
            chunk = os.read(descriptor, left)
            if not chunk:  # shorter than it was: what was there is read, the digest tells
                break
            chunks.append(chunk)
            left -= len(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def _read_own(path: Path, limit: int = 4096) -> bytes:
    """A small file of the cache itself, never through a link (the cache may have come
    with a course, and a link in it could lead anywhere)."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(descriptor, "rb") as file:
        return file.read(limit)


def _remove(path: Path) -> bool:
    try:
        path.unlink()
    except OSError:
        return False
    return True


def clean(course_root: Path, shared: bool = False) -> tuple[Path, int]:
    """Remove the course's cache: what a cache of ours holds, then its folder if that is
    left empty; return the folder and the bytes that freed. A folder that is not one of
    our caches (no tag of ours in it) is refused, not emptied; anything else in one that
    is (a file someone put there) is left with it. What cannot be removed is an error
    that says what was freed all the same. The per-user folder, which every course that
    cannot keep a cache of its own shares, is removed only when ``shared`` says so."""
    root = location(course_root)
    if not root.exists():
        return root, 0
    if not shared and not os.environ.get("COURSEPACK_CACHE_DIR"):
        _refuse_shared(course_root, root)
    if not _tagged(root):
        raise CoursepackError.single(
            f"{root} is not a coursepack cache: left as it is",
            hint="check COURSEPACK_CACHE_DIR, or remove the folder yourself")
    freed, failed = 0, list[tuple[Path, OSError]]()
    for name in sorted(os.listdir(root)):
        if _own_name(name):
            freed += _removed(root / name, failed)
    with contextlib.suppress(OSError):
        root.rmdir()
    if failed:
        path, exc = failed[0]
        more = f" and {len(failed) - 1} more" if len(failed) > 1 else ""
        raise CoursepackError.single(
            f"could not remove {path}{more} from the cache: {exc.strerror}; "
            f"{freed / 1e6:.1f} MB freed",
            hint=f"check the permissions of {root} (or its files' attributes), "
                 "or remove it yourself")
    return root, freed


def _refuse_shared(course_root: Path, root: Path) -> None:
    why = _not_beside_because(course_root.resolve() / CACHE_DIR)
    if why is not None:
        raise CoursepackError.single(
            f"{course_root} keeps no cache of its own ({why}): its builds use {root}, "
            "which every course that cannot keep one shares; removing it would remove "
            "theirs too",
            hint="run 'coursepack clean --shared' to remove it all the same; builds keep it "
                 f"under its size limit without it ({LIMIT_VARIABLE})")


def _removed(path: Path, failed: list[tuple[Path, OSError]]) -> int:
    """Remove ``path`` (a file, a link, or a folder and what it holds, never through a
    link); the bytes of the files removed. What cannot be removed goes to ``failed``."""
    try:
        info = path.lstat()
    except OSError:
        return 0
    freed = 0
    try:
        if not stat.S_ISDIR(info.st_mode):
            path.unlink()
            return info.st_size
        freed = sum(_removed(inside, failed) for inside in path.iterdir())
        path.rmdir()
    except FileNotFoundError:
        pass  # gone meanwhile: another build's eviction
    except OSError as exc:
        if exc.errno != errno.ENOTEMPTY:  # else what is left in it was said already
            failed.append((path, exc))
    return freed


class TemplateCache(jinja2.BytecodeCache):
    """Jinja's compiled templates as entries of a cache: compiling the templates of a build
    costs more than rendering a small course. Jinja checks each against its source."""

    def __init__(self, store: Cache) -> None:
        self.store = store

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get(self._key(bucket))
        if data is not None:
            bucket.bytecode_from_string(data)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store.put(self._key(bucket), bucket.bytecode_to_string())

    def _key(self, bucket: jinja2.bccache.Bucket) -> str:
        """The template's name and file, and the kind of environment (a sandboxed one
        compiles differently); Jinja checks the source itself."""
        kind = type(bucket.environment)
        return self.store.key("jinja", f"{kind.__module__}.{kind.__qualname__}", bucket.key)
