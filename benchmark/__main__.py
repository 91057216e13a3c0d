"""``python -m benchmark``: the medbench command line."""

import sys

from benchmark.cli.main import main

sys.exit(main())
