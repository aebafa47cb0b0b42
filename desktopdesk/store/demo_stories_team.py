"""What the demo's tickets are about: the support team's own work (Support and its queues).

Content only, in the form described in ``demo_stories``.
"""

from __future__ import annotations

from desktopdesk.models import Priority, Resolution
from desktopdesk.store.demo_stories import HW, P3, PC, SW, A, C, N, R, Story, U

SUPPORT_STORIES = (
    Story(
        "ssl-renewal", 41, "support", "luis", C, Priority.MAINTENANCE,
        "Renew the TLS certificate for helpdesk.example.com",
        "<p>The certificate expires in 21 days. Renew it and deploy to the reverse proxy; "
        "check the chain with <code>openssl s_client</code>.</p>",
        epilogue="<p>New certificate deployed, valid for 13 months; chain verified.</p>",
        assignee="luis",
    ),
    Story(
        "patching-window", 12, "support", "ramon", A, Priority.MAINTENANCE,
        "Monthly patching window: Windows servers",
        "<p>Patch Tuesday window for the Windows servers. One child ticket per server; "
        "snapshots before patching, reboot after 20:00.</p>",
        assignee="ramon", cc=("change-board@example.com",),
    ),
    Story(
        "patch-file01", 11, "support", "tomas", R, Priority.SERIOUS,
        "Patch SRV-FILE01: KB5034441 fails with 0x80070643",
        "<p>The security update fails on SRV-FILE01 with <code>0x80070643</code>. Known "
        "issue: the recovery partition is too small.</p>",
        epilogue="<p>Resized the recovery partition (+250 MB) and installed the update.</p>",
        assignee="tomas", inventory=("srv-file01",), files=("windowsupdate.log",),
        parent="patching-window",
    ),
    Story(
        "patch-app02", 11, "support", "javi", C, Priority.MAINTENANCE,
        "Patch SRV-APP02 and reboot",
        "<p>Apply this month's updates to SRV-APP02 and reboot after 20:00.</p>",
        epilogue="<p>Patched, rebooted at 20:14, services checked.</p>",
        assignee="javi", inventory=("srv-app02",), parent="patching-window",
    ),
    Story(
        "kb-vpn-article", 8, "support", "javi", PC, Priority.LOW,
        "Update the knowledge base article on VPN setup (client 5.2)",
        "<p>The VPN article still shows the 5.0 screens. Update the steps and screenshots for "
        "client 5.2.</p>",
        assignee="javi",
    ),
    Story(
        "rotate-admin-passwords", 0, "support", "ramon", N, Priority.MAINTENANCE,
        "Quarterly rotation of the shared admin passwords",
        "<p>Rotate the local admin and service account passwords and update the vault.</p>",
    ),
    Story(
        "spare-parts-count", 5, "support", "tomas", U, Priority.INFORMATIVE,
        "Spare parts inventory count — Q1",
        "<p>Count the spare parts in the workshop and reconcile with the inventory export "
        "(attached).</p>",
        assignee="tomas", files=("inventario-repuestos.csv",),
    ),
    Story(
        "disk-full-file01", 26, "support", "luis", C, Priority.VERY_SERIOUS,
        "Monitoring alert: disk 92 % full on SRV-FILE01",
        "<p>Monitoring reports volume D: at 92 % and growing about 2 % a day.</p>",
        epilogue="<p>Moved old scan archives to cold storage and enabled deduplication: "
                 "D: now at 61 %.</p>",
        assignee="luis", inventory=("srv-file01",), files=("disk-usage.log",),
    ),
    Story(
        "remote-tool-renewal", 15, "support", "ramon", P3, Priority.MEDIUM,
        "Remote support tool: licence renewal due in 30 days",
        "<p>Our remote support tool licence (5 seats) expires next month. Ask the reseller "
        "for a quote, with and without the mobile add-on.</p>",
        assignee="ramon",
    ),
    Story(
        "outlook-problem", 10, "support", "ramon", A, Priority.VERY_SERIOUS,
        "Problem: Outlook keeps asking for passwords at several customers",
        "<p>Several customers report Outlook prompting for credentials since the last "
        "Microsoft 365 change. Collecting the related tickets here as children.</p>",
        assignee="tomas",
    ),
)

HARDWARE_STORIES = (
    Story(
        "workshop-no-post", 29, "hardware", "javi", C, Priority.MEDIUM,
        "Workshop test bench PC does not POST",
        "<p>The test bench PC beeps three times and shows nothing on screen.</p>",
        HW, (("Hardware type", "PC"), ("Brand", "HP"), ("Impact", "Can work with "
             "difficulty")),
        epilogue="<p>One RAM module had failed; replaced it and ran memtest overnight.</p>",
        inventory=("workshop-pc",),
    ),
    Story(
        "thinkpad-batteries", 17, "hardware", "luis", P3, Priority.LOW,
        "Laptop pool: three ThinkPads need new batteries",
        "<p>Three pool laptops last under an hour on battery. List attached.</p>",
        HW, (("Hardware type", "Laptop"), ("Brand", "Lenovo"), ("Model", "ThinkPad X1 Carbon"),
             ("Affected users", "3"), ("Under warranty", "0")),
        files=("baterias-thinkpad.csv",),
    ),
    Story(
        "label-printer-garbled", 9, "hardware", "tomas", A, Priority.MEDIUM,
        "Warehouse label printer prints garbled characters (ÄÖÜ → ???)",
        "<p>The Zebra printer replaces accented letters with <code>???</code> on German "
        "customers' labels (Müller, Größe…).</p>",
        inventory=("label-printer",),
    ),
    Story(
        "trackball-rsi", 33, "hardware", "ramon", C, Priority.LOW,
        "Ergonomic trackball for a technician with RSI",
        "<p>Occupational health recommends a trackball for Luis. Please order one.</p>",
        HW, (("Hardware type", "Other"), ("Brand", "trackball")),
        epilogue="<p>Trackball delivered and configured.</p>",
    ),
    Story(
        "mac-keyboard-spill", 0, "hardware", "javi", N, Priority.MEDIUM,
        "Coffee spilled on the front desk Mac keyboard",
        "<p>Coffee on the front desk keyboard; several keys stick. A spare is needed.</p>",
        HW, (("Hardware type", "Keyboard"), ("Brand", "Mac"),
             ("Impact", "Can work with difficulty")),
    ),
    Story(
        "monitor-arm", 21, "hardware", "tomas", C, Priority.INFORMATIVE,
        "Monitor arm mount broken at desk 14",
        "<p>The VESA arm at desk 14 no longer holds the monitor up.</p>",
        HW, (("Hardware type", "Monitor"),), resolution=Resolution.WONT_FIX,
        epilogue="<p>Furniture is handled by Facilities, not IT; passed on to them.</p>",
    ),
)

SOFTWARE_STORIES = (
    Story(
        "erp-month-end", 6, "software", "ramon", A, Priority.SERIOUS,
        "ERP (Sage) very slow during month-end close",
        "<p>Month-end reports take 20+ minutes and lock other users out.</p>",
        SW, (("Application", "ERP (Sage)"),),
    ),
    Story(
        "slack-guests", 23, "software", "tomas", C, Priority.LOW,
        "Slack guest accounts for the external auditors",
        "<p>Two auditors need guest access to <code>#audit-2026</code> until the end of the "
        "month.</p>",
        SW, (("Application", "Slack"), ("Licences needed", "2"), ("Manager approval", "1")),
        epilogue="<p>Single-channel guests created, expiring on the last day of the month.</p>",
    ),
    Story(
        "m365-licence-mismatch", 10, "software", "javi", PC, Priority.MEDIUM,
        "Microsoft 365: licence count in the portal doesn't match our records",
        "<p>The admin portal shows 47 assigned licences; our list says 44. Export attached.</p>",
        SW, (("Application", "Microsoft 365"),),
        assignee="javi", files=("licencias-m365.csv",),
    ),
    Story(
        "vpn-rollout", 18, "software", "luis", A, Priority.MAINTENANCE,
        "Roll out VPN client 5.2 to all laptops",
        "<p>Deploy VPN client 5.2 through the software centre in three waves.</p>",
        SW, (("Application", "VPN client"), ("Licences needed", "40"), ("Needed by", "@+10")),
    ),
    Story(
        "antivirus-erp-updater", 3, "software", "luis", U, Priority.SERIOUS,
        "Antivirus quarantines the ERP updater",
        "<p>The endpoint protection flags <code>SageUpdater.exe</code> as suspicious and "
        "quarantines it.</p>",
        SW, (("Application", "ERP (Sage)"),),
    ),
    Story(
        "acrobat-signing-crash", 20, "software", "tomas", R, Priority.MEDIUM,
        "Acrobat crashes when signing PDFs with a certificate",
        "<p>Signing <em>informe_報告書.pdf</em> with the company certificate closes Acrobat "
        "without a message. Unsigned PDFs are fine.</p>",
        SW, (("Application", "Adobe Acrobat"),),
        epilogue="<p>Updated Acrobat and re-imported the certificate chain.</p>",
        assignee="tomas", files=("firma-error.png",),
    ),
)

TEAM_STORIES = SUPPORT_STORIES + HARDWARE_STORIES + SOFTWARE_STORIES
