"""A small cmi5 LMS on 127.0.0.1 for the tests: launch URLs, the fetch URL, an in-memory LRS.

It serves an unzipped cmi5 package and plays the LMS's part of the cmi5 runtime: it writes
LMS.LaunchData and records "launched" before each launch, hands out one token per session
(a second POST to the fetch URL gets cmi5's error JSON), records "abandoned" for a session
that never terminated when the next one starts, and holds the statements, state documents
and agent profiles of an xAPI 1.0.3 LRS. Every statement is checked against the cmi5 rules
an AU must follow (section 9 of the cmi5 specification); one that breaks a rule is refused
with 400 and the reason kept in ``rejected``, so a test sees what a strict LMS would refuse.
"""

from __future__ import annotations

import copy
import json
import re
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlencode, urlsplit

CMI5 = "https://w3id.org/xapi/cmi5/"
CATEGORY = CMI5 + "context/categories/cmi5"
MOVEON = CMI5 + "context/categories/moveon"
SESSION = CMI5 + "context/extensions/sessionid"
MASTERY = CMI5 + "context/extensions/masteryscore"
VERBS = "http://adlnet.gov/expapi/verbs/"
ADL = "https://w3id.org/xapi/adl/verbs/"
DEFINED = {"initialized", "completed", "passed", "failed", "terminated"}
JUDGED = {"completed", "passed", "failed"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$", re.I)
DURATION = re.compile(r"^P(?:\d+Y)?(?:\d+M)?(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d+)?S)?)?$")
LEARNER = {"objectType": "Agent", "account": {"homePage": "https://lms.example.org", "name": "learner-42"}}


class Refused(Exception):
    """A statement the LMS refuses: the cmi5 or xAPI rule it breaks."""


@dataclass
class Session:
    id: str
    registration: str
    activity_id: str
    publisher_id: str
    token: str
    mode: str
    mastery: float | None
    fetched: bool = False
    state: str = "launched"  # then initialized, terminated or abandoned
    verbs: list[str] = field(default_factory=list)


@dataclass
class Unit:
    """What the LMS keeps per registration and AU across sessions."""

    completed: bool = False
    passed: bool = False


class Lms:
    """The LMS and its LRS; ``url`` is where it serves (the package is under /pkg/)."""

    def __init__(self, package: Path) -> None:
        self.package = package
        self.url = ""
        self.lock = threading.RLock()
        self.statements: list[dict[str, Any]] = []
        self.rejected: list[tuple[str, dict[str, Any]]] = []
        self.requests: list[tuple[str, str, int]] = []
        self.sessions: dict[str, Session] = {}
        self.units: dict[tuple[str, str], Unit] = {}
        self.documents: dict[tuple[str, ...], bytes] = {}
        self.profiles: dict[tuple[str, str], bytes] = {}
        self.launch_urls: dict[str, dict[str, str]] = {}  # session id -> launch parameters
        self.fail_statements = 0  # answer this many statement requests with 503
        self.down = False  # refuse every connection to the LRS (as a lost network does)
        self.cut: list[tuple[str, str]] = []  # the LRS requests refused while down

    # --- what the LMS does before a launch ------------------------------------------------

    def launch(self, au: str, *, publisher_id: str, registration: str | None = None,
               mode: str = "Normal", mastery: float | None = None, move_on: str = "Passed",
               return_url: str | None = None, languages: str | None = None) -> str:
        """Launch ``au`` (its page in the package) and return the URL a browser opens."""
        registration = registration or str(uuid.uuid4())
        activity_id = f"https://lms.example.org/activities/{uuid.uuid5(uuid.NAMESPACE_URL, publisher_id)}"
        with self.lock:
            self.abandon(registration, activity_id)
            session = Session(str(uuid.uuid4()), registration, activity_id, publisher_id,
                              uuid.uuid4().hex, mode, mastery)
            self.sessions[session.id] = session
            template = {"contextActivities": {"grouping": [{"objectType": "Activity", "id": publisher_id}]},
                        "extensions": {SESSION: session.id}}
            data: dict[str, Any] = {"contextTemplate": template, "launchMode": mode, "moveOn": move_on}
            if mastery is not None:
                data["masteryScore"] = mastery
            if return_url:
                data["returnURL"] = return_url
            key = ("state", activity_id, agent_key(LEARNER), registration, "LMS.LaunchData")
            self.documents[key] = json.dumps(data).encode()
            if languages is not None:
                prefs = {"languagePreference": languages, "audioPreference": "on"}
                self.profiles[(agent_key(LEARNER), "cmi5LearnerPreferences")] = json.dumps(prefs).encode()
            extensions: dict[str, Any] = {SESSION: session.id, CMI5 + "context/extensions/launchmode": mode,
                                          CMI5 + "context/extensions/moveon": move_on}
            if mastery is not None:
                extensions[MASTERY] = mastery
            self.record_lms(session, "launched", VERBS + "launched", extensions)
        parameters = {
            "endpoint": f"{self.url}/lrs/", "fetch": f"{self.url}/fetch/{session.id}",
            "actor": json.dumps(LEARNER), "registration": registration, "activityId": activity_id,
        }
        self.launch_urls[session.id] = parameters
        query = urlencode(parameters, quote_via=quote)
        return f"{self.url}/pkg/{au}?{query}"

    def abandon(self, registration: str, activity_id: str) -> None:
        """A session of the same registration and AU that never terminated was abandoned."""
        for old in self.sessions.values():
            if (old.registration, old.activity_id) == (registration, activity_id) and \
                    old.state in ("launched", "initialized"):
                old.state = "abandoned"
                self.record_lms(old, "abandoned", ADL + "abandoned", {SESSION: old.id},
                                {"duration": "PT0S"})

    def record_lms(self, session: Session, verb: str, verb_id: str, extensions: dict[str, Any],
                   result: dict[str, Any] | None = None) -> None:
        statement: dict[str, Any] = {
            "id": str(uuid.uuid4()), "actor": LEARNER, "verb": {"id": verb_id, "display": {"en": verb}},
            "object": {"objectType": "Activity", "id": session.activity_id},
            "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "context": {"registration": session.registration, "extensions": extensions,
                        "contextActivities": {"category": [{"id": CATEGORY}],
                                              "grouping": [{"id": session.publisher_id}]}},
        }
        if result:
            statement["result"] = result
        self.statements.append(statement)

    # --- what a test reads ----------------------------------------------------------------

    def verbs(self, session: str | None = None) -> list[str]:
        """The verbs recorded, in order (one session's, or all)."""
        with self.lock:
            return [verb_of(s) for s in self.statements
                    if session is None or s["context"]["extensions"].get(SESSION) == session]

    def session_ids(self) -> list[str]:
        return list(self.sessions)

    def document(self, registration: str, state_id: str) -> Any:
        with self.lock:
            for key, data in self.documents.items():
                if key[0] == "state" and key[3] == registration and key[4] == state_id:
                    return json.loads(data)
        return None

    # --- the rules an AU's statements must follow ----------------------------------------------

    def check(self, statement: dict[str, Any], session: Session, unit: Unit) -> None:
        """Raise ``Refused`` naming the rule ``statement`` breaks; else update the records."""
        for name in ("id", "actor", "verb", "object", "timestamp"):
            if name not in statement:
                raise Refused(f"no {name}")
        if not UUID.match(str(statement["id"])):
            raise Refused("id is not a UUID")
        if statement["actor"] != LEARNER:
            raise Refused("actor is not the launch actor")
        context = statement.get("context") or {}
        if context.get("registration") != session.registration:
            raise Refused("context.registration is not the launch registration")
        if (context.get("extensions") or {}).get(SESSION) != session.id:
            raise Refused("no session id extension in the context")
        grouping = [a.get("id") for a in (context.get("contextActivities") or {}).get("grouping", [])]
        if session.publisher_id not in grouping:
            raise Refused("the context template's publisher id grouping is missing")
        if session.state in ("terminated", "abandoned"):
            raise Refused(f"a statement after the session was {session.state}")
        verb = verb_of(statement)
        categories = [a.get("id") for a in (context.get("contextActivities") or {}).get("category", [])]
        defined = CATEGORY in categories
        if session.state == "launched" and not (defined and verb == "initialized"):
            raise Refused(f"the first statement of a session must be initialized, not {verb}")
        if not defined:
            if MOVEON in categories:
                raise Refused("the moveOn category on a cmi5 allowed statement")
            return
        self.check_defined(statement, verb, categories, session, unit)

    def check_defined(self, statement: dict[str, Any], verb: str, categories: list[str],
                      session: Session, unit: Unit) -> None:
        if verb not in DEFINED:
            raise Refused(f"{verb} is not a verb an AU may use in a cmi5 defined statement")
        if statement["object"].get("id") != session.activity_id:
            raise Refused("the object of a cmi5 defined statement must be the launch activityId")
        if verb in session.verbs:
            raise Refused(f"a second {verb} in one session")
        if verb in ("passed", "failed") and {"passed", "failed"} & set(session.verbs):
            raise Refused("passed or failed twice in one session")
        if session.mode != "Normal" and verb not in ("initialized", "terminated"):
            raise Refused(f"{verb} in {session.mode} mode")
        if verb == "completed" and unit.completed:
            raise Refused("a second completed in the registration")
        if verb == "passed" and unit.passed:
            raise Refused("a second passed in the registration")
        if verb == "failed" and unit.passed:
            raise Refused("failed after passed in the registration")
        if (MOVEON in categories) != (verb in JUDGED):
            raise Refused("the moveOn category belongs on completed, passed and failed only")
        result = statement.get("result") or {}
        self.check_result(verb, result, statement, session)
        session.verbs.append(verb)
        if verb == "initialized":
            session.state = "initialized"
        if verb == "terminated":
            session.state = "terminated"
        if verb == "completed":
            unit.completed = True
        if verb == "passed":
            unit.passed = True

    def check_result(self, verb: str, result: dict[str, Any], statement: dict[str, Any],
                     session: Session) -> None:
        if ("completion" in result) != (verb == "completed") or \
                (verb == "completed" and result["completion"] is not True):
            raise Refused(f"result.completion on {verb}")
        if ("success" in result) != (verb in ("passed", "failed")) or \
                ("success" in result and result["success"] is not (verb == "passed")):
            raise Refused(f"result.success on {verb}")
        if "score" in result and verb not in ("passed", "failed"):
            raise Refused(f"a score on {verb}")
        timed = verb in ("completed", "passed", "failed", "terminated")
        if timed and not DURATION.match(str(result.get("duration", ""))):
            raise Refused(f"no ISO 8601 duration on {verb}")
        score = result.get("score") or {}
        for part in ("raw", "min", "max"):
            if part in score and score[part] != int(score[part]):
                raise Refused(f"score.{part} must be a whole number in cmi5")
        if verb in ("passed", "failed") and session.mastery is not None:
            given = (statement["context"].get("extensions") or {}).get(MASTERY)
            if given != session.mastery:
                raise Refused("no masteryScore extension equal to the launch data's")
            scaled = score.get("scaled")
            if scaled is not None and (scaled >= session.mastery) != (verb == "passed"):
                raise Refused(f"{verb} with a scaled score of {scaled} against {session.mastery}")

    # --- storing statements ------------------------------------------------------------------

    def store(self, statements: list[dict[str, Any]], token: str) -> int:
        """Store statements (all or none); the HTTP status to answer."""
        with self.lock:
            session = next((s for s in self.sessions.values() if s.token == token), None)
            if session is None:
                return 401
            known = {s["id"]: s for s in self.statements}
            fresh = []
            for statement in statements:
                old = known.get(statement.get("id", ""))
                if old is None:
                    fresh.append(statement)
                elif old != statement:
                    self.rejected.append(("another statement has this id", statement))
                    return 409
            trial = copy.deepcopy(session)
            key = (session.registration, session.activity_id)
            unit = copy.deepcopy(self.units.get(key, Unit()))
            for statement in fresh:
                try:
                    self.check(statement, trial, unit)
                except Refused as refused:
                    self.rejected.append((str(refused), statement))
                    return 400
            self.sessions[session.id] = trial
            self.units[key] = unit
            self.statements.extend(fresh)
            return 204

    # --- serving ---------------------------------------------------------------------------

    def handler(self) -> type[SimpleHTTPRequestHandler]:
        lms = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(lms.package.parent), **kwargs)

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def end_headers(self) -> None:
                self.send_header("Access-Control-Allow-Origin", "*")
                self.send_header("Access-Control-Allow-Headers",
                                 "Authorization, Content-Type, X-Experience-API-Version")
                self.send_header("Access-Control-Allow-Methods", "GET, PUT, POST, OPTIONS")
                self.send_header("Cache-Control", "no-store")
                super().end_headers()

            def do_OPTIONS(self) -> None:
                self.send_response(204)
                self.end_headers()

            def do_GET(self) -> None:
                if self.path.startswith("/lrs/"):
                    self.lrs("GET")
                elif self.path.startswith("/fetch/"):
                    self.answer(405, {"error": "POST only"})
                else:
                    super().do_GET()

            def do_PUT(self) -> None:
                self.lrs("PUT")

            def do_POST(self) -> None:
                if self.path.startswith("/fetch/"):
                    self.fetch()
                else:
                    self.lrs("POST")

            def body(self) -> bytes:
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def answer(self, status: int, data: Any = None) -> None:
                payload = b"" if data is None else json.dumps(data).encode()
                self.send_response(status)
                if data is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                with lms.lock:
                    lms.requests.append((self.command, self.path.split("?")[0], status))

            def fetch(self) -> None:
                self.body()
                with lms.lock:
                    session = lms.sessions.get(self.path.rsplit("/", 1)[-1])
                    if session is None:
                        self.answer(200, {"error-code": "2", "error-text": "Unknown session."})
                    elif session.fetched:
                        self.answer(200, {"error-code": "1",
                                          "error-text": "The authorization token has already been returned."})
                    else:
                        session.fetched = True
                        self.answer(200, {"auth-token": session.token})

            def lrs(self, method: str) -> None:
                if lms.down:
                    with lms.lock:
                        lms.cut.append((method, self.path.split("?")[0]))
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                resource = parts.path[len("/lrs/"):]
                body = self.body() if method in ("PUT", "POST") else b""
                if not self.headers.get("X-Experience-API-Version", "").startswith("1.0"):
                    self.answer(400, {"error": "no X-Experience-API-Version header"})
                    return
                auth = self.headers.get("Authorization", "")
                token = auth[len("Basic "):] if auth.startswith("Basic ") else ""
                if not token or not any(s.token == token for s in lms.sessions.values()):
                    self.answer(401, {"error": "bad token"})
                    return
                if resource == "statements":
                    self.statements(method, query, body, token)
                elif resource == "activities/state":
                    self.state(method, query, body)
                elif resource == "agents/profile" and method == "GET":
                    data = lms.profiles.get((agent_key(json.loads(query.get("agent", "{}"))),
                                             query.get("profileId", "")))
                    self.raw(data)
                else:
                    self.answer(404, {"error": "no such resource"})

            def raw(self, data: bytes | None) -> None:
                if data is None:
                    self.answer(404, {"error": "not found"})
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                with lms.lock:
                    lms.requests.append((self.command, self.path.split("?")[0], 200))

            def statements(self, method: str, query: dict[str, str], body: bytes, token: str) -> None:
                if method == "GET":
                    self.answer(200, {"statements": lms.statements})
                    return
                with lms.lock:
                    if lms.fail_statements > 0:
                        lms.fail_statements -= 1
                        self.answer(503, {"error": "the LRS is busy"})
                        return
                try:
                    data = json.loads(body)
                except ValueError:
                    self.answer(400, {"error": "not JSON"})
                    return
                if method == "PUT":
                    if not isinstance(data, dict) or data.get("id", query.get("statementId")) != query.get("statementId"):
                        self.answer(400, {"error": "PUT needs statementId matching the statement's id"})
                        return
                    data.setdefault("id", query["statementId"])
                batch = data if isinstance(data, list) else [data]
                status = lms.store(batch, token)
                self.answer(200 if status == 204 and method == "POST" else status,
                            [s.get("id") for s in batch] if status == 204 and method == "POST" else None)

            def state(self, method: str, query: dict[str, str], body: bytes) -> None:
                agent = agent_key(json.loads(query.get("agent", "{}")))
                key = ("state", query.get("activityId", ""), agent, query.get("registration", ""),
                       query.get("stateId", ""))
                if method == "GET":
                    self.raw(lms.documents.get(key))
                    return
                if query.get("stateId") == "LMS.LaunchData":
                    self.answer(403, {"error": "an AU must not change LMS.LaunchData"})
                    return
                try:
                    json.loads(body)
                except ValueError:
                    self.answer(400, {"error": "not JSON"})
                    return
                with lms.lock:
                    lms.documents[key] = body
                self.answer(204)

        return Handler


def agent_key(agent: dict[str, Any]) -> str:
    return json.dumps(agent, sort_keys=True)


def verb_of(statement: dict[str, Any]) -> str:
    return str(statement["verb"]["id"]).rsplit("/", 1)[-1]


@contextmanager
def running(package: Path) -> Iterator[Lms]:
    """The LMS serving ``package`` (an unzipped cmi5 package folder) on a free local port."""
    lms = Lms(package)
    server = ThreadingHTTPServer(("127.0.0.1", 0), lms.handler())
    lms.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield lms
    finally:
        server.shutdown()
        server.server_close()
