"""Distil an ensemble of accurate taggers into one, on one GPU, and score every step on PolNeAR dev.

1. Teachers: several seeds of the same run (`newsdistill train attribution --model accurate --shapes`),
   side by side, until `--teacher-deadline`.
2. The teachers' ensemble (logits averaged) is scored on dev: the level a student can hope to reach.
3. Students, side by side: the same encoder trained on the gold labels and on the teachers' averaged soft
   predictions (`--teachers`), some also on unlabelled news articles (`--unlabelled`), until `--deadline`.
4. Every epoch of every run is scored on dev (exact F1 of the tagger alone, as `tagger_sweep.py` does);
   the best student and the best teacher are written in half precision, in pieces small enough to copy
   back (`tagger_sweep.py --join` puts them together), with `distil.json` holding every score.

    python benchmarks/tagger_distil.py --data ../shared/data/polnear --encoder ENCODER_DIR \
        --unlabelled UNLABELLED_DIR --work /tmp/distil --out OUT

`--syntax --parse-cache FILE` makes teachers and students read the parse too (tagger_syntax; FILE holds
every text's parse, made where spaCy is installed, since the GPU machine has none); `--controls 0 1` trains
teachers without it beside them, for comparison; `--export` returns the best student's best and last
epochs as int8 ONNX in pieces instead of half-precision state dicts (stop 37's run, benchmarks/RESULTS.md).

`--soft-targets FILE --teacher-names A B` skips steps 1-2: the students read the teachers' outputs from FILE
(a work folder's soft-targets.pt, written where the teachers ran, e.g. by a CPU from shipped ONNX models),
and the best student's best and last epochs come back as int8 ONNX models, each in pieces of 15 MiB
(`cat model.onnx.* > model.onnx`).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import tagger_sweep

TEACHER_SEEDS = (0, 1, 2, 3)
LEARNING_RATE = 1e-4  # the sweeps' choice (benchmarks/RESULTS.md)
# name, distil weight, temperature, with unlabelled articles
STUDENTS = (
    ("student_w0.5_t2", 0.5, 2.0, False),
    ("student_w0.5_t2_unl", 0.5, 2.0, True),
    ("student_w0.8_t2_unl", 0.8, 2.0, True),
    ("student_w0.5_t1_unl", 0.5, 1.0, True),
)
# stop 37: teachers and students that read the parse too (--syntax), beside teachers without it
# (--controls) that teach nothing: the same recipe with and without the parse's ids
SYNTAX_STUDENTS = (
    ("syntax_student_w0.5_t1", 0.5, 1.0, True),
    ("syntax_student_w0.8_t1", 0.8, 1.0, True),
    ("syntax_student_w0.5_t2", 0.5, 2.0, True),
)
STUDENT_SEED = 10  # none of the teachers' seeds
# the second round (stop 26): teachers are the shipped student and the model before it, as ONNX, their
# outputs worked out on a CPU at temperature 1 (the first round's best student's)
STUDENTS_FROM_TARGETS = (
    ("round2_w0.5_t1", 0.5, 1.0, True),
    ("round2_w0.8_t1", 0.8, 1.0, True),
)


def train_teacher(args: argparse.Namespace, seed: int, syntax: bool | None = None) -> None:
    """One teacher: with the parse when --syntax (or `syntax`) says so; a control is one without."""
    syntax = args.syntax if syntax is None else syntax
    name = teacher_name(args, seed) if syntax == args.syntax else f"control_s{seed}"
    run_training(args, name, epochs=args.teacher_epochs, seed=seed, syntax=syntax)


def teacher_name(args: argparse.Namespace, seed: int) -> str:
    return f"syntax_teacher_s{seed}" if args.syntax else f"teacher_s{seed}"


def students_of(args: argparse.Namespace) -> tuple[tuple[str, float, float, bool], ...]:
    return SYNTAX_STUDENTS if args.syntax else STUDENTS


def train_student(
    args: argparse.Namespace, name: str, weight: float, temperature: float, unlabelled: bool
) -> None:
    run_training(
        args,
        name,
        epochs=args.student_epochs,
        seed=STUDENT_SEED,
        syntax=args.syntax,
        teachers=teachers_of(args),
        unlabelled=args.unlabelled if unlabelled else None,
        distil_weight=weight,
        temperature=temperature,
    )


def run_training(args: argparse.Namespace, name: str, **settings: Any) -> None:
    """One `train attribution --model accurate --shapes` run in its own work folder, logging to NAME.log;
    `settings`: the TrainConfig fields that differ between teachers and students."""
    import torch

    from newsdistill.attribution import tagger_training as training

    torch.backends.cuda.matmul.allow_tf32 = True  # MiniLM trains as well in TF32, at several times the speed
    config = training.TrainConfig(
        data=args.data,
        work=args.work / name,
        encoder=args.encoder,
        learning_rate=LEARNING_RATE,
        limit=args.limit,
        checkpoint_every=10**9,  # a GPU epoch takes seconds: per-epoch files are checkpoints enough
        threads=2,
        device=args.device,
        shapes=True,
        parse_cache=args.parse_cache,
        **settings,
    )
    with open(args.work / f"{name}.log", "w") as log:
        training.Trainer(config, log=lambda line: print(line, file=log, flush=True)).run()


def teachers_of(args: argparse.Namespace) -> tuple[Path, ...]:
    """The teachers' epochs, or with --soft-targets their names (the cache's key; nothing is loaded)."""
    if args.soft_targets is not None:
        return tuple(Path(name) for name in args.teacher_names)
    return tuple(last_epochs(args))


def last_epochs(args: argparse.Namespace) -> list[Path]:
    """Each teacher's last finished epoch."""
    found = []
    for seed in TEACHER_SEEDS:
        folder = args.work / teacher_name(args, seed)
        epochs = sorted(folder.glob("epoch*.pt"), key=lambda p: int(p.stem[5:]))
        if epochs:
            found.append(epochs[-1])
    return found


def ensemble_scores(args: argparse.Namespace, paths: list[Path]) -> dict[str, float]:
    """Dev exact F1 of the teachers' logits averaged."""
    import torch

    from newsdistill.attribution import tagger_training as training
    from newsdistill.attribution.polnear import read_split
    from newsdistill.attribution.tagger import Windowing
    from newsdistill.attribution.tagger_syntax import ParseCache

    device = training.pick_device(args.device)
    members = torch.nn.ModuleList()
    for path in paths:
        model = training.load_model(args.encoder, True, syntax=args.syntax)
        model.load_state_dict(torch.load(path, map_location="cpu"))
        members.append(model.to(device).eval())

    class Ensemble(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.members = members

        def forward(self, **inputs: Any) -> Any:
            class Out:
                logits = sum(m(**inputs).logits for m in self.members) / len(self.members)

            return Out()

    dev = list(read_split(args.data, "dev", None if args.limit is None else max(2, args.limit // 10)))
    tokenizer = training.load_tokenizer(args.encoder)
    parses = ParseCache(args.parse_cache) if args.syntax else None
    windowing = Windowing(256, 128, True, args.syntax)
    return training.evaluate(Ensemble(), tokenizer, dev, None, windowing, parses)


def run_side_by_side(targets: list[tuple[Any, tuple[Any, ...]]], deadline: float) -> None:
    context = multiprocessing.get_context("spawn")
    runs = [context.Process(target=target, args=arguments) for target, arguments in targets]
    for run in runs:
        run.start()
    for run in runs:
        run.join(max(0.0, deadline - time.monotonic()))
        if run.is_alive():
            run.terminate()
            run.join()


def table(args: argparse.Namespace, names: list[str] | None = None) -> list[dict[str, Any]]:
    teachers = [teacher_name(args, s) for s in TEACHER_SEEDS] + [f"control_s{s}" for s in args.controls]
    names = names or teachers + [name for name, *_ in students_of(args)]
    rows = []
    for name in names:
        history = args.work / name / "history.json"
        for h in json.loads(history.read_text()) if history.exists() else []:
            path = args.work / name / f"epoch{h['epoch']}.pt"
            rows.append({"name": f"{name}@{h['epoch']}", "paths": [str(path)], "dev": h["dev_exact_f1"]})
    return rows


def from_soft_targets(args: argparse.Namespace, started: float) -> int:
    """Students from precomputed teacher outputs; the best run's best and last epochs as int8 ONNX."""
    import shutil

    for name, *_ in STUDENTS_FROM_TARGETS:
        (args.work / name).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.soft_targets, args.work / name / "soft-targets.pt")
    run_side_by_side(
        [(train_student, (args, *row)) for row in STUDENTS_FROM_TARGETS], started + args.deadline
    )
    rows = table(args, [name for name, *_ in STUDENTS_FROM_TARGETS])
    rows.sort(key=tagger_sweep._mean, reverse=True)
    (args.out / "distil.json").write_text(json.dumps({"rows": rows}, indent=1))
    print_table(rows, started)
    if rows:
        export_best_and_last(args, rows[0]["name"].rsplit("@", 1)[0])
    return 0


def export_best_and_last(args: argparse.Namespace, run: str) -> None:
    from newsdistill.attribution import tagger_training as training

    history = json.loads((args.work / run / "history.json").read_text())
    best, last = training.best_epoch(history), history[-1]["epoch"]
    for label, epoch in (("best", best), ("last", last)):
        onnx = training.export(args.work / run, args.out / label, args.encoder, epoch)
        (args.out / label / "tokenizer.json").unlink()  # the shipped one: the same encoder's
        data = onnx.read_bytes()  # the device tool returns files of at most 16 MiB: `cat` joins the pieces
        for i in range(0, len(data), tagger_sweep.PIECE):
            onnx.with_name(f"model.onnx.{i // tagger_sweep.PIECE:02d}").write_bytes(
                data[i : i + tagger_sweep.PIECE]
            )
        onnx.unlink()
        print(f"exported {run} epoch {epoch} as {label}", flush=True)


def print_table(rows: list[dict[str, Any]], started: float) -> None:
    print(f"{'candidate':30} source   cue  content  mean   ({time.monotonic() - started:.0f} s)")
    for row in rows:
        d = row["dev"]
        mean = tagger_sweep._mean(row)
        print(f"{row['name']:30} {d['Source']:6.1f} {d['Cue']:5.1f} {d['Content']:8.1f} {mean:5.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--encoder", type=Path)
    parser.add_argument("--unlabelled", type=Path, required=True, help="a folder of .txt news articles")
    parser.add_argument("--work", type=Path, default=Path("/tmp/tagger-distil"))
    parser.add_argument("--out", type=Path, default=Path("tagger-distil-out"))
    parser.add_argument("--teacher-epochs", type=int, default=12)
    parser.add_argument("--student-epochs", type=int, default=12)
    parser.add_argument("--teacher-deadline", type=float, default=190, help="seconds from the start")
    parser.add_argument("--deadline", type=float, default=520, help="seconds from the start, all runs")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--limit", type=int, default=None, help="articles of train (smoke runs)")
    parser.add_argument("--soft-targets", type=Path, help="teacher outputs worked out elsewhere")
    parser.add_argument("--teacher-names", nargs="*", default=[], help="with --soft-targets: their key")
    parser.add_argument("--syntax", action="store_true", help="teachers and students read the parse too")
    parser.add_argument("--parse-cache", type=Path, help="with --syntax: the texts' parses (ParseCache)")
    parser.add_argument(
        "--controls", type=int, nargs="*", default=[], help="seeds of teachers without --syntax beside them"
    )
    parser.add_argument(
        "--export", action="store_true", help="the best student's best and last epochs as ONNX"
    )
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    if args.soft_targets is not None:
        return from_soft_targets(args, started)
    teacher_runs = [(train_teacher, (args, seed)) for seed in TEACHER_SEEDS]
    controls = [(train_teacher, (args, seed, False)) for seed in args.controls]
    run_side_by_side([*teacher_runs, *controls], started + args.teacher_deadline)
    teachers = last_epochs(args)
    if not teachers:
        print("no teacher finished an epoch", file=sys.stderr)
        return 1
    ensemble = ensemble_scores(args, teachers)
    print(f"ensemble of {[str(p.relative_to(args.work)) for p in teachers]}: {ensemble}", flush=True)
    students = [(train_student, (args, *row)) for row in students_of(args)]
    run_side_by_side(students, started + args.deadline)
    rows = table(args)
    rows.sort(key=tagger_sweep._mean, reverse=True)
    summary = {"ensemble": ensemble, "teachers": [str(p) for p in teachers], "rows": rows}
    (args.out / "distil.json").write_text(json.dumps(summary, indent=1))
    print_table(rows, started)
    best_student = next((r for r in rows if "student" in r["name"]), None)
    if args.export and best_student is not None:  # the device tool returns 8 files: these take 4-6
        export_best_and_last(args, best_student["name"].rsplit("@", 1)[0])
        return 0
    for prefix in ("student", "teacher"):
        best = next((r for r in rows if r["name"].startswith(prefix)), None)
        if best is not None:
            out = args.out / prefix
            out.mkdir(exist_ok=True)
            tagger_sweep.write_best(argparse.Namespace(out=out), best)
    return 0


if __name__ == "__main__":
    sys.exit(main())
