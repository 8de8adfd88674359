"""The officials' field app (issue 15): an installable app scoped to the officials' workspace
that works without signal. One page, /officials/app, which the service worker keeps; the
official's work lives on the phone only encrypted (static/js/field-vault.js) and goes back
through the review's JSON API (static/js/field.js).

The page carries nothing personal (not even who is signed in), so the service worker may keep
it; the work comes from GET /api/v1/field-work and is stored encrypted, never in a cache.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, current_app, render_template, url_for
from flask_babel import gettext as _

from node.auth import signed_in
from node.services.scopes import COMMUNE_OFFICER, VILLAGE_HEAD
from node.web.officials_forms import CLASSIFICATIONS, STATUSES
from node.web.portal import STEP_TITLES
from node.web.portal_assets import standard_names
from shared.standards import national_standards
from shared.standards.catalog import DATA_DIR
from shared.web.assets import static_url_path
from shared.web.caching import asset

bp = Blueprint("officials_field", __name__, url_prefix="/officials")
# The worker and the manifest are the same for everyone.
files = asset(Blueprint("officials_field_files", __name__, url_prefix="/officials"))

APP_PAGE = "/officials/app"
SHELL_STATIC = (
    "css/app.css",
    "css/officials.css",
    "js/engine.js",
    "js/field-vault.js",
    "js/field.js",
    "icons/icon.svg",
    "icons/icon-192.png",
)
WORKER_TEMPLATE = ("officials", "sw.js")


@bp.get("/app")
@signed_in(VILLAGE_HEAD, COMMUNE_OFFICER)
def field_app() -> str:
    """The field app's one page: set a PIN, download, verify, record meetings, send."""
    standards = national_standards()
    config = {
        "standardUrls": [url_for("portal_assets.standard", name=s.id) for s in standards],
        "catalogUrl": url_for("portal_assets.standard", name="facts"),
        "workUrl": url_for("field.FieldWork"),
        "devicesUrl": url_for("field.Devices"),
        "applicationUrl": "/api/v1/applications/{id}",
        "verifyUrl": "/api/v1/applications/{id}/actions/verify",
        "meetingsUrl": url_for("review.Meetings"),
        "workerUrl": url_for("officials_field_files.worker"),
        "loginUrl": url_for("officials.login", next=APP_PAGE),
        "pinMin": 6,
        "maxAttempts": 5,
        "lang": "vi",
    }
    return render_template("officials/field.html", config=config, texts=field_texts())


def shell_urls() -> list[str]:
    """Everything the worker stores when it installs: the page, its files, the standards."""
    static = [static_url_path(path) for path in SHELL_STATIC]
    standards = [f"/standards/{name}.json" for name in standard_names()]
    return [APP_PAGE, *static, *standards, "/officials/manifest.webmanifest"]


@cache
def shell_version(static_folder: str, template: str) -> str:
    """A hash of the stored files and of the worker: a change to any makes a new cache."""
    digest = hashlib.sha256(Path(template).read_bytes())
    for path in [Path(static_folder, p) for p in SHELL_STATIC] + [
        DATA_DIR / f"{name}.json" for name in standard_names()
    ]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@files.get("/sw.js")
def worker() -> Response:
    """The field app's service worker, served from /officials/ so that its scope is the
    officials' workspace and nothing else."""
    template = Path(current_app.root_path, current_app.template_folder, *WORKER_TEMPLATE)
    version = shell_version(current_app.static_folder, str(template))
    body = render_template("officials/sw.js", version=version, shell=shell_urls(), page=APP_PAGE)
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@files.get("/manifest.webmanifest")
def manifest() -> Response:
    """The installed field app: its name, icons, and the officials' workspace as its scope."""
    body = {
        "name": _("Field work: verification and village meetings"),
        "short_name": _("Field work"),
        "lang": "vi",
        "start_url": APP_PAGE,
        "scope": "/officials/",
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#a3141c",
        "icons": [
            {"src": static_url_path("icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static_url_path("icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    response = current_app.json.response(body)
    response.mimetype = "application/manifest+json"
    return response


def field_texts() -> dict[str, str]:
    """Every word field.js shows, in the page's language ({name} placeholders filled there).

    Long because it is one flat table of the app's words, kept together for the translators.
    """
    texts = {
        "setupTitle": _("Set a PIN for this phone"),
        "setupHint": _(
            "Your work is kept on this phone encrypted with this PIN. Without it nobody can read "
            "it. After %(attempts)s wrong PINs, or when you sign out, it is deleted.",
            attempts=5,
        ),
        "pinNew": _("New PIN (at least %(min)s digits)", min="{min}"),
        "pinAgain": _("The PIN again"),
        "pinTooShort": _("The PIN has at least %(min)s digits and only digits.", min="{min}"),
        "pinMismatch": _("The two PINs are not the same."),
        "deviceLabel": _("This phone's name (for the administrator's list)"),
        "defaultDevice": _("My phone"),
        "pinSetAndDownload": _("Set the PIN and download my work"),
        "working": _("Please wait…"),
        "needConnection": _("This needs a connection. Try again where there is signal."),
        "downloadFailed": _("The work could not be downloaded. Try again."),
        "unlockTitle": _("Enter your PIN"),
        "unlockHint": _("The work on this phone is encrypted; the PIN opens it."),
        "pinEnter": _("PIN"),
        "unlock": _("Open"),
        "pinWrong": _("Wrong PIN. Tries left before the data is deleted: %(left)s.", left="{left}"),
        "wipedAfterAttempts": _(
            "Too many wrong PINs: the data on this phone was deleted. Download your work again."
        ),
        "revokedTitle": _("This phone may no longer sync"),
        "revoked": _(
            "The administrator revoked this phone: its data was deleted. Sign in on your own "
            "phone to continue."
        ),
        "signInAgain": _("Sign in"),
        "signInToSend": _("Your session has ended: sign in again to send; nothing is lost."),
        "homeTitle": _("Field work"),
        "online": _("Connected"),
        "offline": _("No connection: the work is saved on this phone"),
        "waiting": _("Waiting to be sent: %(count)s", count="{count}"),
        "sent": _("Sent: %(count)s", count="{count}"),
        "attention": _("Needs attention: %(count)s", count="{count}"),
        "send": _("Send"),
        "needsAttention": _("Needs attention"),
        "resolve": _("See and choose"),
        "toVerify": _("Households to verify"),
        "nothingToVerify": _("No household is assigned to you for verification."),
        "verify": _("Verify"),
        "verifyAgain": _("Verify again"),
        "meetings": _("Village meetings"),
        "noMeetings": _("No household is waiting for a village meeting."),
        "meetingHouseholds": _("Households verified for the meeting: %(count)s", count="{count}"),
        "meetingRecorded": _("Meeting recorded on this phone"),
        "recordMeeting": _("Record the meeting"),
        "postings": _("Posting lists"),
        "queue": _("Changes on this phone"),
        "download": _("Download my work again"),
        "lock": _("Lock"),
        "sendFirst": _("Send the changes on this phone first (or settle those needing attention)."),
        "state_new": _("Not verified yet"),
        "state_draft": _("Verification started on this phone"),
        "state_waiting": _("Waiting to be sent"),
        "state_sent": _("Sent"),
        "state_attention": _("Needs attention"),
        "state_dropped": _("Left out: the other official's version was kept"),
        "entryVerify": _("Verification of %(name)s", name="{name}"),
        "entryMeeting": _("Village meeting of %(village)s", village="{village}"),
        "member": _("Member %(number)s", number="{number}"),
        "addMember": _("Add a member"),
        "removeMember": _("Take out this member"),
        "income": _("Income"),
        # The household's question groups under the portal's own titles, so a group the
        # standards add (the main livelihood) is named on the phone too.
        **{f"step_{step}": str(title) for step, title in STEP_TITLES.items()},
        "address": _("Address"),
        "result": _("Official assessment"),
        "stepOf": _("Step %(n)s of %(total)s", n="{n}", total="{total}"),
        "back": _("Back"),
        "next": _("Next"),
        "toHome": _("To the list"),
        "choose": _("— choose —"),
        "yes": _("Yes"),
        "no": _("No"),
        "fullName": _("Full name"),
        "citizenId": _("Personal ID number (12 digits)"),
        "ethnicity": _("Ethnicity"),
        "incomeGiven": _("The income is given"),
        "amount": _("Amount in đồng"),
        "addressLabel": _("House number, lane, hamlet"),
        "residentSaid": _("The resident declared: %(value)s", value="{value}"),
        "residentGaveNone": _("The resident gave no answer"),
        "changedMark": _("changed"),
        "fixErrors": _("Some answers are missing or not valid; go back and complete them:"),
        "resultHint": _(
            "Computed on this phone by the same rules as the commune's system; rows that "
            "differ from the resident's self-assessment are marked."
        ),
        "classification": _("Classification"),
        "incomePerCapita": _("Monthly income per person"),
        "score": _("Deprivation score"),
        "deprived": _("Deprived"),
        "notDeprived": _("Not deprived"),
        "residents": _("Resident's self-assessment"),
        "officials": _("Official assessment"),
        "saveVerification": _("Save the verification on this phone"),
        "meetingTitle": _("Village meeting: %(village)s", village="{village}"),
        "meetingRule": _(
            "A household passes when at least %(share)s%% of the people at the meeting agree.",
            share="{share}",
        ),
        "heldOn": _("Meeting date"),
        "attendees": _("Number of people at the meeting"),
        "chairedBy": _("Chaired by"),
        "notes": _("Minutes: what was said, who objected"),
        "votes": _("Votes"),
        "agreeingFor": _("Agreeing with %(name)s", name="{name}"),
        "moreThanAttendees": _("More than the people at the meeting."),
        "votePasses": _(
            "%(percent)s%% agree: passes (at least %(share)s%%)",
            percent="{percent}",
            share="{share}",
        ),
        "voteFails": _(
            "%(percent)s%% agree: does not pass (less than %(share)s%%); the "
            "household is verified again",
            percent="{percent}",
            share="{share}",
        ),
        "attendeesNeeded": _("Enter the number of people at the meeting (more than 0)."),
        "dateNeeded": _("Enter the meeting date."),
        "voteNeeded": _(
            "Enter how many agree with %(name)s (0 to the number present).", name="{name}"
        ),
        "noVerified": _("No household of this village is verified yet."),
        "saveMeeting": _("Save the meeting on this phone"),
        "conflict": _(
            "Someone else changed this file after you downloaded it. Nothing was overwritten: "
            "choose which version to keep."
        ),
        "refused": _("Not accepted: %(message)s", message="{message}"),
        "conflictTitle": _("Choose: %(what)s", what="{what}"),
        "conflictHint": _(
            "Their version is on the server now; yours is on this phone. Keep yours to record "
            "it on top of theirs, or keep theirs and leave yours out."
        ),
        "theirs": _("Theirs (on the server)"),
        "mine": _("Mine (this phone)"),
        "keepMine": _("Keep mine"),
        "keepTheirs": _("Keep theirs"),
        "unavailableTitle": _("Field work"),
        "unavailable": _("The app could not start. Open it once while connected."),
    }
    texts.update({f"class_{code}": str(label) for code, label in CLASSIFICATIONS.items()})
    texts.update({f"status_{code}": str(label) for code, label in STATUSES.items()})
    return texts
