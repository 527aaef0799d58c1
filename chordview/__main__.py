"""``python -m chordview``: the same as the ``chordview`` command."""

import sys

from chordview.cli import main

if __name__ == "__main__":
    sys.exit(main())
