"""The RomanText evaluation set: analyses checked, repaired, rendered and reported.

EVALUATION ONLY: the folder this writes scores finished models (``chordview evaluate``). It
must not feed training, early stopping, checkpoint or model selection, or decoder tuning.

For each analysis in music21's corpus (:func:`chordview.evalsets.romantext.find_pieces`):
parse it and its score, place and check it (:func:`chordview.evalsets.align.check_alignment`),
and, unless it is dropped, render it once per instrumentation to
``OUT/<piece>__<instrumentation>.flac`` (44.1 kHz, 16 bit, mono) with a ``.jams`` beside it
(namespace ``chord``; the sandbox holds the piece, sources, instrumentation, soundfont,
tempo and the repairs). ``OUT/_checks/<piece>.json`` records each piece's check, and
``OUT/report.json`` / ``OUT/report.md`` summarise the set.

Seeded and resumable: everything random is drawn from ``default_rng([seed, crc32(piece),
...])``, so a render does not depend on which others exist; files that exist are kept, and a
piece whose check and renders all exist is not parsed again.
"""

from __future__ import annotations

import json
import os
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from chordview.errors import ChordviewError, OutputError
from chordview.evalsets import render_scores as rs
from chordview.evalsets.romantext import Piece, corpus_root, find_pieces

TEMPO = {"chorale": (80.0, 90.0), "madrigal": (110.0, 130.0)}  # quarter notes per minute


def default_soundfonts() -> list[str]:
    """TimGM6mb (held out of training), MuseScore General and FluidR3, those installed."""
    from chordview.generator.synth import HELDOUT_SOUNDFONT

    fonts = [
        HELDOUT_SOUNDFONT(),
        "/usr/share/sounds/sf3/MuseScore_General_Full.sf3",
        "/usr/share/sounds/sf2/FluidR3_GM.sf2",
    ]
    return [f for f in fonts if os.path.exists(f)]


def _atomic(path: Path, write: Callable[[str], None]) -> None:
    tmp = f"{path}.tmp{os.getpid()}"
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc}") from exc
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def _write_json(path: Path, obj) -> None:
    def write(tmp: str) -> None:
        with open(tmp, "w") as fh:
            json.dump(obj, fh, indent=1)

    _atomic(path, write)


def label_stats(spans) -> dict:
    """Quarter-note shares of qualities, inversions and ``X`` among placed chords."""
    total = sum(s.end - s.start for s in spans) or 1.0
    quality, inv, x = Counter(), 0.0, 0.0
    for s in spans:
        d = s.end - s.start
        if s.label == "X":
            x += d
            continue
        quality[s.label.split(":")[1].split("/")[0]] += float(d / total)
        inv += d if "/" in s.label else 0.0
    return {
        "x_share": x / total,
        "inversion_share": inv / total,
        "quality_share": {k: round(v, 4) for k, v in quality.most_common()},
    }


def _jams(ref, *, piece: Piece, sandbox: dict):
    import jams

    total = ref[-1][1]
    jam = jams.JAMS()
    jam.file_metadata.duration = total
    jam.file_metadata.title = piece.title
    jam.file_metadata.artist = piece.composer
    ann = jams.Annotation(namespace="chord", time=0, duration=total, sandbox=sandbox)
    ann.annotation_metadata.annotator.name = piece.analyst
    ann.annotation_metadata.curator.name = "chordview.evalsets (evaluation only)"
    ann.annotation_metadata.data_source = (
        "human RomanText analysis from the music21 corpus, converted to Harte labels and "
        "timed to a FluidSynth rendering of the score it analyses"
    )
    for a, b, label in ref:
        ann.append(time=a, duration=b - a, value=label, confidence=1.0)
    jam.annotations.append(ann)
    return jam


def process_piece(
    piece: Piece,
    *,
    out: Path,
    seed: int,
    instrumentations: Sequence[str],
    soundfonts: Sequence[str],
    sr: int = 44100,
) -> dict:
    """Check one piece and render what is missing; returns its record (also in ``_checks``)."""
    from chordview.evalsets.align import check_alignment, parse_score, score_notes
    from chordview.evalsets.romantext import analysis_measures, parse_analysis

    check_path = out / "_checks" / f"{piece.name}.json"
    stems = [out / f"{piece.name}__{name}" for name in instrumentations]  # + ".flac", ".jams"
    if check_path.exists():
        record = json.loads(check_path.read_text())
        done = all(Path(f"{s}.flac").exists() and Path(f"{s}.jams").exists() for s in stems)
        if record["decision"] == "drop" or done:
            return record
    root = corpus_root()
    record = {
        "piece": piece.name,
        "title": piece.title,
        "kind": piece.kind,
        "analysis": str(piece.analysis.relative_to(root)),
        "score": str(piece.score.relative_to(root)) if piece.score else None,
        "renders": [],
    }
    if piece.score is None:
        record.update(decision="drop", reasons=["no score in the corpus matches the analysis"])
        _write_json(check_path, record)
        return record
    try:
        measures = analysis_measures(parse_analysis(piece.analysis))
        notes = score_notes(parse_score(piece.score))
    except ChordviewError as exc:
        record.update(decision="drop", reasons=[str(exc)])
        _write_json(check_path, record)
        return record
    al = check_alignment(measures, notes)
    record.update(
        decision=al.decision,
        reasons=al.reasons,
        agreement=round(al.agreement, 4),
        agreement_raw=round(al.agreement_raw, 4),
        coverage=round(al.coverage, 4),
        analysed=round(al.analysed, 4),
        transpose=al.transpose,
        order=al.order,
        segments=al.segments,
        bad_measures=al.bad_measures,
        n_chords=len(al.spans),
        score_repairs=len(notes.repaired_measures),
        length_quarters=notes.length,
        labels=label_stats(al.spans),
    )
    if al.decision != "drop":
        key = zlib.crc32(piece.name.encode())
        for name, stem in zip(instrumentations, stems, strict=True):
            i = list(rs.INSTRUMENTATIONS).index(name)  # stable whatever subset is asked for
            rng = np.random.default_rng([seed, key, i])
            tempo = round(float(rng.uniform(*TEMPO[piece.kind])), 2)
            font = soundfonts[(key + i) % len(soundfonts)]
            tm = rs.time_map(notes, tempo=tempo)
            ref = rs.reference(al.spans, notes, tm)
            meta = {
                "piece": piece.name,
                "instrumentation": name,
                "programs": rs.part_programs(notes, name),
                "soundfont": Path(font).name,
                "tempo_qpm": tempo,
                "fermata_stretch": rs.FERMATA_STRETCH,
                "lead_in_s": rs.LEAD_IN,
                "tail_s": rs.TAIL,
                "seed": seed,
                "analysis": record["analysis"],
                "score": record["score"],
                "transpose": al.transpose,
                "order": al.order,
                "segments": al.segments,
                "agreement": record["agreement"],
                "evaluation_only": True,
            }
            record["renders"].append({**meta, "file": stem.name + ".flac", "seconds": ref[-1][1]})
            if not Path(f"{stem}.flac").exists():  # audio does not depend on the labels
                y = rs.render_score(
                    notes,
                    tm,
                    instrumentation=name,
                    soundfont=font,
                    sr=sr,
                    seed=int(rng.integers(2**63)),
                )
                _write_audio(Path(f"{stem}.flac"), y, sr)
            if not Path(f"{stem}.jams").exists():
                jam = _jams(ref, piece=piece, sandbox=meta)
                _atomic(Path(f"{stem}.jams"), lambda tmp, jam=jam: _save_jams(jam, tmp))
    _write_json(check_path, record)
    return record


def _write_audio(path: Path, y: np.ndarray, sr: int) -> None:
    import soundfile as sf

    _atomic(path, lambda tmp: sf.write(tmp, y, sr, format="FLAC", subtype="PCM_16"))


def _save_jams(jam, path: str) -> None:
    with open(path, "w") as fh:
        jam.save(fh, strict=True)  # validates the chord namespace


def _job(args) -> dict:
    piece, kwargs = args
    return process_piece(piece, **kwargs)


def build_set(
    out: str | Path,
    *,
    seed: int = 0,
    jobs: int = 1,
    limit: int | None = None,
    instrumentations: Sequence[str] = tuple(rs.INSTRUMENTATIONS),
    soundfonts: Sequence[str] | None = None,
    sr: int = 44100,
    progress: Callable[[dict, int, int], None] | None = None,
) -> dict:
    """Check, render and report every analysis (the first ``limit`` when given).

    Parameters
    ----------
    out : str or Path
        Output folder (created).
    seed : int
        Seeds tempi, velocities; soundfonts rotate over instrumentations and pieces.
    jobs : int
        Worker processes (each loads the soundfonts once).
    progress : callable, optional
        Called as ``progress(record, done, total)`` after each piece.

    Returns
    -------
    dict
        The report also written to ``out/report.json`` and ``out/report.md``.
    """
    unknown = [n for n in instrumentations if n not in rs.INSTRUMENTATIONS]
    if unknown:
        raise ChordviewError(f"unknown instrumentation(s): {', '.join(unknown)}")
    fonts = list(soundfonts) if soundfonts else default_soundfonts()
    if not fonts:
        raise ChordviewError("no soundfont found")
    out = Path(out)
    (out / "_checks").mkdir(parents=True, exist_ok=True)
    pieces = find_pieces()[:limit] if limit else find_pieces()
    kwargs = {
        "out": out,
        "seed": seed,
        "instrumentations": list(instrumentations),
        "soundfonts": fonts,
        "sr": sr,
    }
    work = [(p, kwargs) for p in pieces]
    records = []
    if jobs <= 1:
        results = map(_job, work)
        for rec in results:
            records.append(rec)
            if progress:
                progress(rec, len(records), len(work))
    else:
        import multiprocessing

        with multiprocessing.get_context("spawn").Pool(min(jobs, len(work))) as pool:
            for rec in pool.imap_unordered(_job, work):
                records.append(rec)
                if progress:
                    progress(rec, len(records), len(work))
    report = summarise(sorted(records, key=lambda r: r["piece"]), seed=seed)
    _write_json(out / "report.json", report)
    _atomic(out / "report.md", lambda tmp: Path(tmp).write_text(report_markdown(report)))
    return report


def summarise(records: list[dict], *, seed: int) -> dict:
    """Counts, durations, agreement and label statistics over the piece records."""
    kept = [r for r in records if r["decision"] != "drop"]
    weights = np.array([r["length_quarters"] for r in kept], dtype=float)
    quality: Counter = Counter()
    for r, w in zip(kept, weights, strict=True):
        for q, share in r["labels"]["quality_share"].items():
            quality[q] += float(share * w / weights.sum())

    def mean(key: str, rows=kept) -> float | None:
        vals = [r[key] for r in rows if r.get(key) is not None]
        return round(float(np.mean(vals)), 4) if vals else None

    return {
        "evaluation_only": True,
        "seed": seed,
        "analyses_found": len(records),
        "kept_as_is": sum(r["decision"] == "keep" for r in records),
        "kept_repaired": sum(r["decision"] == "repaired" for r in records),
        "dropped": {r["piece"]: r["reasons"] for r in records if r["decision"] == "drop"},
        "renders": sum(len(r["renders"]) for r in kept),
        "audio_seconds": round(sum(x["seconds"] for r in kept for x in r["renders"]), 1),
        "agreement_mean": mean("agreement"),
        "agreement_raw_mean_all": mean("agreement_raw", records),
        "coverage_mean": mean("coverage"),
        "analysed_mean": mean("analysed"),
        "x_share_mean": round(float(np.mean([r["labels"]["x_share"] for r in kept])), 4)
        if kept
        else None,
        "inversion_share_mean": round(
            float(np.mean([r["labels"]["inversion_share"] for r in kept])), 4
        )
        if kept
        else None,
        "quality_share": {q: round(v, 4) for q, v in quality.most_common()},
        "pieces": records,
    }


def report_markdown(report: dict) -> str:
    """The report as markdown: summary, then one row per piece."""
    lines = [
        "# RomanText evaluation set (EVALUATION ONLY)",
        "",
        f"- analyses found: {report['analyses_found']}; kept as is: {report['kept_as_is']}; "
        f"kept after repair: {report['kept_repaired']}; dropped: {len(report['dropped'])}",
        f"- renders: {report['renders']}, {report['audio_seconds'] / 3600:.2f} h of audio",
        f"- pitch-class agreement (kept, mean over pieces): {report['agreement_mean']}; "
        f"as written, all pieces: {report['agreement_raw_mean_all']}",
        f"- chord-tone coverage: {report['coverage_mean']}; share of sounding time analysed: "
        f"{report['analysed_mean']}; X share: {report['x_share_mean']}; inversions: "
        f"{report['inversion_share_mean']}",
        f"- qualities (share of analysed time): {report['quality_share']}",
        "",
        "| piece | decision | agreement (as written -> final) | coverage | analysed | notes |",
        "|---|---|---|---|---|---|",
    ]
    for r in report["pieces"]:
        agr = (
            f"{r['agreement_raw']:.3f} -> {r['agreement']:.3f}"
            if r.get("agreement") is not None
            else ""
        )
        cov = f"{r['coverage']:.3f}" if r.get("coverage") is not None else ""
        ana = f"{r['analysed']:.3f}" if r.get("analysed") is not None else ""
        lines.append(
            f"| {r['piece']} | {r['decision']} | {agr} | {cov} | {ana} | "
            f"{'; '.join(r['reasons'])} |"
        )
    return "\n".join(lines) + "\n"


def one_per_piece(
    src: str | Path,
    dst: str | Path,
    *,
    instrumentations: Sequence[str] = tuple(rs.INSTRUMENTATIONS),
) -> list[str]:
    """Link one render of every piece in ``src`` into ``dst``, instrumentations taken in turn.

    The pieces, sorted by name, take ``instrumentations`` in rotation (piece 0 the first one,
    piece 1 the second, ...); a piece without that render takes the next one it has. The result
    is a set with every piece once and every instrumentation about equally often, a fifth of the
    audio of the whole set: small enough for the slow peer recognisers in ``benchmarks/compare.py``.

    Parameters
    ----------
    src : str or Path
        A folder written by :func:`build_set` (``<piece>__<instrumentation>.flac`` + ``.jams``).
    dst : str or Path
        Output folder (created; links it already holds are replaced).

    Returns
    -------
    list of str
        The stems linked, sorted.
    """
    src, dst = Path(src), Path(dst)
    renders: dict[str, set[str]] = {}
    for audio in src.glob("*__*.flac"):
        piece, _, instrumentation = audio.stem.rpartition("__")
        if (src / f"{audio.stem}.jams").exists():
            renders.setdefault(piece, set()).add(instrumentation)
    if not renders:
        raise ChordviewError(f"{src}: no <piece>__<instrumentation>.flac with a .jams beside it")
    order = list(instrumentations)
    dst.mkdir(parents=True, exist_ok=True)
    for old in dst.iterdir():
        if old.is_symlink():
            old.unlink()
    stems = []
    for i, piece in enumerate(sorted(renders)):
        turn = order[i % len(order) :] + order[: i % len(order)]
        pick = next((n for n in turn if n in renders[piece]), sorted(renders[piece])[0])
        stem = f"{piece}__{pick}"
        for ext in (".flac", ".jams"):
            target = (src / f"{stem}{ext}").resolve()
            os.symlink(os.path.relpath(target, dst.resolve()), dst / f"{stem}{ext}")
        stems.append(stem)
    return stems
