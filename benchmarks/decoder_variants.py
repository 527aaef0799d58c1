"""Decoder variants on one model's outputs: does scoring chords with every head help?

    python benchmarks/decoder_variants.py data/v2/val [--model unet] [-o runs/v2/decoder-val]

Runs the model once per referenced file (with the bundle's pitch shifts), then decodes the same
outputs with each variant below and scores it with mir_eval (duration-weighted). The shipped
decoder is Viterbi over the tag head alone. The variants add, per frame and chord, weighted
log-likelihoods from the other heads (root, bass: the best bass note among the chord's tones,
pitch: the chord's pitch-class template under the 12 sigmoids, averaged), smooth the scores, change the
self-transition, or make changes that keep the root cheaper or dearer. The objective is the mean
of majmin, mirex, thirds and sevenths. Choose settings on synthetic validation data only: never
on the RomanText set, which is for evaluation.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

TARGETS = ("majmin", "mirex", "thirds", "sevenths")
SHOWN = ("majmin", "sevenths", "thirds", "mirex", "tetrads", "overseg", "underseg")

#: name -> settings: root/bass/pitch head weights, smoothing frames, self-transition, and the
#: weight of a change to a chord with the same root relative to any other change
VARIANTS = {
    "shipped (tag head, 0.9)": {},
    "self-transition 0.8": {"p": 0.8},
    "self-transition 0.95": {"p": 0.95},
    "+ root head": {"root": 1.0},
    "+ bass head": {"bass": 1.0},
    "+ pitch head": {"pitch": 1.0},
    "+ pitch head x2": {"pitch": 2.0},
    "+ pitch head x4": {"pitch": 4.0},
    "+ pitch + bass": {"pitch": 1.0, "bass": 1.0},
    "+ pitch x2 + bass + root x0.5": {"pitch": 2.0, "bass": 1.0, "root": 0.5},
    "+ pitch x2, self-transition 0.95": {"pitch": 2.0, "p": 0.95},
    "3-frame smoothing": {"smooth": 3},
    "same-root changes x0.3": {"same_root": 0.3},
}


def chord_tables(classes: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per tag: root index (12 = none), pitch-class template, allowed bass notes, is-X."""
    from chordview.theory import QUALITY_SEMITONES, pitch_class

    n = len(classes)
    root = np.full(n, 12)
    template = np.zeros((n, 12))
    bass = np.zeros((n, 13), bool)
    unknown = np.array([c == "X" for c in classes])
    for i, c in enumerate(classes):
        if c in ("N", "X"):
            bass[i, 12 if c == "N" else slice(None)] = True
            continue
        name, quality = c.split(":")
        r = pitch_class(name)
        tones = [(r + s) % 12 for s in QUALITY_SEMITONES[quality]]
        root[i], template[i, tones], bass[i, tones] = r, 1.0, True
    return root, template, bass, unknown


def frame_scores(outputs: dict, tables, settings: dict) -> np.ndarray:
    """Per-frame, per-tag log scores of one variant, shape (n_frames, n_tags)."""
    root, template, bass, unknown = tables
    eps = 1e-6
    s = np.log(np.clip(outputs["chord_tag"], eps, 1.0))
    if settings.get("root"):
        s = s + settings["root"] * np.log(np.clip(outputs["chord_root"], eps, 1.0))[:, root]
    if settings.get("bass"):
        lb = np.log(np.clip(outputs["chord_bass"], eps, 1.0))
        s = s + settings["bass"] * np.max(np.where(bass[None], lb[:, None, :], -np.inf), axis=2)
    if settings.get("pitch"):
        p = np.clip(outputs["chord_pitch"], eps, 1 - eps)
        ll = np.log(p) @ template.T + np.log(1 - p) @ (1 - template).T
        ll[:, unknown] = ll[:, ~unknown].mean(axis=1, keepdims=True)  # X says nothing of pitch
        s = s + settings["pitch"] * ll / 12  # mean log-likelihood per pitch class
    k = settings.get("smooth", 1)
    if k > 1:
        padded = np.pad(s, ((k // 2, k - 1 - k // 2), (0, 0)), mode="edge")
        s = np.stack([padded[i : i + len(s)] for i in range(k)]).mean(axis=0)
    return s


def transitions(tables, settings: dict) -> np.ndarray:
    """Viterbi transition matrix of one variant (rows sum to 1)."""
    root = tables[0]
    p = settings.get("p", 0.9)
    t = np.where(root[:, None] == root[None, :], settings.get("same_root", 1.0), 1.0)
    np.fill_diagonal(t, 0.0)
    t = t / t.sum(axis=1, keepdims=True) * (1 - p)
    np.fill_diagonal(t, p)
    return t


def decode_variant(outputs: dict, classes, tables, settings: dict, *, sr: int, hop: int):
    import librosa

    from chordview.decode import segments_from_path

    s = frame_scores(outputs, tables, settings)
    posterior = np.exp(s - s.max(axis=1, keepdims=True))
    posterior /= posterior.sum(axis=1, keepdims=True)
    path = librosa.sequence.viterbi_discriminative(
        np.clip(posterior.T, 1e-12, 1.0), transitions(tables, settings)
    )
    return segments_from_path(path, outputs, classes=classes, sr=sr, hop_length=hop)


def main(argv: list[str] | None = None) -> int:
    from chordview.analysis import analyze, get_bundle
    from chordview.evaluation import find_references, load_reference, score, summarise

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path, help="synthetic validation audio with .jams references")
    ap.add_argument("--model", default="unet")
    ap.add_argument("-o", "--output", type=Path, help="write OUTPUT.md and OUTPUT.json")
    args = ap.parse_args(argv)
    pairs = find_references(args.folder)
    if not pairs:
        print(f"error: {args.folder}: no audio with references", file=sys.stderr)
        return 2
    bundle = get_bundle(args.model)
    classes = list(bundle.vocabulary["chord_tag"])
    tables = chord_tables(classes)
    tracks = []
    for audio, ref in pairs:
        result = analyze(audio, model=bundle, device="cpu")
        tracks.append((audio.name, result, load_reference(ref)))
        print(f"analysed {audio.name}", file=sys.stderr, flush=True)
    results = {}
    for name, settings in VARIANTS.items():
        per_track = {}
        for track, result, (ref_int, ref_lab) in tracks:
            segs = decode_variant(
                result.outputs, classes, tables, settings, sr=result.sr, hop=result.hop_length
            )
            est = np.array([[g.start, g.end] for g in segs])
            per_track[track] = score(ref_int, ref_lab, est, [g.label for g in segs])
        weighted = summarise(per_track)["weighted"]
        weighted["objective"] = float(np.mean([weighted[m] for m in TARGETS]))
        results[name] = {"settings": settings, "weighted": weighted}
    lines = [
        f"Decoder variants, {bundle.name} on {args.folder} ({len(tracks)} files, duration-"
        f"weighted); objective = mean of {', '.join(TARGETS)}.",
        "",
        "| variant | objective | " + " | ".join(SHOWN) + " |",
        "|" + "---|" * (len(SHOWN) + 2),
    ]
    for name, r in results.items():
        w = r["weighted"]
        lines.append(
            f"| {name} | {w['objective']:.4f} | " + " | ".join(f"{w[m]:.4f}" for m in SHOWN) + " |"
        )
    table = "\n".join(lines) + "\n"
    print(table)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.with_suffix(".md").write_text(table)
        args.output.with_suffix(".json").write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
