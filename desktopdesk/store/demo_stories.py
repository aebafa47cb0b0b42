"""What the demo's tickets are about: the customers' stories (Acme and independents).

Content only. A story fixes what a person would remember about a ticket (who asked,
what, when, how it ended); ``demo_journeys`` turns it into the commands that live it out,
and the seeded random generator decides the small things (times, who helped, notes).

Custom values may be relative dates: ``@+14`` is fourteen days after the demo's today,
``@-900`` that many days before it.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktopdesk.models import Priority, Resolution, Status


@dataclass(frozen=True)
class Story:
    key: str
    #: Calendar days before the demo's today that the ticket was opened.
    days_ago: int
    group: str
    creator: str
    final: Status
    priority: Priority
    title: str
    description: str
    ticket_type: str | None = None
    #: Custom field label -> value as a person would type it.
    values: tuple[tuple[str, str], ...] = ()
    resolution: Resolution = Resolution.FIXED
    epilogue: str = ""
    #: Staff member who typed the ticket in for the creator (a phone call).
    entered_by: str | None = None
    #: Technician who ends up owning it; None lets the lead (or chance) decide.
    assignee: str | None = None
    inventory: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    #: File names; the extension decides the kind (.png screenshot, .log, .csv).
    files: tuple[str, ...] = ()
    #: Parent story: filed under it when younger, adopted by the lead when older.
    parent: str | None = None
    #: Closed, reopened because the fix did not hold, then closed again.
    reopened: bool = False
    locked: bool = False


C, N, U, A, R, PC, P3 = (
    Status.CLOSED, Status.NEW, Status.UNCONFIRMED, Status.ASSIGNED, Status.REOPENED,
    Status.PENDING_TO_BE_CLOSED, Status.PENDING_THIRD_PERSON,
)
HW, SW = "hardware", "software"

ACME_STORIES = (
    Story(
        "acme-laptop-boot", 24, "acme", "acme.ana", C, Priority.SERIOUS,
        "Laptop won't boot after last night's Windows update",
        "<p>This morning my laptop shows a blue screen with <strong>INACCESSIBLE_BOOT_DEVICE"
        "</strong> and restarts in a loop. It installed updates last night.</p><p>I have a "
        "client presentation at 16:00, the slides are on the laptop.</p>",
        HW, (("Hardware type", "Laptop"), ("Brand", "Lenovo"), ("Model", "ThinkPad T14"),
             ("Impact", "Cannot work"), ("Purchase date", "@-610"), ("Under warranty", "1")),
        epilogue="<p>Booted into recovery, suspended BitLocker and rolled back the storage "
                 "driver update. Update paused for this model until the vendor fix.</p>",
        assignee="tomas", inventory=("ana-laptop",), files=("pantallazo-error.png",),
    ),
    Story(
        "acme-outlook-password", 20, "acme", "acme.ana", C, Priority.MEDIUM,
        "Outlook keeps asking for my password",
        "<p>Since Monday Outlook asks for my password every hour or so. I type it, it works "
        "for a while, then asks again. Webmail works fine.</p>",
        SW, (("Application", "Microsoft 365"),),
        epilogue="<p>Removed stale credentials from Windows Credential Manager and re-created "
                 "the Outlook profile with modern authentication.</p>",
        parent="outlook-problem", reopened=True,
    ),
    Story(
        "acme-vpn-drops", 16, "acme", "acme.bob", P3, Priority.SERIOUS,
        "VPN disconnects every 10 minutes when working from home",
        "<p>The VPN client drops the connection roughly every ten minutes and I lose my "
        "session in the ERP. It started after my ISP replaced the router.</p><ul><li>Home "
        "fibre, 600 Mb</li><li>VPN client 5.1</li></ul>",
        SW, (("Application", "VPN client"),), files=("vpnclient.log",),
        cc=("it-manager@example.com",),
    ),
    Story(
        "acme-onboarding-marta", 9, "acme", "acme.bob", A, Priority.MEDIUM,
        "New starter: accounts and laptop for Marta Gómez",
        "<p>Marta Gómez joins the sales team on the 1st. She needs:</p><ol><li>Microsoft 365 "
        "account and mailbox</li><li>ERP user with the <em>Ventas</em> role</li><li>A laptop "
        "and a docking station</li></ol>",
        SW, (("Application", "Microsoft 365"), ("Licences needed", "1"), ("Needed by", "@+5"),
             ("Manager approval", "1")),
        cc=("marta.gomez@example.com",),
    ),
    Story(
        "acme-dock-marta", 8, "acme", "acme.bob", P3, Priority.LOW,
        "Order a USB-C docking station for Marta Gómez",
        "<p>Part of Marta's onboarding: she needs a USB-C dock with two display outputs.</p>",
        parent="acme-onboarding-marta",
    ),
    Story(
        "acme-mouse-doubleclick", 30, "acme", "acme.bob", C, Priority.LOW,
        "Mouse double-clicks on its own",
        "<p>My mouse registers a double click when I click once. Dragging files is "
        "impossible.</p>",
        HW, (("Hardware type", "Mouse"), ("Brand", "Logi"), ("Model", "MX Master 3S"),
             ("Impact", "Can work with difficulty"), ("Under warranty", "1")),
        epilogue="<p>Known switch fault; replaced under warranty (RMA approved by Logitech).</p>",
        inventory=("bob-mouse",),
    ),
    Story(
        "acme-finance-readonly", 35, "acme", "acme.ana", C, Priority.VERY_SERIOUS,
        "Shared drive S: is read-only for the whole finance team",
        "<p>Nobody in finance can save to <code>S:\\Finanzas</code>: «Access denied». We close "
        "the quarter this week — <strong>urgent</strong>.</p>",
        epilogue="<p>A permissions script run by mistake removed the Modify right from the "
                 "Finance group. Restored the ACL from the nightly backup.</p>",
        cc=("finance-lead@example.com",), files=("acceso-denegado.png",),
    ),
    Story(
        "acme-printer-blank", 6, "acme", "acme.ana", PC, Priority.MEDIUM,
        "Printer on the 2nd floor prints blank pages",
        "<p>The HP on the 2nd floor feeds the paper but the pages come out blank. The display "
        "shows no error.</p>",
        inventory=("acme-printer",),
    ),
    Story(
        "acme-keyboard-layout", 27, "acme", "acme.bob", C, Priority.LOW,
        "Keyboard types UK symbols, I need the Spanish layout (ñ, ç, tildes)",
        "<p>My new keyboard is a UK one: no <strong>ñ</strong>, and the accent keys "
        "(á, é, í, ó, ú) are missing. I write to Spanish customers all day.</p>",
        HW, (("Hardware type", "Keyboard"), ("Brand", "UK"), ("Impact", "Can work with "
             "difficulty")),
        epilogue="<p>Swapped for a Spanish (ES) layout keyboard from stock.</p>",
    ),
    Story(
        "acme-acrobat-licences", 2, "acme", "acme.ana", N, Priority.LOW,
        "Adobe Acrobat Pro licences for the contracts team",
        "<p>The contracts team (3 people) needs Acrobat Pro to edit and sign PDFs. Budget is "
        "approved by our manager.</p>",
        SW, (("Application", "Adobe Acrobat"), ("Licences needed", "3"),
             ("Needed by", "@+14"), ("Manager approval", "1")),
    ),
    Story(
        "acme-teams-audio", 5, "acme", "acme.bob", A, Priority.MEDIUM,
        "Teams calls lose audio after about 30 seconds",
        "<p>In Teams calls the other side stops hearing me after ~30 s. Video keeps working. "
        "Happens with the headset and with the laptop's own microphone.</p>",
        SW, (("Application", "Microsoft 365"),),
    ),
    Story(
        "acme-reception-flicker", 3, "acme", "acme.ana", U, Priority.MEDIUM,
        "Screen flickering on the reception PC",
        "<p>The reception screen flickers every few seconds, worse in the afternoon.</p>",
        HW, (("Hardware type", "PC"), ("Brand", "Dell"), ("Model", "OptiPlex 7010")),
        inventory=("acme-reception-pc",),
    ),
    Story(
        "acme-erp-invoices", 14, "acme", "acme.ana", R, Priority.SERIOUS,
        "Cannot print invoices from the ERP — error «Documento no válido»",
        "<p>When printing an invoice from Sage the ERP shows <em>«Documento no válido "
        "(código 0x1F)»</em>. Delivery notes print fine.</p>",
        SW, (("Application", "ERP (Sage)"),),
        epilogue="<p>Re-registered the invoice template after the ERP update.</p>",
        files=("erp-error.png",),
    ),
    Story(
        "acme-ups-batteries", 13, "acme", "ramon", A, Priority.MAINTENANCE,
        "Scheduled maintenance: replace UPS batteries in Acme's server room",
        "<p>The UPS self-test reports batteries at 61 % capacity. Replace the battery pack "
        "(APC RBC7) during the next maintenance window; servers stay on mains.</p>",
        assignee="luis", inventory=("acme-ups",), cc=("facilities@example.com",),
    ),
    Story(
        "acme-wifi-sala-azul", 1, "acme", "acme.bob", N, Priority.MEDIUM,
        "Wi-Fi in meeting room «Sala Azul» is very slow",
        "<p>In Sala Azul video calls freeze; a speed test gives 2 Mb/s. Other rooms are "
        "fine.</p>",
    ),
    Story(
        "acme-payroll-phone", 34, "acme", "acme.bob", C, Priority.SERIOUS,
        "Phone call: Bob cannot open the payroll folder on S:",
        "<p>Bob called: «Access denied» on <code>S:\\Finanzas\\Nóminas</code> since this "
        "morning. Logged by phone.</p>",
        resolution=Resolution.DUPLICATE, entered_by="ramon", assignee="ramon",
        epilogue="<p>Same cause as the finance team's read-only drive; followed up there.</p>",
    ),
    Story(
        "acme-mac-battery", 4, "acme", "acme.ana", PC, Priority.VERY_SERIOUS,
        "MacBook battery is swollen — trackpad no longer clicks",
        "<p>The MacBook in the design studio no longer sits flat and the trackpad does not "
        "click. We have stopped using it.</p>",
        HW, (("Hardware type", "Laptop"), ("Brand", "Mac"), ("Impact", "Cannot work"),
             ("Affected users", "2")),
        inventory=("acme-mac",),
    ),
    Story(
        "acme-password-expired", 22, "acme", "acme.bob", C, Priority.SERIOUS,
        "Password expired while I was on holiday, now I'm locked out",
        "<p>I came back from holiday and my password had expired. After a few tries the "
        "account is locked.</p>",
        epilogue="<p>Unlocked the account and sent a one-time password by SMS; MFA "
                 "re-registered.</p>",
        reopened=True,
    ),
    Story(
        "acme-slack-mobile", 18, "acme", "acme.ana", C, Priority.INFORMATIVE,
        "Slack notifications don't arrive on my phone",
        "<p>Slack on my phone does not notify me of direct messages. Not urgent.</p>",
        SW, (("Application", "Slack"),), resolution=Resolution.WORKS_FOR_ME,
        epilogue="<p>Notifications arrive after reinstalling the app; could not reproduce.</p>",
    ),
    Story(
        "acme-zoom-boardroom", 0, "acme", "acme.bob", N, Priority.LOW,
        "Please install Zoom on the boardroom PC",
        "<p>A customer sends us Zoom invitations; could you install Zoom on the boardroom "
        "PC?</p>",
        SW, (("Application", "Zoom"),),
    ),
)

INDEPENDENT_STORIES = (
    Story(
        "indie-laptop-fan", 38, "independent", "indie.carla", C, Priority.MEDIUM,
        "My laptop fan is very loud and the laptop gets hot",
        "<p>The fan runs at full speed all the time and the keyboard gets hot, even with only "
        "the browser open.</p>",
        HW, (("Hardware type", "Laptop"), ("Brand", "HP"), ("Purchase date", "@-900"),
             ("Under warranty", "0")),
        epilogue="<p>Cleaned the heatsink and replaced the thermal paste; temperatures back "
                 "to normal (52 °C idle).</p>",
        inventory=("carla-laptop",), locked=True,
    ),
    Story(
        "indie-iphone-mail", 7, "independent", "indie.carla", A, Priority.MEDIUM,
        "Cannot send e-mail from my iPhone — «No se puede enviar el correo»",
        "<p>I receive mail on my iPhone but sending fails with «No se puede enviar el correo: "
        "el servidor rechazó la conexión». On the laptop it works.</p>",
    ),
    Story(
        "indie-backup-fails", 12, "independent", "indie.carla", P3, Priority.SERIOUS,
        "Backup to the external disk fails with error 0x80070057",
        "<p>Windows Backup stops at 40 % with error <code>0x80070057</code>. The disk is "
        "new (2 TB).</p>",
        files=("backup.log",),
    ),
    Story(
        "indie-invoice", 2, "independent", "indie.carla", U, Priority.LOW,
        "Last month's support invoice seems to count hours twice",
        "<p>Invoice 2026-031 lists 3.5 h on the 12th twice. Could you check?</p>",
    ),
    Story(
        "indie-brother-drivers", 1, "independent", "indie.carla", N, Priority.INFORMATIVE,
        "Which driver do I need for my Brother HL-L2350DW?",
        "<p>I bought a Brother HL-L2350DW for home. Which driver should I install, and can it "
        "print from the phone?</p>",
    ),
    Story(
        "indie-nunez-website", 19, "independent", "javi", C, Priority.SERIOUS,
        "Phone call from Sr. Núñez (independent customer): website down",
        "<p>Sr. Jorge Núñez called: his shop's website shows «Error establishing a database "
        "connection». He is not a DesktopDesk user; keep him in copy.</p>",
        epilogue="<p>Hosting provider had restarted the database with a full disk; freed "
                 "space and restarted MySQL. Site back up.</p>",
        cc=("j.nunez@example.com",),
    ),
)

CUSTOMER_STORIES = ACME_STORIES + INDEPENDENT_STORIES
