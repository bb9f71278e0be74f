"""``python -m sovnarkhoz.cli``: the same as the ``sovnarkhoz`` command."""

import sys

from .main import main

sys.exit(main())
