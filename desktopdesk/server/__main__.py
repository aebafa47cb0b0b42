"""``python -m desktopdesk.server`` is ``desktopdesk-server``."""

from desktopdesk.server.cli import main

raise SystemExit(main())
