"""The ``chordview`` command line: parses arguments and calls one command of
:mod:`chordview.commands`.

Heavy modules (TensorFlow, librosa, Qt) are imported only inside the commands, so ``--help`` is
instant. Every :class:`ChordviewError` becomes one line on stderr and a non-zero exit status.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from chordview import __version__, commands
from chordview.commands import say
from chordview.errors import ChordviewError

DEVICES = ("auto", "cpu", "gpu")


def _model_options() -> argparse.ArgumentParser:
    """``--model`` and ``--device``, shared by every command that runs a model."""
    p = argparse.ArgumentParser(add_help=False)
    g = p.add_argument_group("model")
    g.add_argument(
        "--model",
        default="unet",
        help="bundled model name (unet, cr2) or a path to a bundle or .keras file (default: unet)",
    )
    g.add_argument(
        "--device",
        default="auto",
        choices=DEVICES,
        help="where to run the network (default: auto, the GPU when there is one)",
    )
    g.add_argument(
        "--fast",
        action="store_true",
        help="run the network once instead of averaging over the model's pitch "
        "shifts (about 3x faster, slightly less accurate)",
    )
    return p


def _overwrite_option() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("--overwrite", action="store_true", help="replace existing output files")
    return p


def _add_analyze(sub, parents) -> None:
    a = sub.add_parser(
        "analyze", parents=parents, help="analyse audio files and write JAMS/LAB chord files"
    )
    a.add_argument("paths", nargs="*", metavar="PATH", help="audio files or folders")
    a.add_argument(
        "--demo",
        action="store_true",
        help="also analyse the bundled demo song (its outputs go to the current folder by default)",
    )
    a.add_argument(
        "--format", default="jams,lab", help="comma-separated: jams, lab (default: both), or none"
    )
    a.add_argument(
        "-o",
        "--output-dir",
        type=Path,
        help="folder for the outputs (default: beside each audio file)",
    )
    a.add_argument(
        "--notation",
        choices=("musician", "harte"),
        help="also print each song's chords on stdout, spelled for musicians in the "
        "song's key (Bb, F#m7, A/C#) or as Harte labels; with --format none, "
        "only print them",
    )
    a.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    a.set_defaults(run=commands.cmd_analyze)


def _add_render(sub, parents) -> None:
    r = sub.add_parser(
        "render", parents=parents, help="draw the views of an analysed song to a PNG picture"
    )
    r.add_argument("path", metavar="PATH", help="audio file")
    r.add_argument("-o", "--output", type=Path, required=True, help="picture to write (.png)")
    r.set_defaults(run=commands.cmd_render)


def _add_evaluate(sub, parents) -> None:
    e = sub.add_parser(
        "evaluate",
        parents=parents,
        help="score a model on a folder of audio with .jams/.lab references",
    )
    e.add_argument(
        "folder", type=Path, help="audio files with a .jams or .lab of the same name beside them"
    )
    e.add_argument(
        "-o", "--output", type=Path, help="write OUTPUT.md (table) and OUTPUT.json (all scores)"
    )
    e.add_argument(
        "--record", metavar="SET", help="store the summary in the bundle's scores under SET"
    )
    e.set_defaults(run=commands.cmd_evaluate)


def _add_train(sub) -> None:
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
        help="plateau: halve the rate after 2 epochs without progress; cosine: decay "
        "it from --lr to --lr/100 over the epochs (default: plateau)",
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
        help="input channels: a CQT starting at each multiple of the lowest note "
        "(default: 1, the plain CQT; 0.5,1,2,3 gives a harmonic CQT)",
    )
    t.add_argument("--workers", type=int, default=2, help="processes for feature caching")
    t.set_defaults(run=commands.cmd_train)


def parser() -> argparse.ArgumentParser:
    """The whole command line; each command sets ``run``, its function in :mod:`chordview.commands`."""
    p = argparse.ArgumentParser(
        prog="chordview",
        description="Chord analysis with a fully convolutional UNet and structured heads. "
        "'chordview' alone opens the window; 'chordview SONG' opens it on a song.",
    )
    p.add_argument("--version", action="version", version=f"chordview {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    model, overwrite = _model_options(), _overwrite_option()
    _add_analyze(sub, [model, overwrite])
    c = sub.add_parser("check-model", help="check that a model fits the structured-output contract")
    c.add_argument("path", help="a .keras file, a bundle folder or a bundled model name")
    c.set_defaults(run=commands.cmd_check_model)
    m = sub.add_parser("models", help="list the bundled models with their provenance and scores")
    m.set_defaults(run=commands.cmd_models)
    d = sub.add_parser("demo", help="open the window on the bundled demo song")
    d.set_defaults(run=commands.cmd_demo)
    _add_render(sub, [model, overwrite])
    _add_evaluate(sub, [model, overwrite])
    _add_train(sub)
    p.set_defaults(commands=tuple(sub.choices))
    return p


def _gui_request(argv: list[str], commands: tuple[str, ...]) -> list[str] | None:
    """``[]`` or ``[audio]`` when the window is wanted: no arguments, or one non-command path."""
    if not argv:
        return []
    single = len(argv) == 1 and not argv[0].startswith("-") and argv[0] not in commands
    if single and Path(argv[0]).is_file():  # a typo of a command still gets argparse's message
        return argv
    return None


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``chordview`` script; returns the exit status."""
    import multiprocessing

    multiprocessing.freeze_support()  # a frozen app: run the GUI's engine process, not the CLI
    p = parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    gui = _gui_request(argv, p.get_default("commands"))
    args = None
    if gui is None:
        args = p.parse_args(argv)
        args.argv = argv
        if args.command is None:
            p.print_help()
            return 0
    try:
        if gui is not None:  # `chordview` or `chordview song.mp3` opens the window
            from chordview.gui import main as gui_main

            return gui_main(gui[0] if gui else None)
        return args.run(args)
    except ChordviewError as exc:
        say(f"chordview: error: {exc}")
        return exc.exit_code
    except KeyboardInterrupt:
        say("chordview: interrupted")
        return 130
    except BrokenPipeError:  # `chordview models | head`: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no error at exit's flush
        return 141


if __name__ == "__main__":
    sys.exit(main())
