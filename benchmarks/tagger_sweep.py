"""Choose the accurate tagger's training settings on PolNeAR dev: several runs side by side on one GPU.

Each setting (learning rate, epochs, batch, seed) is a `newsdistill train attribution --model accurate`
run in its own work folder and process; every epoch is scored on dev (exact F1 of the tagger alone, the
same windows and Viterbi decoding the shipped model runs). Averaged weights are scored too: the last
three epochs of a run, and the final weights of runs that differ only by seed. The best candidate by
mean F1 over the three roles is written in half precision, in pieces small enough to copy back, with
`sweep.json` holding every score. Runs stop at the deadline; epochs finished by then are kept.

    python benchmarks/tagger_sweep.py --data ../shared/data/polnear/data --encoder ENCODER_DIR \
        --work /tmp/sweep --out OUT --deadline 420

`--join OUT` puts the pieces back together into a state dict that `newsdistill train attribution
--export-only` style export reads (see `export_state` below).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

GRID = [
    # name, learning rate, epochs, batch size, seed, CRF layer, token shapes, window
    ("base_e15_s0", 1e-4, 15, 16, 0, False, False, 256),
    ("shape_e15_s0", 1e-4, 15, 16, 0, False, True, 256),
    ("shape_e15_s1", 1e-4, 15, 16, 1, False, True, 256),
    ("shape_e15_s2", 1e-4, 15, 16, 2, False, True, 256),
    ("shape_lr1.5e-4_e15_s0", 1.5e-4, 15, 16, 0, False, True, 256),
    ("shape_w384_e15_s0", 1e-4, 15, 16, 0, False, True, 384),
    ("base_w384_e15_s0", 1e-4, 15, 16, 0, False, False, 384),
    ("shape_w384_e15_s1", 1e-4, 15, 16, 1, False, True, 384),
    ("shape_w384_e15_s2", 1e-4, 15, 16, 2, False, True, 384),
    ("shape_w512_e15_s0", 1e-4, 15, 16, 0, False, True, 512),
]
# The first sweep (2026-11-27, one H100, 370 s): lr 5e-5 / 1e-4 / 2e-4 / 3e-4, 8 / 15 / 25 epochs, batch 16 /
# 32, seeds 0-2, no CRF; the best: lr 1e-4, epoch 13 of 25 (dev 78.7 / 73.3 / 66.4). The second: a CRF layer
# against none at equal epochs (no difference beyond seed noise). The third (token shapes, wider windows):
# benchmarks/RESULTS.md.
SEED_GROUPS: dict[str, list[str]] = {}
PIECE = 15 * 1024 * 1024  # the device tool copies back files of at most 16 MiB


def train_one(
    args: argparse.Namespace,
    name: str,
    lr: float,
    epochs: int,
    batch: int,
    seed: int,
    crf: bool,
    shapes: bool,
    window: int,
) -> None:
    import torch

    from newsdistill.attribution import tagger_training as training

    torch.backends.cuda.matmul.allow_tf32 = True  # MiniLM trains as well in TF32, at several times the speed
    config = training.TrainConfig(
        data=args.data,
        work=args.work / name,
        encoder=args.encoder,
        epochs=epochs,
        batch_size=batch,
        learning_rate=lr,
        seed=seed,
        limit=args.limit,
        checkpoint_every=10**9,  # a GPU epoch takes seconds: per-epoch files are checkpoints enough
        threads=2,
        device=args.device,
        crf=crf,
        shapes=shapes,
        window=window,
    )
    with open(args.work / f"{name}.log", "w") as log:
        training.Trainer(config, log=lambda line: print(line, file=log, flush=True)).run()


def averaged(paths: list[Path]) -> dict[str, Any]:
    import torch

    states = [torch.load(p, map_location="cpu") for p in paths]
    return {key: sum(s[key].float() for s in states) / len(states) for key in states[0]}


def score_state(
    args: argparse.Namespace, state: dict[str, Any], dev: list[Any], window: int, transitions: Any = None
) -> dict[str, float]:
    from newsdistill.attribution import tagger_training as training
    from newsdistill.attribution.tagger import Windowing

    shapes = training.has_shapes(state)
    model = training.load_model(args.encoder, shapes)
    model.load_state_dict(state)
    model.to(training.pick_device(args.device))
    windowing = Windowing(window, window // 2, shapes)
    return training.evaluate(model, training.load_tokenizer(args.encoder), dev, transitions, windowing)


def window_of(name: str) -> int:
    return next(row[-1] for row in GRID if row[0] == name.rsplit("@", 1)[0])


def candidates(args: argparse.Namespace) -> list[dict[str, Any]]:
    """Every finished epoch of every run, with its dev scores."""
    found = []
    for name, *_ in GRID:
        history = args.work / name / "history.json"
        if history.exists():
            for h in json.loads(history.read_text()):
                path = args.work / name / f"epoch{h['epoch']}.pt"
                found.append(
                    {
                        "name": f"{name}@{h['epoch']}",
                        "paths": [str(path)],
                        "dev": h["dev_exact_f1"],
                        "window": window_of(name),
                    }
                )
                crf = path.with_name(f"epoch{h['epoch']}-transitions.npy")
                if crf.exists():
                    found[-1]["transitions"] = np.load(crf).tolist()
    return found


def averaged_candidates(args: argparse.Namespace, single: list[dict[str, Any]]) -> list[dict[str, Any]]:
    from newsdistill.attribution.polnear import read_split

    dev = list(read_split(args.data, "dev", None if args.limit is None else max(2, args.limit // 10)))
    groups: dict[str, tuple[list[str], int]] = {}
    for name, *_ in GRID:
        epochs = [c for c in single if c["name"].startswith(name + "@")]
        if len(epochs) >= 3 and "transitions" not in epochs[-1]:  # CRF runs: each epoch's own transitions
            groups[f"last3_{name}"] = ([p for c in epochs[-3:] for p in c["paths"]], window_of(name))
    for group, members in SEED_GROUPS.items():
        finals = [
            max((c for c in single if c["name"].startswith(m + "@")), key=_epoch, default=None)
            for m in members
        ]
        if all(finals) and len({_epoch(f) for f in finals}) == 1:  # type: ignore[arg-type]
            groups[group] = ([f["paths"][0] for f in finals], window_of(members[0]))  # type: ignore[index]
    return [
        {
            "name": group,
            "paths": paths,
            "window": window,
            "dev": score_state(args, averaged([Path(p) for p in paths]), dev, window),
        }
        for group, (paths, window) in groups.items()
    ]


def _epoch(candidate: dict[str, Any]) -> int:
    return int(candidate["name"].rsplit("@", 1)[1])


def _is_last(candidate: dict[str, Any], table: list[dict[str, Any]]) -> bool:
    run = candidate["name"].rsplit("@", 1)[0]
    return _epoch(candidate) == max(_epoch(c) for c in table if c["name"].startswith(run + "@"))


def _mean(candidate: dict[str, Any]) -> float:
    return sum(candidate["dev"].values()) / 3


def write_best(args: argparse.Namespace, best: dict[str, Any]) -> None:
    import io

    import torch

    state = {k: v.half() for k, v in averaged([Path(p) for p in best["paths"]]).items()}
    buffer = io.BytesIO()
    torch.save(state, buffer)
    data = buffer.getvalue()
    for i in range(0, len(data), PIECE):
        (args.out / f"best.pt.{i // PIECE:02d}").write_bytes(data[i : i + PIECE])
    if "transitions" in best:
        np.save(args.out / "best-transitions.npy", np.asarray(best["transitions"], dtype=np.float32))


def join(out: Path, target: Path) -> None:
    """Put best.pt.NN back together as a float32 state dict at `target`."""
    import io

    import torch

    data = b"".join(p.read_bytes() for p in sorted(out.glob("best.pt.[0-9][0-9]")))
    state = torch.load(io.BytesIO(data), map_location="cpu")
    torch.save({k: v.float() for k, v in state.items()}, target)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path)
    parser.add_argument("--encoder", type=Path)
    parser.add_argument("--work", type=Path, default=Path("/tmp/tagger-sweep"))
    parser.add_argument("--out", type=Path, default=Path("tagger-sweep-out"))
    parser.add_argument("--deadline", type=float, default=420, help="seconds for training, all runs")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--limit", type=int, default=None, help="articles of train (smoke runs)")
    parser.add_argument("--only", nargs="*", help="names from the grid to run (default: all)")
    parser.add_argument("--join", type=Path, help="join the pieces in --out into this state-dict file")
    args = parser.parse_args()
    if args.join:
        join(args.out, args.join)
        return 0
    args.work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    context = multiprocessing.get_context("spawn")
    runs = [
        context.Process(target=train_one, args=(args, *row))
        for row in GRID
        if not args.only or row[0] in args.only
    ]
    for run in runs:
        run.start()
    for run in runs:
        run.join(max(0.0, args.deadline - (time.monotonic() - started)))
        if run.is_alive():
            run.terminate()
    single = candidates(args)
    table = single + averaged_candidates(args, single)
    table.sort(key=_mean, reverse=True)
    if not table:
        print("no epoch finished", file=sys.stderr)
        return 1
    write_best(args, table[0])
    (args.out / "sweep.json").write_text(json.dumps(table, indent=1))
    print(f"{'candidate':34} source   cue  content  mean   ({time.monotonic() - started:.0f} s)")
    for c in [*table[:20], *(c for c in table[20:] if c["name"].count("@") and _is_last(c, table))]:
        d = c["dev"]
        print(f"{c['name']:34} {d['Source']:6.1f} {d['Cue']:5.1f} {d['Content']:8.1f} {_mean(c):5.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
