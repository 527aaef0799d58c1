"""Evaluation sets built from outside material. EVALUATION ONLY.

Nothing in this package may feed training, early stopping, checkpoint or model selection, or
the tuning of decoder parameters: these sets exist to score finished models.

:mod:`chordview.evalsets.romantext`
    Human RomanText analyses of music21's corpus (Bach chorales, Monteverdi madrigals) as Harte
    chord labels.
:mod:`chordview.evalsets.align`
    The score's notes, and the check that places each analysis on them (transposition,
    measure offsets, repeats).
:mod:`chordview.evalsets.render_scores`
    FluidSynth renderings of the scores and their timed references.
:mod:`chordview.evalsets.build_romantext`
    The whole set: ``scripts/make_romantext_set.py`` calls :func:`build_set`.
"""
