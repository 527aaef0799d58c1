"""The ``chordview`` command line: parses arguments, calls the library, writes files.

Heavy modules (TensorFlow, librosa) are imported only inside the subcommands, so ``--help`` is
instant. Every :class:`ChordviewError` becomes one line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from chordview import __version__
from chordview.errors import ChordviewError, ModelError
from chordview.export import FORMATS

if TYPE_CHECKING:
    from chordview.features import FeatureSpec


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="chordview",
        description="Chord analysis with a fully convolutional UNet and structured heads.",
    )
    p.add_argument("--version", action="version", version=f"chordview {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    a = sub.add_parser("analyze", help="analyse audio files and write JAMS/LAB chord files")
    a.add_argument("paths", nargs="*", metavar="PATH", help="audio files or folders")
    a.add_argument(
        "--demo",
        action="store_true",
        help="also analyse the bundled demo song (its outputs go to the current folder by default)",
    )
    a.add_argument(
        "--model",
        default="unet",
        help="bundled model name (unet, cr2) or a path to a bundle or .keras file (default: unet)",
    )
    a.add_argument(
        "--format", default="jams,lab", help="comma-separated: jams, lab (default: both)"
    )
    a.add_argument(
        "-o",
        "--output-dir",
        type=Path,
        help="folder for the outputs (default: beside each audio file)",
    )
    a.add_argument("--overwrite", action="store_true", help="replace existing output files")
    a.add_argument("--device", default="auto", choices=("auto", "cpu", "gpu"))
    a.add_argument(
        "--fast",
        action="store_true",
        help="run the network once instead of averaging over the model's pitch shifts "
        "(about 3x faster, slightly less accurate)",
    )
    a.add_argument("-q", "--quiet", action="store_true", help="no progress bar")

    c = sub.add_parser("check-model", help="check that a model fits the structured-output contract")
    c.add_argument("path", help="a .keras file, a bundle folder or a bundled model name")

    sub.add_parser("models", help="list the bundled models with their provenance and scores")
    sub.add_parser("demo", help="open the window on the bundled demo song")

    r = sub.add_parser("render", help="draw the views of an analysed song to a PNG picture")
    r.add_argument("path", metavar="PATH", help="audio file")
    r.add_argument("-o", "--output", type=Path, required=True, help="picture to write (.png)")
    r.add_argument("--model", default="unet", help="bundled model name or a path (default: unet)")
    r.add_argument("--device", default="auto", choices=("auto", "cpu", "gpu"))
    r.add_argument("--overwrite", action="store_true", help="replace an existing picture")

    e = sub.add_parser(
        "evaluate", help="score a model on a folder of audio with .jams/.lab references"
    )
    e.add_argument(
        "folder", type=Path, help="audio files with a .jams or .lab of the same name beside them"
    )
    e.add_argument("--model", default="unet")
    e.add_argument("--device", default="auto", choices=("auto", "cpu", "gpu"))
    e.add_argument(
        "-o", "--output", type=Path, help="write OUTPUT.md (table) and OUTPUT.json (all scores)"
    )
    e.add_argument(
        "--record", metavar="SET", help="store the summary in the bundle's scores under SET"
    )
    e.add_argument("--overwrite", action="store_true", help="replace existing OUTPUT files")
    e.add_argument(
        "--fast", action="store_true", help="one network pass per file, no pitch-shift averaging"
    )

    t = sub.add_parser("train", help="train a model on a folder of audio + JAMS and write a bundle")
    t.add_argument("data", type=Path, help="training folder: audio files with .jams beside them")
    t.add_argument("--arch", default="unet", help="architecture: unet or cr2")
    t.add_argument("-o", "--output", type=Path, required=True, help="bundle folder to write")
    t.add_argument("--val", type=Path, help="validation folder (audio + .jams)")
    t.add_argument(
        "--run-dir", type=Path, help="checkpoints and logs; re-run to resume (default: OUTPUT.run)"
    )
    t.add_argument("--epochs", type=int, default=12)
    t.add_argument("--steps", type=int, default=200, help="batches per epoch")
    t.add_argument("--batch-size", type=int, default=8)
    t.add_argument("--frames", type=int, default=128, help="frames per training excerpt")
    t.add_argument("--lr", type=float, default=1e-3)
    t.add_argument(
        "--lr-schedule",
        choices=["plateau", "cosine"],
        default="plateau",
        help="plateau: halve the rate after 2 epochs without progress; cosine: decay it from "
        "--lr to --lr/100 over the epochs (default: plateau)",
    )
    t.add_argument("--seed", type=int, default=0)
    t.add_argument(
        "--hp",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="architecture hyper-parameter (JSON value), repeatable",
    )
    t.add_argument(
        "--harmonics",
        default="1",
        metavar="H,H,...",
        help="input channels: a CQT starting at each multiple of the lowest note (default: 1, the "
        "plain CQT; 0.5,1,2,3 gives a harmonic CQT)",
    )
    t.add_argument("--workers", type=int, default=2, help="processes for feature caching")
    return p


def _parse_hp(items: list[str]) -> dict:
    import json

    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep:
            raise ChordviewError(f"--hp expects KEY=VALUE, got {item!r}")
        try:
            out[key] = json.loads(value)
        except json.JSONDecodeError:
            out[key] = value
    return out


def _parse_harmonics(text: str) -> FeatureSpec:
    from chordview.features import FeatureSpec

    try:
        return FeatureSpec(harmonics=tuple(float(h) for h in text.split(",")))
    except ValueError as exc:
        raise ChordviewError(f"--harmonics {text!r}: {exc}") from None


def _cmd_train(args) -> int:
    from chordview.training.train import TrainConfig, train

    spec = _parse_harmonics(args.harmonics)
    config = TrainConfig(
        architecture=args.arch,
        hyper_parameters=_parse_hp(args.hp),
        epochs=args.epochs,
        steps_per_epoch=args.steps,
        batch_size=args.batch_size,
        seq_frames=args.frames,
        learning_rate=args.lr,
        lr_schedule=args.lr_schedule,
        seed=args.seed,
    )
    run_dir = args.run_dir or args.output.with_name(args.output.name + ".run")
    import shlex

    command = "chordview " + " ".join(shlex.quote(a) for a in args.argv)
    out = train(
        data_dir=args.data,
        out=args.output,
        run_dir=run_dir,
        config=config,
        val_dir=args.val,
        spec=spec,
        workers=args.workers,
        provenance={"command": command},
        log=lambda msg: print(msg, flush=True),
    )
    print(f"wrote {out}")
    return 0


def _say(text: str, *, end: str = "\n") -> None:
    """Write to stderr, whatever state it is in: closed (``2>&-``), full (``2>/dev/full``) or
    gone. Messages are a courtesy; losing one must never stop the work."""
    stream = sys.stderr
    if stream is None:
        return
    try:
        stream.write(text + end)
        stream.flush()
    except (OSError, ValueError):  # ENOSPC, EBADF, EPIPE, a closed file
        pass


def _isatty(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (OSError, ValueError):
        return False


class _Bar:
    """A one-line progress bar on stderr (plain lines when stderr is not a terminal)."""

    def __init__(self, *, quiet: bool):
        self.quiet = quiet
        self.tty = _isatty(sys.stderr)

    def update(self, index: int, total: int, name: str, stage: str, fraction: float) -> None:
        if self.quiet or not self.tty:
            return
        from chordview.analysis import STAGES

        step = STAGES.index(stage) if stage in STAGES else 0
        done = (index + (step + fraction) / len(STAGES)) / total
        filled = int(done * 30)
        line = f"\r[{'#' * filled}{'.' * (30 - filled)}] {index + 1}/{total} {name[-40:]} {stage}"
        _say(line.ljust(100)[:100], end="")

    def line(self, text: str) -> None:
        if self.quiet:
            return
        _say(("\r" + " " * 100 + "\r" if self.tty else "") + text)


def _cmd_analyze(args) -> int:
    from chordview.errors import OutputError

    if args.demo:
        from chordview.assets import demo_song

        args.paths = [*args.paths, str(demo_song())]
        if args.output_dir is None:  # never write into the installed package
            args.output_dir = Path.cwd()
    if not args.paths:
        raise ChordviewError("nothing to analyse: give audio files or folders, or --demo")
    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    bad = [f for f in formats if f not in FORMATS]
    if bad or not formats:
        raise ChordviewError(
            f"unknown format {','.join(bad) or '(none)'}; use jams, lab or jams,lab"
        )
    if args.output_dir is not None:
        if not args.output_dir.exists():
            try:
                args.output_dir.mkdir(parents=True)
            except OSError as exc:
                raise OutputError(f"cannot create {args.output_dir} ({exc.strerror})") from None
        elif not args.output_dir.is_dir():
            raise OutputError(f"{args.output_dir} is not a folder")
    from chordview.batch import analyze_files

    bar = _Bar(quiet=args.quiet)

    def written(audio, analysis, paths) -> None:
        names = ", ".join(str(p) for p in paths)
        bar.line(f"{audio}: {len(analysis.segments)} chords ({analysis.model['name']} on "
                 f"{analysis.model['device']}) -> {names}")  # fmt: skip

    result = analyze_files(
        args.paths, formats=formats, output_dir=args.output_dir, overwrite=args.overwrite,
        model=args.model, device=args.device, fast=args.fast, progress=bar.update,
        on_written=written, on_failure=lambda f: bar.line(f"failed: {f.message}"),
    )  # fmt: skip
    n = result.n_inputs
    summary = f"analysed {len(result.written)} of {n} file{'s' if n != 1 else ''}"
    if result.failures:
        _say(f"{summary}; {len(result.failures)} failed:")
        for failure in result.failures:
            _say(f"  {failure.message}")
    elif not args.quiet:
        _say(summary)
    return result.exit_code


def _cmd_models(args) -> int:
    from chordview.bundle import bundled_dir, bundled_names, decoder_settings, read_meta

    names = bundled_names()
    if not names:
        print("no bundled models found")
        return 1
    for name in names:
        meta = read_meta(bundled_dir() / name)
        prov = meta.get("provenance", {})
        print(
            f"{name}  v{meta.get('version', '?')}  {meta['architecture']}  "
            f"{meta.get('n_parameters', 0):,} parameters  sha256 {meta['weights']['sha256'][:12]}"
        )
        if prov:
            print(
                f"  trained: {prov.get('training_hours', '?')} h of {prov.get('trained_on', '?')}, "
                f"{prov.get('config', {}).get('epochs', '?')} epochs, best epoch {prov.get('best_epoch', '?')}, "
                f"{prov.get('train_seconds', '?')} s"
            )
            if prov.get("command"):
                print(f"  command: {prov['command']}")
        try:
            dec = decoder_settings(meta.get("decoder", {}), where=name)
        except ModelError as exc:
            print(f"  decoder: unusable ({exc})")
        else:
            shifts = dec["pitch_shifts"]
            print(f"  decoder: self-transition {dec['self_transition']}, "
                  + ("no pitch-shift averaging" if shifts == [0] else "outputs averaged over pitch "
                     "shifts " + " ".join(f"{v:+d}" for v in shifts)))  # fmt: skip
        for set_name, scores in meta.get("scores", {}).items():
            shown = ", ".join(f"{k} {v:.3f}" for k, v in scores.items() if isinstance(v, float))
            by = scores.get("scored_with")
            by = (f" (scored {by.get('date', '?')} by chordview {by.get('git_commit', '?')})"
                  if isinstance(by, dict) else "")  # fmt: skip
            print(f"  scores on {set_name}: {shown}{by}")
    return 0


def _evaluation_outputs(output: Path, *, overwrite: bool) -> dict[str, Path]:
    """OUTPUT.md and OUTPUT.json (an OUTPUT ending in .md or .json names both), checked before
    the evaluation: the folder exists and is writable, and no file is replaced unasked."""
    from chordview.errors import OutputError
    from chordview.export import check_targets

    if output.is_dir() or not output.name or output.name in (".", ".."):
        raise OutputError(f"-o {output}: give a file name without extension (OUTPUT.md and "
                          "OUTPUT.json are written), not a folder")  # fmt: skip
    base = output.with_suffix("") if output.suffix in (".md", ".json") else output
    paths = {"md": base.with_name(base.name + ".md"), "json": base.with_name(base.name + ".json")}
    check_targets(paths, overwrite=overwrite)
    return paths


def _cmd_evaluate(args) -> int:
    import json

    from chordview.errors import OutputError, first_line
    from chordview.evaluation import (
        CHORD_METRICS,
        evaluate_folder,
        markdown_table,
        record_scores,
        recordable_bundle,
    )
    from chordview.files import write_files

    # what would fail after the evaluation is checked before it
    outputs = _evaluation_outputs(args.output, overwrite=args.overwrite) if args.output else {}
    bundle_dir = recordable_bundle(args.model) if args.record else None

    def show(name, scores):
        print(f"{name}: " + " ".join(f"{m} {scores[m]:.3f}" for m in CHORD_METRICS), flush=True)

    codes = []

    def failed(name, exc):
        codes.append(exc.exit_code)
        print(f"{name}: failed: {first_line(exc)}", flush=True)

    res = evaluate_folder(args.folder, model=args.model, device=args.device, fast=args.fast,
                          on_track=show, on_failure=failed)  # fmt: skip
    failures = res["failures"]
    table = (
        markdown_table({f"{args.model} (duration-weighted)": res})
        + markdown_table({f"{args.model} (per-track mean)": res}, which="mean").split("\n", 2)[2]
    )
    print(f"\n{res['n_tracks']} tracks in {args.folder}\n\n{table}")
    if outputs:
        try:
            write_files({outputs["md"]: table, outputs["json"]: json.dumps(res, indent=2)},
                        overwrite=args.overwrite)  # fmt: skip
        except FileExistsError as exc:
            raise OutputError(f"{exc.filename} exists; pass --overwrite to replace it") from None
        except OSError as exc:
            raise OutputError(f"cannot write {outputs['md']} ({exc.strerror or exc})") from None
        print(f"wrote {outputs['md']} and {outputs['json']}")
    if failures:
        _say(f"scored {res['n_tracks']} of {res['n_tracks'] + len(failures)} tracks; "
             f"{len(failures)} failed:")  # fmt: skip
        for name, text in failures.items():
            _say(f"  {name}: {text}")
        if bundle_dir is not None:
            _say(f"not recorded in {bundle_dir}: a record must cover the whole set")
        return codes[0]
    if bundle_dir is not None:
        replaced = record_scores(bundle_dir, args.record, res["weighted"],
                                 n_tracks=res["n_tracks"], folder=args.folder,
                                 pitch_shifts=res["pitch_shifts"])  # fmt: skip
        print(f"recorded as {args.record!r} in {bundle_dir}"
              + (" (replacing the earlier record)" if replaced else ""))  # fmt: skip
    return 0


def _cmd_check_model(args) -> int:
    from chordview.check import check_path

    report = check_path(args.path)
    for line in report.lines():
        print(line)
    return 0 if report.fits else 2


def _cmd_render(args) -> int:
    from chordview.gui.render import render_file  # the GUI package is imported only here

    out = render_file(args.path, args.output, model=args.model, device=args.device,
                      overwrite=args.overwrite)
    print(f"wrote {out}")
    return 0


def _cmd_demo(args) -> int:
    from chordview.assets import demo_song
    from chordview.gui import main as gui_main

    return gui_main(str(demo_song()))


def _gui_request(parser: argparse.ArgumentParser, argv: list[str]) -> list[str] | None:
    """``[]`` or ``[audio]`` when the window is wanted: no arguments, or one non-command path."""
    if not argv:
        return []
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    single = len(argv) == 1 and not argv[0].startswith("-") and argv[0] not in sub.choices
    if single and Path(argv[0]).is_file():  # a typo of a command still gets argparse's message
        return argv
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``chordview`` script; returns the exit status."""
    import multiprocessing

    multiprocessing.freeze_support()  # a frozen app: run the GUI's engine process, not the CLI
    parser = _parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    gui = _gui_request(parser, argv)
    if gui is None:
        args = parser.parse_args(argv)
        args.argv = argv
        if args.command is None:
            parser.print_help()
            return 0
    handlers = {"train": _cmd_train}
    for name in ("analyze", "check-model", "models", "evaluate", "render", "demo"):
        handlers.setdefault(name, globals().get("_cmd_" + name.replace("-", "_")))
    try:
        if gui is not None:  # `chordview` or `chordview song.mp3` opens the window
            from chordview.gui import main as gui_main

            return gui_main(gui[0] if gui else None)
        return handlers[args.command](args)
    except ChordviewError as exc:
        _say(f"chordview: error: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        _say("chordview: interrupted")
        return 130
    except BrokenPipeError:  # `chordview models | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit's flush
        return 141


if __name__ == "__main__":
    sys.exit(main())
