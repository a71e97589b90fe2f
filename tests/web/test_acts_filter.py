"""who-said by act, on a real store: `newsdistill who-said --act` in a real subprocess, `/api/who-said?act=`
and the entity page on a real server. Quotes (speech, writing) by default; a bad act is a usage error or
a 400, never a 500."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from collections.abc import Iterator
from csv import DictReader
from pathlib import Path

import httpx
import pytest

from newsdistill.web.app import create_app

from ..corpus.test_acts import SPEAKER, STATEMENTS, said_store
from .conftest import serving

SAID = {act: content for _, content, act in STATEMENTS}


@pytest.fixture(scope="module")
def acts_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return said_store(tmp_path_factory.mktemp("acts") / "corpus.db")


@pytest.fixture(scope="module")
def acts_server(acts_db: Path) -> Iterator[str]:
    with serving(create_app(acts_db)) as base:
        yield base


def who_said(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "newsdistill.cli", "who-said", SPEAKER, "--db", str(db), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_cli_lists_quotes_by_default_and_other_acts_on_request(acts_db: Path) -> None:
    default = json.loads(who_said(acts_db, "--format", "json").stdout)
    assert [r["act"] for r in default] == ["speech", "writing"]
    asked = json.loads(who_said(acts_db, "--act", "thought,evidence", "--format", "json").stdout)
    assert [(r["act"], r["content"]) for r in asked] == [
        ("thought", SAID["thought"]),
        ("evidence", SAID["evidence"]),
    ]


def test_cli_refuses_an_unknown_act_as_a_usage_error(acts_db: Path) -> None:
    wrong = who_said(acts_db, "--act", "speech,shouting")
    assert wrong.returncode == 2
    assert "unknown act 'shouting'" in wrong.stderr and "Traceback" not in wrong.stderr


def test_api_filters_by_act(acts_server: str) -> None:
    url = f"{acts_server}/api/who-said"
    default = httpx.get(url, params={"name": SPEAKER}).json()
    assert [r["act"] for r in default] == ["speech", "writing"]
    thoughts = httpx.get(url, params={"name": SPEAKER, "act": "thought"}).json()
    assert [r["content"] for r in thoughts] == [SAID["thought"]]
    every = httpx.get(url, params={"name": SPEAKER, "act": "speech,writing,thought,evidence"}).json()
    assert len(every) == 4
    csv = httpx.get(url, params={"name": SPEAKER, "act": "evidence", "format": "csv"}).text
    rows = list(DictReader(io.StringIO(csv)))
    assert [row["act"] for row in rows] == ["evidence"]


@pytest.mark.parametrize("act", ["shouting", "", ",", "speech;writing"])
def test_api_and_pages_answer_a_bad_act_with_400(acts_server: str, act: str) -> None:
    api = httpx.get(f"{acts_server}/api/who-said", params={"name": SPEAKER, "act": act})
    assert api.status_code == 400 and "act" in api.text
    page = httpx.get(f"{acts_server}/entities", params={"name": SPEAKER, "act": act})
    assert page.status_code == 400


def test_entity_page_shows_quotes_by_default_and_links_to_the_other_acts(acts_server: str) -> None:
    page = httpx.get(f"{acts_server}/entities", params={"name": SPEAKER}).text
    assert SAID["speech"] in page and SAID["writing"] in page and SAID["thought"] not in page
    assert "act=speech,writing,thought" in page  # the link that adds thoughts
    entity_id = httpx.get(f"{acts_server}/api/entities", params={"name": SPEAKER}).json()[0]["id"]
    asked = httpx.get(f"{acts_server}/entities/{entity_id}", params={"act": "thought"}).text
    assert SAID["thought"] in asked and SAID["speech"] not in asked
    assert httpx.get(f"{acts_server}/entities/{entity_id}", params={"act": "gossip"}).status_code == 400
