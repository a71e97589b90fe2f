"""attribute(text) on texts written here, bad input, the CLI and the training command."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import newsdistill
from newsdistill.attribution.crf import load_tagger


def test_offsets_index_the_given_text() -> None:
    text = "The mayor said the bridge would reopen in May. “We are nearly there,” she added."
    attributions = newsdistill.attribute(text)
    assert attributions
    for attribution in attributions:
        assert text[attribution.content.start : attribution.content.end] == attribution.content.text


@pytest.mark.parametrize(
    "text",
    [
        "",
        "‘‘‘ “ ” ’ '",
        "no sentences here at all",
        "“This quote never closes " + "and goes on " * 3000,
        "Le ministre a déclaré que la réforme serait adoptée. « C’est fini », a-t-il dit.",
        "said said said.",
    ],
)
def test_bad_input_gives_a_best_effort_result(text: str) -> None:
    attributions = newsdistill.attribute(text)
    assert isinstance(attributions, list)
    for attribution in attributions:
        assert text[attribution.content.start : attribution.content.end] == attribution.content.text


def test_attribute_command_prints_json(tmp_path: Path) -> None:
    page = tmp_path / "clean.txt"
    page.write_text("Officials warned that the river could flood again.", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "newsdistill.cli", "attribute", str(page)],
        capture_output=True,
        timeout=120,
        check=True,
    )
    payload = json.loads(result.stdout)
    [attribution] = payload["attributions"]
    assert attribution["source"]["text"] == "Officials"
    assert attribution["cue"]["text"] == "warned"
    assert attribution["content"]["text"].startswith("that the river could flood")


@pytest.mark.slow
def test_train_command_writes_a_working_model(tmp_path: Path, polnear_dir: Path) -> None:
    data = polnear_dir
    out = tmp_path / "model.crfsuite"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsdistill.cli",
            "train",
            "attribution",
            "--data",
            str(data),
            "--out",
            str(out),
            "--limit",
            "8",
            "--iterations",
            "20",
        ],
        capture_output=True,
        timeout=600,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode()
    assert out.stat().st_size > 10_000
    tagger = load_tagger(str(out))
    assert "B-CUE" in tagger.labels()


def test_train_command_without_data_is_a_usage_error(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "newsdistill.cli", "train", "attribution", "--data", str(tmp_path)],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert b"no PolNeAR train split" in result.stderr


def test_the_default_model_keeps_a_content_whole_past_its_comma() -> None:
    # A held-out run found "Brooks says he drank too much[, used drugs and ...]" cut at the comma; the default
    # (accurate) keeps the content whole, and the CLI gives the same model as the API.
    text = "Brooks says he drank too much, used drugs and was in and out of relationships. He is now sober."
    want = "he drank too much, used drugs and was in and out of relationships"
    assert [a.content.text for a in newsdistill.attribute(text)] == [want]
    assert [a.content.text for a in newsdistill.attribute(text, attribution="fast")] != [want]
    out = subprocess.run(
        [sys.executable, "-m", "newsdistill.cli", "attribute", "-"],
        input=text,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert [a["content"]["text"] for a in json.loads(out.stdout)["attributions"]] == [want]
