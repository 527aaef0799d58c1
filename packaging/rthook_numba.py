"""PyInstaller runtime hook: librosa's numba functions use the compiled cache shipped in the app.

Without it every first run on a machine spends about 35 s compiling them (a frozen module has no
source folder to cache beside). packaging/build.sh fills ``_internal/numba_cache`` by analysing
the demo song once; on a CPU the cache does not fit, numba compiles again and, where the app's
folder is writable, adds to it. A user's own NUMBA_CACHE_DIR wins.
"""

import os
import sys

os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(sys._MEIPASS, "numba_cache"))
