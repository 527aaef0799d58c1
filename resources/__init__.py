"""chordview's data files: the demo song with its reference chords, and the application icons.

Installed as the ``chordview.resources`` package; found through :mod:`chordview.assets`.
"""
