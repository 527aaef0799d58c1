"""Entry point of the frozen app: the ``chordview`` command (window, CLI and engine process).

``chordview.cli.main`` calls :func:`multiprocessing.freeze_support` first, so the GUI's engine
process (started with ``spawn``) runs the engine, not the command line, in the frozen app.
"""

import sys

from chordview.cli import main

if __name__ == "__main__":
    sys.exit(main())
