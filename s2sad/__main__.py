"""`python -m s2sad ...` runs the command line (see s2sad/cli.py)."""

import sys

from .cli import main

if __name__ == "__main__":
    sys.exit(main())
