"""Build the RomanText evaluation set (EVALUATION ONLY: never train or select models on it).

Human harmonic analyses from music21's corpus (20 Bach chorales, 48 Monteverdi madrigals) are
checked against their scores, repaired where they can be, converted to Harte labels and timed
to FluidSynth renderings of the scores in several instrumentations.

    .venv/bin/python scripts/make_romantext_set.py --out data/romantext --jobs 2 --seed 0

Existing renders are kept (the run resumes); delete the folder to rebuild from scratch. Writes
``<piece>__<instrumentation>.flac`` + ``.jams``, ``_checks/<piece>.json``, ``report.json`` and
``report.md``. Score it with ``chordview evaluate data/romantext``.

``--one-per-piece data/romantext_mix`` also links one render of every piece into that folder,
the instrumentations taken in turn (a fifth of the audio, every piece once): the set
``benchmarks/compare.py`` runs all five recognisers on.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from chordview.errors import ChordviewError


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("data/romantext"), help="output folder")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--seed", type=int, default=0, help="seeds tempi and velocities")
    ap.add_argument("--limit", type=int, default=None, help="only the first N analyses")
    ap.add_argument(
        "--instrumentation",
        action="append",
        default=None,
        help="repeatable; default: organ, strings, piano, choir, woodwinds",
    )
    ap.add_argument(
        "--soundfont",
        action="append",
        default=None,
        help="repeatable; default: TimGM6mb, MuseScore General, FluidR3 (installed)",
    )
    ap.add_argument(
        "--one-per-piece",
        type=Path,
        default=None,
        metavar="DIR",
        help="also link one render per piece, instrumentations in turn, into DIR",
    )
    args = ap.parse_args(argv)

    from chordview.evalsets.build_romantext import build_set, one_per_piece
    from chordview.evalsets.render_scores import INSTRUMENTATIONS

    t0 = time.perf_counter()

    def report(rec: dict, done: int, total: int) -> None:
        agr = f" agreement {rec['agreement']:.3f}" if rec.get("agreement") is not None else ""
        why = f" ({'; '.join(rec['reasons'])})" if rec["reasons"] else ""
        print(
            f"[{done}/{total}] {rec['piece']}: {rec['decision']}{agr}{why} "
            f"[{time.perf_counter() - t0:.0f} s]",
            flush=True,
        )

    try:
        instrumentations = args.instrumentation or list(INSTRUMENTATIONS)
        rep = build_set(
            args.out,
            seed=args.seed,
            jobs=args.jobs,
            limit=args.limit,
            instrumentations=instrumentations,
            soundfonts=args.soundfont,
            progress=report,
        )
        if args.one_per_piece is not None:
            stems = one_per_piece(args.out, args.one_per_piece, instrumentations=instrumentations)
            print(f"{len(stems)} pieces, one render each -> {args.one_per_piece}")
    except ChordviewError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exc.exit_code
    print(
        f"{rep['analyses_found']} analyses: {rep['kept_as_is']} kept, {rep['kept_repaired']} "
        f"repaired, {len(rep['dropped'])} dropped; {rep['renders']} renders, "
        f"{rep['audio_seconds'] / 3600:.2f} h of audio; mean pitch-class agreement "
        f"{rep['agreement_mean']}; {time.perf_counter() - t0:.0f} s -> {args.out}/report.md"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
