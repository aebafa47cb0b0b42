"""DesktopDesk: an offline-first desktop help desk (the ticketing half of Integria IMS).

Only :mod:`desktopdesk.ui` imports Qt widgets; everything else runs headless and is
shared by the desktop client and the server.
"""

__version__ = "0.1.0"
