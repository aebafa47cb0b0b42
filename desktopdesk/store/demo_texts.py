"""Workunit texts for the demo, by moment of a ticket's life.

Written so any of them fits any ticket; ``{creator}``, ``{tech}`` and ``{ref}`` are filled
in by the journey. Kept apart from the stories so the stories stay about their tickets.
"""

from __future__ import annotations

from desktopdesk.models import Resolution

ESCALATION = (
    "<p>Assigning to {tech}, who handled a similar case last month.</p>",
    "<p>{tech} is on the rota this week; over to you.</p>",
    "<p>Passing this to {tech}: closest to the customer's site today.</p>",
    "<p>Second level needed here — {tech}, can you take it?</p>",
)

PICK_UP = (
    "<p>Taking this one. I'll contact {creator} this morning.</p>",
    "<p>On it. First step: reproduce the problem with {creator}.</p>",
    "<p>Picked up; checking the history of this device and user.</p>",
)

WORK = (
    "<p>Connected remotely and reproduced the problem. Collecting logs before changing "
    "anything.</p>",
    "<p>Event log shows repeated errors starting the day the problem was reported; "
    "comparing with the last change window.</p>",
    "<p>Called {creator} to walk through the steps: it only happens on the office "
    "network.</p>",
    "<p>Applied the vendor's recommended workaround; monitoring for 24 h.</p>",
    "<p>Cleared cached credentials and rebuilt the user profile. First tests look good.</p>",
    "<p>Found a similar case in the knowledge base (fixed by a driver update); trying that "
    "first.</p>",
    "<p>Updated firmware and drivers to the latest stable versions (release notes "
    "checked).</p>",
    "<p>Tested with a spare unit: the problem does not follow the user, so it is the "
    "device.</p>",
)

ON_SITE = (
    "<p>Went on site: swapped the cable and the power supply to rule them out.</p>",
    "<p>On-site visit: checked the device with {creator}, took it to the workshop for "
    "tests.</p>",
)

INTERNAL = (
    "<p>Internal: customer on a contract with a short SLA — keep them posted every "
    "morning.</p>",
    "<p>Internal: do not promise a date until the supplier confirms stock.</p>",
    "<p>Internal: this is the third time this quarter; worth a problem ticket.</p>",
)

PRIVATE = (
    "<p>Private: I suspect an unapproved add-in; checking before raising it with "
    "{creator}.</p>",
    "<p>Private note to self: the old admin account still has access here, clean up "
    "after.</p>",
)

CREATOR_DETAIL = (
    "<p>More details: it also happens after a restart.</p>",
    "<p>I can be available tomorrow from 9:00 if you need to connect.</p>",
    "<p>Adding: two colleagues see the same thing since yesterday.</p>",
)

CREATOR_CHASE = (
    "<p>Any news on this? It is slowing the whole team down.</p>",
    "<p>Hi, just checking whether there is an update.</p>",
)

CREATOR_THANKS = (
    "<p>Thanks, it works now! 👍</p>",
    "<p>Confirmed, all good on our side. ¡Muchas gracias!</p>",
    "<p>Works perfectly, thank you for the quick help.</p>",
)

CREATOR_AGAIN = (
    "<p>Sorry, it is happening again since this morning.</p>",
    "<p>The problem is back — same symptoms as before.</p>",
)

UNCONFIRMED = (
    "<p>Received. Before classifying it: which device exactly, and since when?</p>",
    "<p>Not clear yet whether this is ours or the supplier's; waiting for details.</p>",
)

WAITING = (
    "<p>Opened a case with the supplier (ref. {ref}); waiting for their answer.</p>",
    "<p>Waiting for the ISP to check the line; they promised an answer within 48 h.</p>",
    "<p>Waiting for approval of the purchase (quote {ref}).</p>",
)

FIX_APPLIED = (
    "<p>Fix applied. {creator}, please confirm everything works and we will close the "
    "ticket.</p>",
    "<p>Should be solved now; leaving it a couple of days to confirm.</p>",
)

REOPENING = (
    "<p>Reopening: the previous fix did not hold. Looking at it again.</p>",
    "<p>Reopened after {creator}'s report; collecting fresh logs.</p>",
)

EPILOGUES = {
    Resolution.FIXED: "<p>Solved; details in the workunits.</p>",
    Resolution.DUPLICATE: "<p>Duplicate of another ticket; followed up there.</p>",
    Resolution.WORKS_FOR_ME: "<p>Could not be reproduced.</p>",
    Resolution.WONT_FIX: "<p>Outside what support covers.</p>",
}
