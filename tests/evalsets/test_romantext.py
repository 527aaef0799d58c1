"""Tests for the RomanText evaluation set: labels, alignment checks, rendering, the whole build."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

pytest.importorskip("music21")

from chordview.evalsets import align, render_scores, romantext  # noqa: E402
from chordview.evalsets.romantext import AnalysisMeasure, Span  # noqa: E402


def _harte(figure: str, key: str) -> str:
    from music21 import roman

    return romantext.rn_to_harte(roman.RomanNumeral(figure, key))


@pytest.mark.parametrize(
    ("figure", "key", "label"),
    [
        ("I", "C", "C:maj"),
        ("V6/5", "C", "G:7/3"),  # inversion and seventh
        ("V4/2", "C", "G:7/b7"),
        ("ii6/5", "G", "A:min7/b3"),
        ("i6/4", "a", "A:min/5"),
        ("viio6", "G", "F#:dim/b3"),
        ("viio7", "c", "B:dim7"),
        ("viio4/3", "c", "B:dim7/b5"),
        ("viio2", "c", "B:dim7/bb7"),
        ("viiø7", "C", "B:hdim7"),
        ("IV", "F", "Bb:maj"),
        ("III+", "a", "C:aug"),
        ("IV7", "C", "F:maj7"),
        ("Ger65", "C", "Ab:7"),  # enharmonically a dominant seventh: same pitch classes
        ("It6", "C", "X"),  # a seventh chord without its fifth: no quality fits
        ("Fr43", "C", "X"),
        ("V[no3]", "C", "X"),  # a bare fifth: major or minor is not known
        ("V9", "C", "X"),
    ],
)
def test_numerals_become_harte_labels_from_their_pitch_classes(figure, key, label):
    assert _harte(figure, key) == label


def test_labels_are_valid_harte_in_the_chordview_vocabulary():
    import mir_eval

    from chordview.vocab import QUALITIES

    labels = ["G:7/3", "B:dim7/bb7", "Ebb:maj", "B#:min/b3", "Ab:7", "F#:hdim7/b7", "X"]
    mir_eval.chord.validate(labels, labels)
    assert all(mir_eval.chord.split(lab)[1] in QUALITIES for lab in labels[:-1])
    assert mir_eval.chord.encode("Ebb:maj")[0] == 2 and mir_eval.chord.encode("B#:min")[0] == 0


@pytest.fixture(scope="module")
def bwv269():
    """The analysis of Riemenschneider 1 (BWV 269) and its score."""
    pieces = {p.name: p for p in romantext.find_pieces()}
    piece = pieces["bach_rs001_bwv269"]
    measures = romantext.analysis_measures(romantext.parse_analysis(piece.analysis))
    notes = align.score_notes(align.parse_score(piece.score))
    return piece, measures, notes


def test_every_analysis_finds_its_score():
    pieces = romantext.find_pieces()
    assert len(pieces) == 68
    assert {p.kind for p in pieces} == {"chorale", "madrigal"}
    assert all(p.score is not None and p.score.exists() for p in pieces)
    names = {p.name: p.score.name for p in pieces}
    assert names["bach_rs009_bwv248_12-2"] == "bwv248.12-2.mxl"  # BWV 248(2).12
    assert names["bach_rs003_bwv153_1"] == "bwv153.1.mxl"
    assert not any("." in name for name in names)  # file names are name + "__organ.flac"
    assert names["monteverdi_3_1"] == "madrigal.3.1.mxl"


def test_a_chorale_measure_converts_to_the_right_labels(bwv269):
    _, measures, _ = bwv269
    m6 = next(m for m in measures if m.number == 6)  # "m6 I6 b2 ii6/5 b3 V b3.5 V7" in G
    assert [c.label for c in m6.chords] == ["G:maj/3", "A:min7/b3", "D:maj", "D:7"]
    assert [(c.start, c.end) for c in m6.chords] == [(0, 1), (1, 2), (2, 2.5), (2.5, 3)]
    pickup = measures[0]  # "m0 b3 G: I" in 3/4: starts on the third beat
    assert pickup.number == 0 and pickup.chords[0].start == 2.0


def test_analysis_as_written_agrees_with_its_score(bwv269):
    _, measures, notes = bwv269
    al = align.check_alignment(measures, notes)
    assert al.decision == "keep" and al.transpose == 0 and al.reasons == []
    assert al.agreement > 0.9 and al.analysed == pytest.approx(1.0)
    assert all(b.start >= a.end - 1e-9 for a, b in zip(al.spans, al.spans[1:], strict=False))


def test_a_transposed_analysis_is_found_and_moved_back(bwv269):
    _, measures, notes = bwv269
    up3 = [AnalysisMeasure(m.number, tuple(c.transposed(3) for c in m.chords)) for m in measures]
    al = align.check_alignment(up3, notes)
    assert al.transpose == 9 and al.decision == "repaired"
    assert al.agreement_raw < 0.5 < 0.9 < al.agreement
    assert al.spans[0].label == "G:maj"  # B:maj moved back down


def test_a_renumbered_analysis_is_placed_by_its_content(bwv269):
    _, measures, notes = bwv269
    late = [AnalysisMeasure(m.number + 2, m.chords) for m in measures[1:]]  # pickup dropped
    al = align.check_alignment(late, notes)
    assert al.segments == [(3, late[-1].number, -2)]
    assert al.agreement > 0.9 and al.decision == "repaired"


def test_repeat_signs_are_read_both_ways():
    ms = [
        AnalysisMeasure(0, ()),
        AnalysisMeasure(1, ()),
        AnalysisMeasure(2, (), repeat_end=True),
        AnalysisMeasure(3, ()),
    ]
    assert romantext.unit_orders(ms) == {
        "written": [0, 1, 2, 3],
        "repeats expanded": [0, 1, 2, 1, 2, 3],
    }


def test_monotone_path_skips_a_passage_the_analysis_leaves_out():
    ev = np.full((6, 9), -5.0)
    truth = [0, 1, 2, 6, 7, 8]  # units 3.. are three score measures later than their numbers
    for u, k in enumerate(truth):
        ev[u, k] = 10.0
    path, _ = align._monotone_path(ev, [0, 1, 2, 3, 4, 5], jump=30.0, skip=10.0)
    assert path == truth


def _notes(rows, *, measures=((1, 0.0, 0.0, 4.0), (2, 4.0, 0.0, 4.0)), fermatas=()):
    a = np.array(rows, dtype=float)
    return align.ScoreNotes(
        start=a[:, 0],
        end=a[:, 1],
        midi=a[:, 2].astype(int),
        part=a[:, 3].astype(int),
        part_names=("upper", "bass"),
        fermatas=fermatas,
        measures=measures,
    )


def test_time_map_holds_fermatas():
    notes = _notes([(0, 4, 60, 0), (4, 6, 62, 0)], fermatas=((4.0, 6.0), (5.0, 6.0)))
    tm = render_scores.time_map(notes, tempo=60.0, stretch=1.5)
    assert tm.holds == ((4.0, 6.0),)
    assert float(tm(0.0)) == render_scores.LEAD_IN
    assert float(tm(6.0)) == pytest.approx(render_scores.LEAD_IN + 4 + 3)


def test_reference_fills_x_where_unanalysed_and_n_where_silent():
    notes = _notes([(0, 2, 60, 0), (0, 2, 48, 1), (4, 8, 67, 0), (4, 8, 43, 1)])
    spans = [Span(4.0, 8.0, "G:maj", "V in C major", 2, (2, 7, 11))]
    tm = render_scores.TimeMap(tempo=60.0)
    ref = render_scores.reference(spans, notes, tm)
    lead = render_scores.LEAD_IN
    assert [lab for *_, lab in ref] == ["N", "X", "N", "G:maj", "N"]
    assert ref[1][:2] == (lead, lead + 2) and ref[3][:2] == (lead + 4, lead + 8)
    assert ref[-1][1] == pytest.approx(lead + 8 + render_scores.TAIL)


def test_overfull_rest_measures_are_cut_back():
    from music21 import meter, note, stream

    score = stream.Score()
    for i, overfull in enumerate([True, False]):
        part = stream.Part()
        m1 = stream.Measure(number=1)
        m1.append(meter.TimeSignature("4/4"))
        m1.append(
            [note.Rest(quarterLength=4), note.Rest(quarterLength=4)]
            if overfull
            else [note.Note("C4", quarterLength=4)]
        )
        m2 = stream.Measure(number=2)
        m2.append(note.Note("E4" if i == 0 else "C3", quarterLength=4))
        part.append([m1, m2])
        score.insert(0, part)
    notes = align.score_notes(score)
    assert notes.repaired_measures == ((0, 1),)
    assert notes.measures == ((1, 0.0, 0.0, 4.0), (2, 4.0, 0.0, 4.0))
    assert sorted(notes.start[notes.midi == 64]) == [4.0]  # E4 starts bar 2 with the bass


def test_build_renders_valid_jams_and_resumes(tmp_path):
    pytest.importorskip("fluidsynth")
    import jams
    import mir_eval
    import soundfile as sf

    from chordview.evalsets.build_romantext import build_set
    from chordview.evaluation import find_references, load_reference
    from chordview.generator.synth import HELDOUT_SOUNDFONT

    kw = {"seed": 0, "limit": 1, "instrumentations": ["piano"], "soundfonts": [HELDOUT_SOUNDFONT()]}
    report = build_set(tmp_path, **kw)
    assert report["analyses_found"] == 1 and report["kept_as_is"] == 1 and report["renders"] == 1
    flac = tmp_path / "bach_rs001_bwv269__piano.flac"
    ((audio, ref_path),) = find_references(tmp_path)
    assert audio == flac
    jam = jams.load(str(ref_path), validate=True)
    ann = jam.search(namespace="chord")[0]
    assert ann.sandbox["evaluation_only"] and ann.sandbox["instrumentation"] == "piano"
    assert 80 <= ann.sandbox["tempo_qpm"] <= 90
    intervals, labels = load_reference(ref_path)
    mir_eval.chord.validate(labels, labels)
    assert labels[:3] == ["N", "G:maj", "C:maj/3"]
    info = sf.info(str(flac))
    assert info.samplerate == 44100 and info.duration == pytest.approx(intervals[-1, 1], abs=1e-3)
    assert json.loads((tmp_path / "report.json").read_text())["pieces"][0]["agreement"] > 0.9
    mtime = os.path.getmtime(flac)
    build_set(tmp_path, **kw)  # resumes: nothing to do
    assert os.path.getmtime(flac) == mtime


def test_one_render_per_piece_rotates_the_instrumentations(tmp_path):
    from chordview.evalsets.build_romantext import one_per_piece

    src = tmp_path / "set"
    src.mkdir()
    renders = {
        "a": "organ strings piano",
        "b": "organ strings piano",
        "c": "organ strings",
        "d": "organ strings piano",
    }
    for piece, names in renders.items():
        for name in names.split():
            (src / f"{piece}__{name}.flac").write_bytes(f"{piece}-{name}".encode())
            (src / f"{piece}__{name}.jams").write_text("{}")
    (src / "e__organ.flac").write_bytes(b"no reference: not a render of the set")
    dst = tmp_path / "mix"
    dst.mkdir()
    (dst / "stale__organ.flac").symlink_to(src / "a__organ.flac")
    stems = one_per_piece(src, dst, instrumentations=["organ", "strings", "piano"])
    # a: organ, b: strings, c: piano, d: organ again; c has no piano: the next in turn (organ)
    assert stems == ["a__organ", "b__strings", "c__organ", "d__organ"]
    assert sorted(p.name for p in dst.iterdir()) == sorted(
        f"{s}{ext}" for s in stems for ext in (".flac", ".jams")
    )
    assert (dst / "b__strings.flac").read_bytes() == b"b-strings"  # links resolve
    assert not (dst / "b__strings.flac").readlink().is_absolute()  # the pair can move together
    from chordview.errors import ChordviewError

    with pytest.raises(ChordviewError, match="no <piece>"):
        one_per_piece(tmp_path / "mix-empty-src", tmp_path / "x")
