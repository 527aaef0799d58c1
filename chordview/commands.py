"""The bodies of the ``chordview`` commands: each takes the parsed arguments, calls the library
and returns an exit status. Heavy modules (TensorFlow, librosa, Qt) are imported inside them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from chordview.errors import ChordviewError, ModelError
from chordview.export import FORMATS

if TYPE_CHECKING:
    from chordview.features import FeatureSpec


def say(text: str, *, end: str = "\n") -> None:
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
        say(line.ljust(100)[:100], end="")

    def line(self, text: str) -> None:
        if self.quiet:
            return
        say(("\r" + " " * 100 + "\r" if self.tty else "") + text)


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


def cmd_train(args) -> int:
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


def cmd_analyze(args) -> int:
    from chordview.errors import OutputError

    if args.demo:
        from chordview.assets import demo_song

        args.paths = [*args.paths, str(demo_song())]
        if args.output_dir is None:  # never write into the installed package
            args.output_dir = Path.cwd()
    if not args.paths:
        raise ChordviewError("nothing to analyse: give audio files or folders, or --demo")
    formats = [f.strip().lower() for f in args.format.split(",") if f.strip()]
    if formats == ["none"] and args.notation:  # the chord list on stdout is the output
        formats = []
    bad = [f for f in formats if f not in FORMATS]
    if bad or (not formats and not args.notation):
        raise ChordviewError(
            f"unknown format {','.join(bad) or '(none)'}; use jams, lab or "
            "jams,lab (or none with --notation)"
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
        names = ", ".join(str(p) for p in paths) or "no files"
        bar.line(
            f"{audio}: {len(analysis.segments)} chords ({analysis.model['name']} on "
            f"{analysis.model['device']}) -> {names}"
        )
        if args.notation:
            print(chord_list(analysis, notation=args.notation, title=str(audio)), flush=True)

    result = analyze_files(
        args.paths,
        formats=formats,
        output_dir=args.output_dir,
        overwrite=args.overwrite,
        model=args.model,
        device=args.device,
        fast=args.fast,
        progress=bar.update,
        on_written=written,
        on_failure=lambda f: bar.line(f"failed: {f.message}"),
    )
    n = result.n_inputs
    summary = f"analysed {len(result.written)} of {n} file{'s' if n != 1 else ''}"
    if result.failures:
        say(f"{summary}; {len(result.failures)} failed:")
        for failure in result.failures:
            say(f"  {failure.message}")
    elif not args.quiet:
        say(summary)
    return result.exit_code


def clock(seconds: float) -> str:
    """``m:ss.s``: 83.25 -> ``'1:23.2'``."""
    tenths = int(round(max(seconds, 0.0) * 10))
    return f"{tenths // 600}:{tenths % 600 / 10:04.1f}"


def chord_list(analysis, *, notation: str, title: str) -> str:
    """A song's chords as plain text, one change a line (``0:02.8  A/C#``), under a line naming
    the song and its key; chord names in ``notation`` (``musician``: spelled in the key)."""
    from chordview.theory import musician

    key = analysis.key
    lines = [f"# {title}: key {key.name}"]
    for seg in analysis.segments:
        name = musician(seg.label, key=key) if notation == "musician" else seg.label
        lines.append(f"{clock(seg.start)}  {name}")
    return "\n".join(lines)


def cmd_models(args) -> int:
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
            print(
                f"  decoder: self-transition {dec['self_transition']}, "
                + (
                    "no pitch-shift averaging"
                    if shifts == [0]
                    else "outputs averaged over pitch shifts " + " ".join(f"{v:+d}" for v in shifts)
                )
            )
        for set_name, scores in meta.get("scores", {}).items():
            shown = ", ".join(f"{k} {v:.3f}" for k, v in scores.items() if isinstance(v, float))
            by = scores.get("scored_with")
            by = (
                f" (scored {by.get('date', '?')} by chordview {by.get('git_commit', '?')})"
                if isinstance(by, dict)
                else ""
            )
            print(f"  scores on {set_name}: {shown}{by}")
    return 0


def _evaluation_inputs(folder: Path, model: str) -> list[Path]:
    """What an evaluation reads: the audio and references of ``folder`` and the model's files
    (an output must never replace one of them)."""
    from chordview.bundle import resolve
    from chordview.evaluation import find_references

    inputs = [p for pair in find_references(folder) for p in pair] if folder.is_dir() else []
    try:
        path = resolve(model)
    except ChordviewError:  # an unknown model fails later, with its own message
        return inputs
    return inputs + (sorted(path.iterdir()) if path.is_dir() else [path])


def _evaluation_outputs(output: Path, *, overwrite: bool, inputs: list[Path]) -> dict[str, Path]:
    """OUTPUT.md and OUTPUT.json (an OUTPUT ending in .md or .json names both), checked before
    the evaluation: the folder exists and is writable, no file is replaced unasked, and none is
    one of ``inputs``."""
    from chordview.errors import OutputError
    from chordview.export import check_targets

    if output.is_dir() or not output.name or output.name in (".", ".."):
        raise OutputError(
            f"-o {output}: give a file name without extension (OUTPUT.md and "
            "OUTPUT.json are written), not a folder"
        )
    base = output.with_suffix("") if output.suffix in (".md", ".json") else output
    paths = {"md": base.with_name(base.name + ".md"), "json": base.with_name(base.name + ".json")}
    check_targets(paths, overwrite=overwrite, inputs=inputs)
    return paths


def cmd_evaluate(args) -> int:
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
    outputs = {}
    if args.output:
        inputs = _evaluation_inputs(args.folder, args.model)
        outputs = _evaluation_outputs(args.output, overwrite=args.overwrite, inputs=inputs)
    bundle_dir = recordable_bundle(args.model) if args.record else None

    def show(name, scores):
        print(f"{name}: " + " ".join(f"{m} {scores[m]:.3f}" for m in CHORD_METRICS), flush=True)

    codes = []

    def failed(name, exc):
        codes.append(exc.exit_code)
        print(f"{name}: failed: {first_line(exc)}", flush=True)

    res = evaluate_folder(
        args.folder,
        model=args.model,
        device=args.device,
        fast=args.fast,
        on_track=show,
        on_failure=failed,
    )
    failures = res["failures"]
    table = (
        markdown_table({f"{args.model} (duration-weighted)": res})
        + markdown_table({f"{args.model} (per-track mean)": res}, which="mean").split("\n", 2)[2]
    )
    print(f"\n{res['n_tracks']} tracks in {args.folder}\n\n{table}")
    if outputs:
        try:
            write_files(
                {outputs["md"]: table, outputs["json"]: json.dumps(res, indent=2)},
                overwrite=args.overwrite,
            )
        except FileExistsError as exc:
            raise OutputError(f"{exc.filename} exists; pass --overwrite to replace it") from None
        except OSError as exc:
            raise OutputError(f"cannot write {outputs['md']} ({exc.strerror or exc})") from None
        print(f"wrote {outputs['md']} and {outputs['json']}")
    if failures:
        say(
            f"scored {res['n_tracks']} of {res['n_tracks'] + len(failures)} tracks; "
            f"{len(failures)} failed:"
        )
        for name, text in failures.items():
            say(f"  {name}: {text}")
        if bundle_dir is not None:
            say(f"not recorded in {bundle_dir}: a record must cover the whole set")
        return codes[0]
    if bundle_dir is not None:
        replaced = record_scores(
            bundle_dir,
            args.record,
            res["weighted"],
            n_tracks=res["n_tracks"],
            folder=args.folder,
            pitch_shifts=res["pitch_shifts"],
        )
        print(
            f"recorded as {args.record!r} in {bundle_dir}"
            + (" (replacing the earlier record)" if replaced else "")
        )
    return 0


def cmd_check_model(args) -> int:
    from chordview.check import check_path

    report = check_path(args.path)
    for line in report.lines():
        print(line)
    return 0 if report.fits else 2


def cmd_render(args) -> int:
    from chordview.gui.render import render_file  # the GUI package is imported only here

    out = render_file(
        args.path,
        args.output,
        model=args.model,
        device=args.device,
        fast=args.fast,
        overwrite=args.overwrite,
    )
    print(f"wrote {out}")
    return 0


def cmd_demo(args) -> int:
    from chordview.assets import demo_song
    from chordview.gui import main as gui_main

    return gui_main(str(demo_song()))
