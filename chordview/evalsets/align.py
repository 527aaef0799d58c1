"""Laying a RomanText analysis on the notes of its score, and checking that it fits.

EVALUATION ONLY (see :mod:`chordview.evalsets.romantext`).

The score is read measure by measure (:func:`score_notes`). Each analysis measure goes on the
score measure of the same number unless the evidence says otherwise: a dynamic programme
(:func:`check_alignment`) assigns analysis measures to strictly later and later score measures,
where keeping to the numbering is free, a jump costs :data:`SWITCH_COST` typical measures of
evidence and leaving a measure out costs :data:`SKIP_COST`. That finds pickups and passages
that one side numbers differently or leaves out, duplicated measure numbers and variant lines
in the analysis. A whole analysis in the wrong key is found by trying all 12 transpositions; a
repeat sign in the analysis that the score writes out is found by reading the analysis both
ways (:func:`chordview.evalsets.romantext.unit_orders`).

The evidence is the pitch-class agreement: the share of the score's sounding note time (summed
over voices; the content of ``music21``'s ``chordify``) whose pitch class belongs to the chord
the analysis names there.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from chordview.errors import AnnotationError
from chordview.evalsets.romantext import AnalysisMeasure, Span, unit_orders

MIN_AGREEMENT = 0.6  # below this an analysis does not describe the score it was paired with
MIN_ANALYSED = 0.75  # share of the score's sounding time the placed analysis must cover
MIN_GAIN = 0.05  # a transposition must raise the agreement this much to be adopted
SWITCH_COST = 3.0  # changing the measure offset costs this many typical measures of evidence
SKIP_COST = 1.0  # leaving an analysis measure out costs this many typical measures


@dataclass(frozen=True)
class ScoreNotes:
    """The sounding notes of a score, ties merged, in quarter notes from its first measure.

    Attributes
    ----------
    start, end : np.ndarray
        ``(n,)`` float onsets and releases in quarter notes.
    midi : np.ndarray
        ``(n,)`` int MIDI keys at sounding pitch.
    part : np.ndarray
        ``(n,)`` int index into ``part_names``.
    part_names : tuple of str
    fermatas : tuple of (float, float)
        Quarter-note spans of the notes that carry a fermata.
    measures : tuple of (int, float, float, float)
        (number, start, pickup padding, length) per measure; consecutive measure objects with
        one number (a bar split at a repeat sign) are one measure here.
    repaired_measures : tuple of (int, int)
        (part, measure number) of overfull measures cut back to their bar (see
        :func:`score_notes`).
    """

    start: np.ndarray
    end: np.ndarray
    midi: np.ndarray
    part: np.ndarray
    part_names: tuple[str, ...]
    fermatas: tuple[tuple[float, float], ...]
    measures: tuple[tuple[int, float, float, float], ...]
    repaired_measures: tuple[tuple[int, int], ...] = ()

    @property
    def length(self) -> float:
        """End of the last note, in quarter notes."""
        return float(self.end.max())


def parse_score(path: str | Path):
    """A music21 score at sounding pitch."""
    from music21 import converter

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return converter.parse(str(path)).toSoundingPitch()
    except Exception as exc:  # music21 raises many unrelated types on bad input
        raise AnnotationError(f"{path}: cannot parse score ({exc})") from None


def score_notes(score) -> ScoreNotes:
    """Flatten a parsed score into note arrays, measure by measure.

    Measures are laid end to end. A measure longer than its time signature whose extra time
    holds only rests is cut back to the bar's length: some madrigal files encode a two-bar rest
    as two whole rests in one 4/4 bar, in one part only, which would shift that part against
    the others. Grace notes and unpitched notes are left out.
    """
    from music21 import expressions

    rows, fermatas, names, table, repaired = [], [], [], [], []
    stripped = score.stripTies(inPlace=False)  # merged notes overhang their measure
    for i, (part, merged) in enumerate(zip(score.parts, stripped.parts, strict=True)):
        names.append(str(part.partName or f"part {i + 1}"))
        pos = 0.0
        pairs = zip(
            part.getElementsByClass("Measure"), merged.getElementsByClass("Measure"), strict=True
        )
        for m, mm in pairs:
            length, bar = float(m.quarterLength), float(m.barDuration.quarterLength)
            if length > bar + 1e-6 and all(
                float(n.getOffsetInHierarchy(m) + n.quarterLength) <= bar + 1e-6
                for n in m.recurse().notes
            ):
                length = bar
                repaired.append((i, int(m.number)))
            for n in mm.recurse().notes:
                t0, ql = pos + float(n.getOffsetInHierarchy(mm)), float(n.quarterLength)
                if ql <= 0 or not hasattr(n, "pitches"):
                    continue
                rows.extend((t0, t0 + ql, int(round(p.ps)), i) for p in n.pitches)
                if any(isinstance(e, expressions.Fermata) for e in n.expressions):
                    fermatas.append((t0, t0 + ql))
            if i == 0 and table and table[-1][0] == int(m.number):
                num, start, pad, old = table[-1]
                table[-1] = (num, start, pad, old + length)
            elif i == 0:
                table.append((int(m.number), pos, float(m.paddingLeft or 0.0), length))
            pos += length
    if not rows:
        raise AnnotationError("score holds no notes")
    a = np.array(sorted(rows), dtype=float)
    return ScoreNotes(
        start=a[:, 0],
        end=a[:, 1],
        midi=a[:, 2].astype(int),
        part=a[:, 3].astype(int),
        part_names=tuple(names),
        fermatas=tuple(sorted(set(fermatas))),
        measures=tuple(table),
        repaired_measures=tuple(repaired),
    )


# ----------------------------------------------------------------------------- placing
def _score_index(notes: ScoreNotes, number: int) -> int:
    """Index of the score measure numbered ``number`` (extrapolated past a gap in numbering)."""
    best = None
    for k, (num, *_rest) in enumerate(notes.measures):
        if num == number:
            return k
        if num < number and (best is None or num > notes.measures[best][0]):
            best = k
    return (best + number - notes.measures[best][0]) if best is not None else number


def place(
    measures: list[AnalysisMeasure], order: list[int], targets: list[int | None], notes: ScoreNotes
) -> list[tuple[int, Span]]:
    """Put analysis measures on score measures.

    Parameters
    ----------
    measures : list of AnalysisMeasure
    order : list of int
        Indices into ``measures``, in reading order (one unit each).
    targets : list of int or None
        Per unit, the index of the score measure it goes on (None: left out).
    notes : ScoreNotes

    Returns
    -------
    list of (int, Span)
        Unit index and chord in score quarter notes, clipped to its score measure; units whose
        target is outside the score are left out.
    """
    out = []
    for u, (mi, k) in enumerate(zip(order, targets, strict=True)):
        if k is None or not 0 <= k < len(notes.measures):
            continue
        _, pos, pad, length = notes.measures[k]
        for c in measures[mi].chords:
            t0, t1 = max(pos - pad + c.start, pos), min(pos - pad + c.end, pos + length)
            if t1 > t0 + 1e-9:
                out.append((u, replace(c, start=t0, end=t1)))
    return out


# ----------------------------------------------------------------------------- evidence
def pc_weights(spans: list[Span], notes: ScoreNotes) -> np.ndarray:
    """Sounding time of each pitch class inside each span (the chordified score's content).

    Returns
    -------
    np.ndarray
        ``(n_spans, 12)`` float: quarter notes of sounding notes, summed over voices.
    """
    if not spans:
        return np.zeros((0, 12))
    s0 = np.array([s.start for s in spans])[:, None]
    s1 = np.array([s.end for s in spans])[:, None]
    overlap = np.clip(np.minimum(s1, notes.end[None]) - np.maximum(s0, notes.start[None]), 0, None)
    onehot = np.zeros((len(notes.midi), 12))
    onehot[np.arange(len(notes.midi)), notes.midi % 12] = 1.0
    return overlap @ onehot


def chord_masks(spans: list[Span]) -> np.ndarray:
    """``(n_spans, 12)`` 0/1 masks of the pitch classes each span claims."""
    mask = np.zeros((len(spans), 12))
    for i, s in enumerate(spans):
        mask[i, list(s.pcs)] = 1.0
    return mask


def agreement(weights: np.ndarray, mask: np.ndarray) -> float:
    """Share of the sounding note time whose pitch class is in the labelled chord (0..1)."""
    total = weights.sum()
    return float((weights * mask).sum() / total) if total > 0 else 0.0


def sounding(notes: ScoreNotes) -> list[tuple[float, float]]:
    """Union of the note spans: where the score sounds, in quarter notes."""
    out: list[list[float]] = []
    for t0, t1 in sorted(zip(notes.start.tolist(), notes.end.tolist(), strict=True)):
        if out and t0 <= out[-1][1] + 1e-9:
            out[-1][1] = max(out[-1][1], t1)
        else:
            out.append([t0, t1])
    return [(a, b) for a, b in out]


# ----------------------------------------------------------------------------- checking
@dataclass
class Alignment:
    """How an analysis lies on its score, and whether it is kept.

    Attributes
    ----------
    spans : list of Span
        The placed, repaired chords in score quarter notes, disjoint and sorted.
    order : str
        ``'written'`` or ``'repeats expanded'``.
    transpose : int
        Semitones (0..11) added to the analysis.
    segments : list of (int, int, int or None)
        (first, last analysis measure number, offset in measures from the score measure of
        that number, None where left out) per run of one offset.
    agreement, agreement_raw : float
        Pitch-class agreement after the repair, and as written (number to number, untransposed).
    coverage : float
        Duration-weighted share of each chord's tones that sound in its span.
    analysed : float
        Share of the score's sounding time that the placed analysis covers.
    bad_measures : list of int
        Analysis measures whose agreement is below 0.5.
    decision : str
        ``'keep'``, ``'repaired'`` or ``'drop'``.
    reasons : list of str
        What was repaired, or why the piece is dropped.
    """

    spans: list[Span] = field(default_factory=list)
    order: str = "written"
    transpose: int = 0
    segments: list[tuple[int, int, int | None]] = field(default_factory=list)
    agreement: float = 0.0
    agreement_raw: float = 0.0
    coverage: float = 0.0
    analysed: float = 0.0
    bad_measures: list[int] = field(default_factory=list)
    decision: str = "keep"
    reasons: list[str] = field(default_factory=list)


def _evidence(measures, order, notes, base, reach):
    """Net evidence ``(n_units, n_score_measures)`` (-inf out of reach) and key agreements.

    The evidence of a unit on a score measure is its in-chord minus its out-of-chord note
    time there; ``keys[j, k]`` is the agreement of the whole analysis moved ``j - reach``
    measures and transposed by ``k`` semitones.
    """
    n_units, n_score = len(order), len(notes.measures)
    ev = np.full((n_units, n_score), -np.inf)
    keys = np.zeros((2 * reach + 1, 12))
    for jj, j in enumerate(range(-reach, reach + 1)):
        placed = place(measures, order, [b + j for b in base], notes)
        units = np.array([u for u, _ in placed], dtype=int)
        spans = [s for _, s in placed]
        w, mask = pc_weights(spans, notes), chord_masks(spans)
        keys[jj] = [agreement(w, np.roll(mask, k, axis=1)) for k in range(12)]
        net = np.zeros(n_units)
        np.add.at(net, units, (w * (2 * mask - 1)).sum(axis=1))
        for u, b in enumerate(base):
            if 0 <= b + j < n_score:
                ev[u, b + j] = net[u]
    return ev, keys


def _monotone_path(ev: np.ndarray, base: list[int], *, jump: float, skip: float):
    """Score measure per unit (None: left out), strictly increasing, by dynamic programming.

    A unit may follow the previous one at their natural distance (the difference of their
    measure numbers) for free, go anywhere later for ``jump`` (half of it for the first unit),
    or be left out for ``skip``. Returns the path and its total evidence minus costs.
    """
    n_units, n_score = ev.shape
    ks = np.arange(n_score)
    value = np.full(n_score + 1, -np.inf)  # index s + 1: last placed score measure s (-1: none)
    value[0] = 0.0
    trace = []
    for u in range(n_units):
        natural = np.full(n_score, -np.inf)
        if u == 0:
            step = None
            if 0 <= base[0] < n_score:
                natural[base[0]] = value[0]
        else:
            step = base[u] - base[u - 1]
            prev = ks - step
            ok = (prev >= -1) & (prev < ks)
            natural[ok] = value[prev[ok] + 1]
        before = np.maximum.accumulate(value)[:-1]  # best over states -1 .. k - 1
        jumped = before - (jump / 2 if u == 0 else jump)
        placed = np.maximum(natural, jumped) + ev[u]
        stay = value - skip
        take = np.concatenate([[False], placed > stay[1:]])
        trace.append((take, natural >= jumped, value, step))
        value = np.where(take, np.concatenate([[-np.inf], placed]), stay)
    s = int(np.argmax(value)) - 1
    total = float(value.max())
    path: list[int | None] = []
    for u in range(n_units - 1, -1, -1):
        take, was_natural, prev_value, step = trace[u]
        if not take[s + 1]:
            path.append(None)
            continue
        path.append(s)
        if was_natural[s]:
            s = -1 if u == 0 else s - step
        else:
            s = int(np.argmax(prev_value[: s + 1])) - 1
    return path[::-1], total


def check_alignment(measures: list[AnalysisMeasure], notes: ScoreNotes) -> Alignment:
    """Place an analysis on its score, repair what can be repaired, and decide.

    Tries both readings of the analysis's repeat signs; the 12 transpositions (adopted when one
    gains :data:`MIN_GAIN` agreement); and every strictly increasing assignment of analysis
    measures to score measures within reach of their numbers, where keeping to the numbering
    is free and a jump costs :data:`SWITCH_COST` typical measures of evidence (dynamic
    programming, :func:`_monotone_path`). Drops the piece when the repaired agreement is below
    :data:`MIN_AGREEMENT` or the analysis covers less than :data:`MIN_ANALYSED` of the time
    the score sounds.
    """
    reach = min(40, abs(len(notes.measures) - len(measures)) + 4)
    best = None
    for name, order in unit_orders(measures).items():
        base = [_score_index(notes, measures[i].number) for i in order]
        ev, keys = _evidence(measures, order, notes, base, reach)
        raw = keys[reach, 0]
        jj, k = np.unravel_index(int(np.argmax(keys)), keys.shape)
        k = int(k) if keys[jj, k] - keys[jj, 0] >= MIN_GAIN else 0
        if k:
            moved = [replace(m, chords=tuple(c.transposed(k) for c in m.chords)) for m in measures]
            ev = _evidence(moved, order, notes, base, reach)[0]
        good = ev.max(axis=1)
        typical = float(np.median(good[good > 0])) if (good > 0).any() else 1.0
        path, total = _monotone_path(ev, base, jump=SWITCH_COST * typical, skip=SKIP_COST * typical)
        if best is None or total > best[0] + 1e-9:
            best = (total, name, order, base, k, path, raw)
    _, name, order, base, k, path, raw = best
    chords = [c.transposed(k) for _, c in place(measures, order, path, notes)]
    out = Alignment(spans=chords, order=name, transpose=k, agreement_raw=raw)
    for u, target in enumerate(path):
        number, j = measures[order[u]].number, (None if target is None else target - base[u])
        if out.segments and out.segments[-1][2] == j:
            out.segments[-1] = (out.segments[-1][0], number, j)
        else:
            out.segments.append((number, number, j))
    _score_spans(out, notes)
    if name != "written":
        out.reasons.append("analysis repeat signs expanded (the score writes the repeat out)")
    if k:
        out.reasons.append(
            f"analysis transposed by {k} semitones ({raw:.3f} -> {out.agreement:.3f})"
        )
    for first, last, j in out.segments:
        if j is None:
            out.reasons.append(
                f"analysis m{first}-m{last} left out (no score measure fits: a variant line "
                "or a repeated measure number)"
            )
        elif j:
            out.reasons.append(
                f"analysis m{first}-m{last} placed {j:+d} measures from their number"
            )
    out.decision = "repaired" if out.reasons else "keep"
    if out.agreement < MIN_AGREEMENT:
        out.decision = "drop"
        out.reasons.append(f"pitch-class agreement {out.agreement:.3f} < {MIN_AGREEMENT}")
    if out.analysed < MIN_ANALYSED:
        out.decision = "drop"
        out.reasons.append(f"analysis covers {out.analysed:.0%} of the score < {MIN_ANALYSED:.0%}")
    return out


def _score_spans(out: Alignment, notes: ScoreNotes) -> None:
    """Fill agreement, coverage, analysed share and bad measures of ``out`` from its spans."""
    spans = out.spans
    w, mask = pc_weights(spans, notes), chord_masks(spans)
    out.agreement = agreement(w, mask)
    present = ((w > 0) * mask).sum(axis=1) / np.maximum(mask.sum(axis=1), 1)
    dur = np.array([s.end - s.start for s in spans])
    out.coverage = float((present * dur).sum() / dur.sum()) if len(spans) else 0.0
    sound = sounding(notes)
    covered = sum(max(0.0, min(b, s.end) - max(a, s.start)) for a, b in sound for s in spans)
    out.analysed = covered / sum(b - a for a, b in sound)
    by_measure: dict[int, list[int]] = {}
    for i, s in enumerate(spans):
        by_measure.setdefault(s.measure, []).append(i)
    out.bad_measures = sorted(
        m
        for m, idx in by_measure.items()
        if w[idx].sum() > 0 and agreement(w[idx], mask[idx]) < 0.5
    )
