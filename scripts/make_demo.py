"""Render the bundled demo song, resources/demo.flac, and its exact labels, resources/demo.jams.

Seeded and rendered with the held-out soundfont (TimGM6mb), which no shipped model trained on.
Usage: ``python scripts/make_demo.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import soundfile as sf

from chordview.generator.synth import HELDOUT_SOUNDFONT, ChordEvent, events_to_jams, render_events

SEED, TEMPO, SR = 2026, 100.0, 22050
# (label, beats): a Canon-like line in D with inversions, sevenths and a borrowed iv.
SONG = [
    ("D:maj", 4),
    ("A:maj/3", 4),
    ("B:min", 4),
    ("F#:min/5", 4),
    ("G:maj", 4),
    ("D:maj/3", 4),
    ("G:maj", 4),
    ("A:7", 4),
    ("D:maj7", 4),
    ("B:min7", 4),
    ("E:min7", 4),
    ("A:sus4", 2),
    ("A:7", 2),
    ("F#:min7", 4),
    ("B:7", 4),
    ("E:min", 2),
    ("G:min", 2),
    ("A:7", 4),
    ("D:maj", 8),
]


def main() -> int:
    out = Path(__file__).resolve().parent.parent / "resources"
    beat = 60.0 / TEMPO
    events, t = [], 0.0
    for label, beats in SONG:
        events.append(ChordEvent(label, t, beats * beat))
        t += beats * beat
    y = render_events(events, soundfont=HELDOUT_SOUNDFONT(), sr=SR, seed=SEED, tempo=TEMPO)
    sf.write(out / "demo.flac", y, SR, subtype="PCM_16")
    events_to_jams(events, duration=len(y) / SR).save(str(out / "demo.jams"))
    print(f"wrote {out / 'demo.flac'} ({len(y) / SR:.1f} s, {len(events)} chords)")
    print(" ".join(e.label for e in events))
    return 0


if __name__ == "__main__":
    sys.exit(main())
