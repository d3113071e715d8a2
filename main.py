"""Launch the nmdesk desktop application: ``python main.py [--path FILE]``."""

import sys

from ui.app import run

if __name__ == "__main__":
    sys.exit(run(sys.argv))
