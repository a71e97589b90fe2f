"""The accurate model's run-time pieces: offsets, windows, decoding, the shipped files, bad input."""

from __future__ import annotations

import itertools
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

import newsdistill
from newsdistill.attribution import tagger
from newsdistill.errors import ModelFileError


@pytest.fixture(scope="module")
def shipped() -> tagger.Tagger:
    return tagger.load()


@pytest.mark.parametrize(
    "text",
    [
        'The minister 👩‍⚖️ said: "Café prices rose 🚀 sharply," adding that costs would fall.',
        "Zoë said the cafe\u0301 would re\u0301open; naïve voters (she claimed) agreed.",
        "东京 officials said the Ölmühle would close, according to the mayor.",
    ],
)
def test_every_span_indexes_the_text(shipped: tagger.Tagger, text: str) -> None:
    encoding = tagger.encode(shipped.tokenizer, text)
    for start, end in encoding.offsets:
        assert 0 <= start < end <= len(text)
    labels = [i % len(tagger.LABELS) for i in range(len(encoding.ids))]  # every label, in turn
    for _, start, end in tagger.label_spans(text, encoding.offsets, labels):
        assert 0 <= start < end <= len(text)
        assert not (start > 0 and text[start - 1].isalnum() and text[start].isalnum())  # whole words
        assert not (end < len(text) and text[end].isalnum() and text[end - 1].isalnum())


def test_windows_cover_every_token_with_overlap() -> None:
    for n in (0, 1, 253, 254, 255, 600, 1001):
        ranges = tagger.windows(n)
        covered = sorted({i for start, end in ranges for i in range(start, end)})
        assert covered == list(range(n))
        assert all(end - start <= tagger.WINDOW - 2 for start, end in ranges)
        for (_, end), (start, _) in itertools.pairwise(ranges):
            assert end - start >= tagger.WINDOW // 4  # neighbours share context


def test_token_shapes_show_case_and_line_breaks(shipped: tagger.Tagger) -> None:
    text = "NATO said:\n“Putin's army is weak,” in 2023."
    encoding = tagger.encode(shipped.tokenizer, text, shapes=True)
    classes = len(tagger.SHAPE_CLASSES)
    pieces = [
        (text[s:e], tagger.SHAPE_CLASSES[k % classes], k >= classes)
        for (s, e), k in zip(encoding.offsets, encoding.shapes, strict=True)
    ]
    shown = {piece: kind for piece, kind, _ in pieces}
    assert shown["NATO"] == "upper" and shown["said"] == "lower" and shown["Putin"] == "capitalised"
    assert shown["“"] == "quote" and shown[":"] == "punct" and shown["army"] == "lower"
    assert pieces[-2][1] == "word-piece" and pieces[-3][1] == "digit"  # 2023 in two pieces
    assert [piece for piece, _, broken in pieces if broken] == ["“"]  # the token after the line break
    assert all(0 <= k < tagger.SHAPES for k in encoding.shapes)


def test_a_word_split_into_pieces_marks_the_later_pieces() -> None:
    text = "Zbigniewski said"
    offsets = [(0, 4), (4, 8), (8, 11), (12, 16)]
    kinds = [tagger.SHAPE_CLASSES[k] for k in tagger.token_shapes(text, offsets)]
    assert kinds == ["capitalised", "word-piece", "word-piece", "lower"]


def test_window_batch_carries_shapes_only_when_asked() -> None:
    plain = tagger.window_batch([5, 6, 7], [(0, 2), (1, 3)], 101, 102)
    assert "shape_ids" not in plain
    shaped = tagger.window_batch([5, 6, 7], [(0, 2), (1, 3)], 101, 102, shapes=[3, 9, 4])
    assert shaped["shape_ids"].tolist() == [[0, 3, 9, 0], [0, 9, 4, 0]]  # [CLS] and [SEP] are 'special'


def test_merge_windows_averages_overlapping_logits() -> None:
    ranges = [(0, 3), (1, 4)]
    logits = np.zeros((2, tagger.WINDOW, 2), dtype=np.float32)
    logits[0, 1:4, 0] = 1.0  # row 0 of each window is [CLS]
    logits[1, 1:4, 0] = 3.0
    merged = tagger.merge_windows(logits, ranges, 4)
    assert merged[:, 0].tolist() == [1.0, 2.0, 2.0, 3.0]


def test_viterbi_never_continues_a_span_it_did_not_begin() -> None:
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(200, len(tagger.LABELS))).astype(np.float32)
    logits[:, tagger.LABELS.index("I-Content")] += 2.0  # the greedy choice would start with I- runs
    path = [tagger.LABELS[i] for i in tagger.viterbi(logits)]
    for previous, label in zip(["O", *path], path, strict=False):
        if label.startswith("I-"):
            assert previous in (f"B-{label[2:]}", label)


def test_learned_transitions_change_the_path_but_not_the_bio_rule() -> None:
    labels = tagger.LABELS
    logits = np.zeros((3, len(labels)), dtype=np.float32)
    logits[:, labels.index("O")] = 1.0
    logits[1, labels.index("I-Cue")] = 0.9  # alone, O O O wins
    assert [labels[i] for i in tagger.viterbi(logits)] == ["O", "O", "O"]
    transitions = np.zeros((len(labels), len(labels)), dtype=np.float32)
    transitions[labels.index("O"), labels.index("B-Cue")] = 5.0  # a CRF that likes cues after O
    logits[1, labels.index("B-Cue")] = 0.5
    assert [labels[i] for i in tagger.viterbi(logits, transitions)] == ["O", "B-Cue", "O"]
    transitions[labels.index("O"), labels.index("I-Cue")] = 50.0  # still never I- without B- first
    path = [labels[i] for i in tagger.viterbi(logits, transitions)]
    assert "I-Cue" not in path or path[path.index("I-Cue") - 1] in ("B-Cue", "I-Cue")


def test_transitions_of_the_wrong_shape_are_a_clear_error(tmp_path: Path) -> None:
    shutil.copytree(tagger.MODEL_DIR, tmp_path / "accurate")
    meta_path = tmp_path / "accurate" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta_path.write_text(json.dumps({**meta, "transitions": [[0.0, 1.0]]}))
    with pytest.raises(ModelFileError, match=r"transitions of shape"):
        tagger.Tagger(tmp_path / "accurate")


def test_shipped_model_is_small_and_names_its_labels() -> None:
    assert (tagger.MODEL_DIR / "model.onnx").stat().st_size <= 30_000_000
    assert tagger.load().meta["labels"] == list(tagger.LABELS)


def test_long_text_runs_in_windows(shipped: tagger.Tagger) -> None:
    sentence = "The governor said the budget would pass, aides told reporters on Tuesday. "
    text = sentence * 120  # about 2,000 tokens: eight windows or more
    spans = shipped.tag(text)
    assert all(text[start:end] for _, start, end in spans)
    assert max(end for _, _, end in spans) > len(text) // 2  # the end of the text was read too


@pytest.mark.parametrize("text", ["", "   \n\n ", "—", "Der Minister sagte, die Steuern würden steigen."])
def test_odd_text_gives_a_result_not_an_exception(text: str) -> None:
    attributions = newsdistill.attribute(text, attribution="accurate")
    assert all(text[a.content.start : a.content.end] == a.content.text for a in attributions)


def test_missing_model_file_names_the_file_and_the_command(tmp_path: Path) -> None:
    shutil.copytree(tagger.MODEL_DIR, tmp_path / "accurate")
    (tmp_path / "accurate" / "model.onnx").unlink()
    with pytest.raises(ModelFileError, match=r"model\.onnx.*newsdistill train attribution --model accurate"):
        tagger.Tagger(tmp_path / "accurate")


def test_corrupt_model_file_is_a_clear_error(tmp_path: Path) -> None:
    shutil.copytree(tagger.MODEL_DIR, tmp_path / "accurate")
    (tmp_path / "accurate" / "model.onnx").write_bytes(b"\x00not an onnx file" * 100)
    with pytest.raises(ModelFileError, match=r"model\.onnx"):
        tagger.Tagger(tmp_path / "accurate")
    (tmp_path / "accurate" / "tokenizer.json").write_text("{ broken")
    with pytest.raises(ModelFileError, match=r"tokenizer\.json"):
        tagger.Tagger(tmp_path / "accurate")


def test_unknown_model_name_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown attribution model 'huge'"):
        newsdistill.attribute("He said so.", attribution="huge")  # type: ignore[arg-type]


def _probabilities(rows: list[dict[str, float]]) -> np.ndarray:
    """Log-probabilities as logits: each row's named labels get their share, the rest a trace."""
    labels = tagger.LABELS
    out = np.full((len(rows), len(labels)), 1e-4, dtype=np.float32)
    for t, row in enumerate(rows):
        for label, p in row.items():
            out[t, labels.index(label)] = p
    return np.log(out / out.sum(axis=1, keepdims=True))


def test_decoding_continues_a_span_rather_than_restarting_its_role() -> None:
    rows = [{"B-Content": 0.9}, {"I-Content": 0.9}, {"B-Content": 0.5, "I-Content": 0.4, "O": 0.1}]
    path = [tagger.LABELS[i] for i in tagger.viterbi(_probabilities(rows))]
    assert path == ["B-Content", "I-Content", "I-Content"]  # greedily a second span would begin
    rows[2] = {"B-Source": 0.5, "I-Content": 0.4, "O": 0.1}
    path = [tagger.LABELS[i] for i in tagger.viterbi(_probabilities(rows))]
    assert path[2] == "B-Source"  # another role begins freely
