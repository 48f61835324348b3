"""Allow ``python -m analyzer``."""

import os
import sys

# ``python -m`` puts the working directory first on sys.path. When that directory is the
# repository being scanned, a module there named like one of our dependencies (bandit.py,
# rich/) would be imported and run; scanning must never execute the target's code.
if (
    sys.path
    and sys.path[0] in ("", os.getcwd())
    and not os.path.isdir(os.path.join(sys.path[0] or ".", "analyzer"))
):
    sys.path.pop(0)

from analyzer.cli import main

sys.exit(main())
