"""``python -m desktopdesk``."""

import sys

from desktopdesk.cli import main

sys.exit(main())
