"""The test cmi5 LMS is strict: statements that break a cmi5 rule are refused.

Without this, the browser scenarios could pass against an LMS that accepts anything. Each
test here plays a misbehaving AU over HTTP and checks what the LMS answers and keeps.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from tests.lms.cmi5_lms import CATEGORY, LEARNER, MASTERY, MOVEON, SESSION, Lms, running

PUBLISHER = "urn:coursepack:t/au/m"


@pytest.fixture
def lms(tmp_path: Path) -> Iterator[Lms]:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "au.html").write_text("<!DOCTYPE html><title>au</title>", encoding="utf-8")
    with running(tmp_path / "pkg") as server:
        yield server


def call(method: str, url: str, body: Any = None, token: str = "", version: bool = True) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method)
    if version:
        request.add_header("X-Experience-API-Version", "1.0.3")
    if token:
        request.add_header("Authorization", f"Basic {token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request) as response:
            text = response.read()
            return response.status, json.loads(text) if text else None
    except urllib.error.HTTPError as failed:
        text = failed.read()
        return failed.code, json.loads(text) if text else None


class Au:
    """A hand-driven AU: the launch parameters, the token, the launch data."""

    def __init__(self, lms: Lms, **launch: Any) -> None:
        url = lms.launch("au.html", publisher_id=PUBLISHER, **launch)
        self.params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        status, answer = call("POST", self.params["fetch"])
        assert status == 200
        self.token = answer["auth-token"]
        query = urlencode({"stateId": "LMS.LaunchData", "activityId": self.params["activityId"],
                           "agent": self.params["actor"], "registration": self.params["registration"]})
        status, self.data = call("GET", f"{self.params['endpoint']}activities/state?{query}", token=self.token)
        assert status == 200

    def statement(self, verb: str, result: dict[str, Any] | None = None, defined: bool = True,
                  extra: dict[str, Any] | None = None) -> dict[str, Any]:
        context = json.loads(json.dumps(self.data["contextTemplate"]))
        context["registration"] = self.params["registration"]
        if defined:
            cats = [{"id": CATEGORY}] + ([{"id": MOVEON}] if verb in ("completed", "passed", "failed") else [])
            context["contextActivities"]["category"] = cats
        if extra:
            context["extensions"].update(extra)
        s: dict[str, Any] = {
            "id": str(uuid.uuid4()), "actor": LEARNER,
            "verb": {"id": f"http://adlnet.gov/expapi/verbs/{verb}"},
            "object": {"objectType": "Activity", "id": self.params["activityId"] if defined else "urn:q:1"},
            "timestamp": datetime.now(UTC).isoformat(), "context": context,
        }
        if result is not None:
            s["result"] = result
        return s

    def send(self, statement: dict[str, Any], token: str | None = None) -> int:
        url = f"{self.params['endpoint']}statements?" + urlencode({"statementId": statement["id"]})
        return call("PUT", url, statement, token=self.token if token is None else token)[0]


def test_a_second_fetch_gets_the_error_json_and_the_launch_data_is_there(lms: Lms) -> None:
    au = Au(lms, mastery=0.8, mode="Normal", move_on="Passed")
    assert call("POST", au.params["fetch"]) == (200, {
        "error-code": "1", "error-text": "The authorization token has already been returned."})
    assert au.data["masteryScore"] == 0.8 and au.data["launchMode"] == "Normal"
    assert SESSION in au.data["contextTemplate"]["extensions"]
    assert lms.verbs() == ["launched"]


def test_the_first_statement_must_be_initialized_and_nothing_follows_terminated(lms: Lms) -> None:
    au = Au(lms)
    assert au.send(au.statement("answered", {"response": "a"}, defined=False)) == 400
    assert au.send(au.statement("initialized")) == 204
    assert au.send(au.statement("initialized")) == 400  # no verb twice in a session
    assert au.send(au.statement("answered", {"response": "a"}, defined=False)) == 204
    assert au.send(au.statement("terminated", {"duration": "PT5S"})) == 204
    assert au.send(au.statement("answered", {"response": "b"}, defined=False)) == 400
    assert [r for r, _ in lms.rejected] == [
        "the first statement of a session must be initialized, not answered",
        "a second initialized in one session", "a statement after the session was terminated"]


@pytest.mark.parametrize(("verb", "result", "extra", "reason"), [
    ("completed", {"completion": True}, None, "no ISO 8601 duration on completed"),
    ("completed", {"completion": True, "success": True, "duration": "PT1S"}, None, "result.success on completed"),
    ("passed", {"success": True, "duration": "PT1S", "score": {"scaled": 0.9}}, None,
     "no masteryScore extension equal to the launch data's"),
    ("passed", {"success": True, "duration": "PT1S", "score": {"scaled": 0.5}}, {MASTERY: 0.8},
     "passed with a scaled score of 0.5 against 0.8"),
    ("failed", {"success": False, "duration": "PT1S", "score": {"raw": 1.5, "min": 0, "max": 3}},
     {MASTERY: 0.8}, "score.raw must be a whole number in cmi5"),
    ("satisfied", None, None, "satisfied is not a verb an AU may use in a cmi5 defined statement"),
])
def test_a_cmi5_defined_statement_breaking_a_rule_is_refused(
        lms: Lms, verb: str, result: dict[str, Any] | None, extra: dict[str, Any] | None, reason: str) -> None:
    au = Au(lms, mastery=0.8)
    assert au.send(au.statement("initialized")) == 204
    assert au.send(au.statement(verb, result, extra=extra)) == 400
    assert lms.rejected[-1][0] == reason


def test_completed_and_passed_go_once_per_registration_and_failed_never_after_passed(lms: Lms) -> None:
    first = Au(lms)
    registration = first.params["registration"]
    assert first.send(first.statement("initialized")) == 204
    assert first.send(first.statement("completed", {"completion": True, "duration": "PT1S"})) == 204
    assert first.send(first.statement("passed", {"success": True, "duration": "PT1S"})) == 204
    second = Au(lms, registration=registration)  # the first never terminated: abandoned
    assert lms.verbs().count("abandoned") == 1
    assert first.send(first.statement("terminated", {"duration": "PT1S"})) == 400
    assert second.send(second.statement("initialized")) == 204
    assert second.send(second.statement("completed", {"completion": True, "duration": "PT1S"})) == 400
    assert second.send(second.statement("failed", {"success": False, "duration": "PT1S"})) == 400
    assert [r for r, _ in lms.rejected] == [
        "a statement after the session was abandoned", "a second completed in the registration",
        "failed after passed in the registration"]


def test_browse_mode_refuses_verdicts_and_a_foreign_token_or_missing_header_is_refused(lms: Lms) -> None:
    au = Au(lms, mode="Browse")
    assert au.send(au.statement("initialized"), token="not-a-token") == 401
    statement = au.statement("initialized")
    url = f"{au.params['endpoint']}statements?" + urlencode({"statementId": statement["id"]})
    assert call("PUT", url, statement, token=au.token, version=False)[0] == 400
    assert au.send(statement) == 204
    assert au.send(statement) == 204  # the same statement again changes nothing
    assert au.send(au.statement("completed", {"completion": True, "duration": "PT1S"})) == 400
    assert lms.rejected[-1][0] == "completed in Browse mode"
    changed = dict(statement, timestamp="2030-01-01T00:00:00Z")
    assert au.send(changed) == 409
    assert lms.verbs() == ["launched", "initialized"]
