"""``python -m nmdesk``."""

import sys

from nmdesk.cli import main

sys.exit(main())
