"""``python -m sovnarkhoz.cli ...``: the same command as ``python -m sovnarkhoz``."""

import sys

from . import main

sys.exit(main())
