"""The song generator: seeded progressions played by a band or sung in four parts, rendered with
FluidSynth, labels exact by construction (:mod:`chordview.generator.synth` is its CLI)."""
