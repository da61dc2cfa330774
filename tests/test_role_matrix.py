"""The role matrix: every command and every kind of button against the partner and the coordinator of network A, an
admin, a stranger, and the partner and the coordinator of network B (issue "Trust and hardening").

Only what a role may do works; everything else gets a polite refusal that shows nothing of another network, changes
nothing stored and is logged (INFO, "refused") without personal data. The buttons are A's real buttons, taken from
what the bot sent A's members, and the others tap them on a message of their own chat, as a modified client could.
The network choice button belongs to a person who is a partner in both A and B; it is refused to everyone else."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.config import Settings
from bot.i18n import Catalogs, Gettext
from bot.services import CONSENT_VERSION
from bot.telegram import callbacks, roles
from bot.telegram.app import build_application
from bot.telegram.handlers.menus import help_text
from bot.telegram.roles import EVERYONE
from bot.usecases.identity import ROLES as ROLE_NAMES
from bot.usecases.identity import Role
from localapi.objects import CallbackAnswer
from localapi.server import LocalBotApi, SentMessage
from storage.erasures import log_key, subject_of
from storage.people import Membership, active_membership, create_invite, membership_in, organisation_for
from storage.reports import set_privacy
from storage.scripts import published_version
from tests.e2e import ADMIN_ID, NOW, ROOT, TEST_DIALOGS, Harness

# --- who is who ---------------------------------------------------------------------------------------------------

PA, CA, AD, ST, PB, CB = "partner A", "coordinator A", "admin", "stranger", "partner B", "coordinator B"
ROLES = (PA, CA, AD, ST, PB, CB)  # the order of the columns in the tables below
FA = "former contact A"  # A's partner organisation's contact before PA: replaced when PA joins; no column of its own
XB = "former partner B"  # a partner of B who left and answered the exit check-in (its share button); no column
DU = "partner of A and B"  # joins both late, for a real network choice button (a member of several); no column
SA = "stepped-down contact A"  # no longer responsible in February, did not say who takes over; no column
USER = {CA: 7310001, PA: 7310002, CB: 7320001, PB: 7320002, AD: ADMIN_ID, ST: 7330001, FA: 7310003, XB: 7320003,
        DU: 7340001, SA: 7310004}
FIRST_NAME = {CA: "Claribel", PA: "Annegret", CB: "Brunhilde", PB: "Bertolde", AD: "Adalberta", ST: "Stanislaus",
              FA: "Friedegunde", XB: "Xaveria", DU: "Dorothea", SA: "Siegfriede"}
HOME = {PA: "A", CA: "A", PB: "B", CB: "B", FA: "A", XB: "B", SA: "A"}
LEAVER_B = "Tafel Betastadt"  # XB's organisation
STEPPER_A = "Tafel Alphastadt"  # SA's organisation
DUAL = {"A": "Frauenberatung Alphastadt", "B": "Frauenberatung Betastadt"}  # DU's organisation in each network
PARTNER = {"A": PA, "B": PB}
NETWORK = {"A": "Netzwerk Alphastadt", "B": "Netzwerk Betastadt"}
GAMMA = "Netzwerk Gammastadt"  # only its unused invite link, which gives the stranger a message with buttons
ORGANISATION = {PA: "Jobcenter Alphastadt", PB: "Suchtberatung Betastadt"}
INVITED = {"A": ("Kita Alphastadt", "Caritas Alphastadt"), "B": ("Kita Betastadt",)}  # invited, not joined
TYPED = {"A": ("Alphageheimnis Fallkonferenz", "Alphanotiz Elternabend"),  # the partner's free texts, rounds 1 and 3
         "B": ("Betageheimnis Suchthilfe", "Betanotiz Wartezeit")}
STEP_A = "Alphaschritt Fallbesprechung vorbereiten"  # typed in A's coaching dialog
WITH_A = "Alphapartner Jugendamt"
QUESTION_A = "Alphafrage, wie gut kennen Sie das gemeinsame Ziel?"  # in A's own version of the script
NEW_ORGANISATION = "Diakonie Deltastadt"  # what /invite names in the matrix
BARRIER = "/barrier"  # an unknown command: its answer marks that everything before it was handled

FEB_OPENS, FEB_CLOSES = datetime(2027, 2, 2, 8, 0, tzinfo=UTC), datetime(2027, 2, 12, 8, 0, tzinfo=UTC)
MAR_OPENS, MAR_CLOSES = datetime(2027, 3, 2, 8, 0, tzinfo=UTC), datetime(2027, 3, 12, 8, 0, tzinfo=UTC)
APR_OPENS = datetime(2027, 4, 6, 7, 0, tzinfo=UTC)  # 09:00 summer time in Berlin

# --- what each role may do ----------------------------------------------------------------------------------------

# Which role may use which command and kind of button is production data (bot/telegram/roles.py): a role it does not
# list is refused by the role guard, politely and logged once. These are each column's roles there (the admin has
# no membership here).
HAS: dict[str, frozenset[Role]] = {PA: frozenset({"partner"}), CA: frozenset({"coordinator"}),
                                   AD: frozenset({"admin", "stranger"}), ST: frozenset({"stranger"}),
                                   PB: frozenset({"partner"}), CB: frozenset({"coordinator"})}
Y, N = "allowed", "refused"
COMMANDS = tuple(f"/{name}" for name in roles.COMMANDS)  # every role the guard lets through gets the real thing
ARGUMENTS = {"/invite": f" {NEW_ORGANISATION}"}

# What a button does for each role the guard lets through. M: the member the button was made for (it works; checked
# after the others, see check_owners); S: the button names no one, so it acts on the tapper's own data or network
# (nothing of A may change); otherwise refused by the handler, for a reason that is not the role. "rights exit" is
# made for FA, A's replaced contact (no column: check_owners has FA tap it), and only a replaced contact may tap it.
M, S = "made for", "own"
NOT_THEIRS = "refused: made for another member or network"  # ownership
USED = "refused: the invite was used"  # the consent of A's partner
NOT_ASKED = "refused: no new consent text waits for their answer"
SOLE = "refused: the only coordinator hands over first"  # as with /leave
NO_MEMBERSHIP = "refused: no membership to leave"
NOTHING_STORED = "refused: nothing is stored about them"
NOT_REPLACED = "refused: only a replaced contact is offered the exit check-in"
NOT_IN_ROUND = "refused: not a contact person taking part in that round"
NOT_ASKED_WHO = "refused: only the one who stepped down is asked who takes over"
EVERY = {role: USED for role in ROLES}
OWN_MEMBERS = {PA: M, CA: S, PB: S, CB: S}
BUTTONS: dict[str, tuple[str, dict[str, str]]] = {
    #                     prefix  the roles bot/telegram/roles.py lets through
    "consent":           ("c", EVERY),
    "language":          ("l", OWN_MEMBERS),
    "answer":            ("a", {PA: M, AD: NOT_THEIRS, ST: NOT_THEIRS, PB: NOT_THEIRS}),  # strangers: exit check-ins
    "revise":            ("v", {PA: M, PB: NOT_THEIRS}),
    "edit":              ("e", {PA: M, PB: NOT_THEIRS}),
    "show answers":      ("u", {PA: M, PB: NOT_THEIRS}),  # "Change answers" under A's February thanks
    "round go":          ("p", {PA: M, PB: NOT_THEIRS}),
    "round later":       ("p", {PA: M, PB: NOT_THEIRS}),
    # "I'm no longer responsible" under A's April prompt, its yes (ends PA's membership: run_deferred) and no
    "step down":         ("t", {PA: M, AD: NOT_IN_ROUND, ST: NOT_IN_ROUND, PB: NOT_IN_ROUND}),
    "step down confirm": ("t", {PA: M, AD: NOT_IN_ROUND, ST: NOT_IN_ROUND, PB: NOT_IN_ROUND}),
    "step down cancel":  ("t", {PA: M, AD: S, ST: S, PB: S}),  # names no one: "nothing changes"
    "successor unknown": ("t", {role: NOT_ASKED_WHO for role in (PA, AD, ST, PB)}),  # SA's (check_owners)
    "pause":             ("z", {PA: M, PB: S}),
    "settings field":    ("s", {CA: M, CB: S}),
    "settings value":    ("s", {CA: M, CB: S}),
    "script download":   ("d", {CA: M, AD: S, CB: S}),
    "script versions":   ("d", {CA: M, AD: S, CB: S}),
    "script rollback":   ("d", {CA: M, AD: S, CB: S}),  # B and all networks: "already in use", nothing changes
    "script confirm":    ("d", {CA: M, AD: S, CB: S}),
    "script cancel":     ("d", {CA: M, AD: S, CB: S}),
    "script shared":     ("d", {CA: M, AD: S, CB: NOT_THEIRS}),  # admins may give any network the shared one
    "script shared ok":  ("d", {CA: M, AD: S, CB: NOT_THEIRS}),  # asked before a rollback: "has changed" for AD
    "draft preview":     ("d", {CA: M, AD: NOT_THEIRS, CB: NOT_THEIRS}),
    "draft publish":     ("d", {CA: M, AD: NOT_THEIRS, CB: NOT_THEIRS}),
    "draft discard":     ("d", {CA: M, AD: NOT_THEIRS, CB: NOT_THEIRS}),
    "preview answer":    ("r", {CA: M, AD: NOT_THEIRS, CB: NOT_THEIRS}),
    "privacy":           ("y", {CA: M, CB: S}),
    "coach start":       ("k", {CA: M, CB: S}),
    "coach answer":      ("k", {CA: M, CB: NOT_THEIRS}),
    "coach outcome":     ("k", {CA: M, CB: NOT_THEIRS}),
    "rights stay":       ("m", {PA: M, CA: S, AD: S, ST: S, PB: S, CB: S}),  # "Nothing was changed."
    "rights keep":       ("m", {PA: M, CA: S, AD: S, ST: S, PB: S, CB: S}),
    "rights agree":      ("m", {PA: M, **{role: NOT_ASKED for role in (CA, AD, ST, PB, CB)}}),
    "rights decline":    ("m", {PA: M, **{role: NOT_ASKED for role in (CA, AD, ST, PB, CB)}}),
    "rights leave":      ("m", {PA: M, CA: SOLE, AD: NO_MEMBERSHIP, ST: NO_MEMBERSHIP, PB: S, CB: SOLE}),
    "rights delete":     ("m", {PA: M, CA: S, AD: NOTHING_STORED, ST: NOTHING_STORED, PB: S, CB: S}),
    "rights exit":       ("m", {role: NOT_REPLACED for role in ROLES}),  # none of them was replaced
    "access revoke":     ("n", {CA: M, CB: NOT_THEIRS}),
    "access remove":     ("n", {CA: M, CB: NOT_THEIRS}),
    "access confirm":    ("n", {CA: M, CB: NOT_THEIRS}),
    "access cancel":     ("n", {CA: M, CB: S}),
    "access kinds":      ("n", {CA: M, CB: S}),  # B's own organisations
    "access kind":       ("n", {CA: M, CB: NOT_THEIRS}),
    "access set kind":   ("n", {CA: M, CB: NOT_THEIRS}),
    "access successor":  ("n", {CA: M, CB: NOT_THEIRS}),  # under the news that SA stepped down
    "share":             ("g", {role: NOT_THEIRS for role in (PA, AD, ST, PB)}),  # XB's (check_owners)
    "quote":             ("q", {PA: NOT_THEIRS, PB: M}),  # B is anonymous: its partner's free text
    "notes":             ("w", {CA: M, CB: S}),  # B's own words (none here: "no longer valid"), never A's
    "goal set":          ("o", {CA: M, CB: S}),  # B's coordinator would type B's goal
    "goal cancel":       ("o", {CA: M, CB: S}),  # B's coordinator was not typing one: "no longer valid"
    "goal export":       ("o", {CA: M, CB: S}),  # B's own goals
    "network choice":    ("x", {role: NOT_THEIRS for role in (PA, CA, PB, CB)}),  # DU's (check_owners)
    # DU's /leave, "which network": A's button asks A's members only to confirm leaving their own network
    "rights in":         ("j", {PA: S, CA: S, PB: NOT_THEIRS, CB: NOT_THEIRS}),
}
# The action each rights (m:), access (n:) and scripts (d:) button stands for, as bot/telegram/callbacks.py
# names them: every one has a row (test_the_matrix_names_every_command_and_every_kind_of_button), and A's real
# button is that action.
ACTION = {"rights stay": "stay", "rights keep": "keep", "rights agree": "agree", "rights decline": "decline",
          "rights leave": "leave", "rights delete": "delete", "rights exit": "exit",
          "access revoke": "revoke", "access remove": "remove", "access confirm": "removeok",
          "access cancel": "removeno", "access kinds": "kinds", "access kind": "kind", "access set kind": "setkind",
          "access successor": "successor",
          "script download": "download", "script versions": "versions", "script rollback": "rollback",
          "script confirm": "confirm", "script cancel": "cancel", "script shared": "shared",
          "script shared ok": "sharedok",
          "draft preview": "preview", "draft publish": "publish", "draft discard": "discard",
          "goal set": "set", "goal cancel": "cancel", "goal export": "export"}
FAMILIES = {"m": callbacks.RIGHTS_ACTIONS, "n": callbacks.ACCESS_ACTIONS, "d": callbacks.SCRIPT_ACTIONS,
            "o": callbacks.GOAL_ACTIONS}
# The refusal a role sees for a button, where the table says N and the text is known.
REFUSAL = {"rights exit": "This button is no longer valid.", "network choice": "This button is no longer valid.",
           "rights in": "This button is no longer valid."}
# Taps that erase or end the tapper's own membership: run last (run_deferred), in this order.
DEFERRED = ((PB, "rights leave"), (PB, "rights delete"), (CB, "rights delete"), (CA, "rights delete"))


def action_of(data: str) -> str | None:
    """The action a rights, access or scripts button's data names (None if malformed)."""
    parsed = (callbacks.ScriptButton.unpack(data) or callbacks.RightsAction.unpack(data)
              or callbacks.Access.unpack(data) or callbacks.GoalAction.unpack(data))
    return None if parsed is None else parsed.action


def allowed_roles(what: str) -> frozenset[Role]:
    """The roles bot/telegram/roles.py lets use this command or kind of button."""
    return roles.COMMANDS[what[1:]].roles if what.startswith("/") else roles.BUTTONS[BUTTONS[what][0]]


def refused_by_role(what: str, role: str) -> bool:
    """Whether the role guard refuses this role this command or kind of button."""
    return not allowed_roles(what) & HAS[role]


def expected(what: str, role: str) -> str:
    """Y, M or S where it works (commands: Y for every role the guard lets through), else N."""
    if refused_by_role(what, role):
        return N
    if what.startswith("/"):
        return Y
    outcome = BUTTONS[what][1][role]
    return outcome if outcome in (M, S) else N


def role_refusal(world: World, what: str, role: str) -> str:
    """What the role guard says: for a button its one notice, for a command the rule's text for this role."""
    if not what.startswith("/"):
        return world._(roles.BUTTON_REFUSAL)
    rule = roles.COMMANDS[what[1:]]
    return world._(rule.refusal if role in HOME else rule.stranger)


# --- the scripts the world runs on ----------------------------------------------------------------------------------

MONTHLY = (TEST_DIALOGS / "monthly_checkin.yaml").read_text(encoding="utf-8")
GOALS_DE = "Wie klar ist Ihnen im Moment das gemeinsame Ziel des Netzwerks?"
EDITED_A = MONTHLY.replace(GOALS_DE, QUESTION_A)
EDITED_A2 = EDITED_A.replace("How clear is the network's shared goal to you right now?", "How clear is the goal?")
EDITED_A3 = EDITED_A.replace("Was fehlt Ihnen, damit das Ziel klar wird?", "Was fehlt, damit das Ziel klar wird?")
PRIVACY_TEXT = ("Privacy of this network: {current}.\n\nAnonymous: the digest, the chart, the map and the export show "
                "only aggregates, and only when at least 3 organisations answered; free texts without names. Named: "
                "you see who answered what. A switch to named applies from the next round on (the answers given "
                "before stay anonymous); a switch to anonymous applies at once. After a switch the partners are asked "
                "to agree to the consent text again, and take no part in the check-ins until they do. Who answered "
                "at all, who joined, changed, left or cannot be reached is always shown by organisation.")


@pytest.fixture
def settings(settings: Settings, tmp_path: Path) -> Settings:
    """The frozen monthly test script plus the shipped coaching dialog and exit check-in."""
    dialogs = tmp_path / "dialogs"
    shutil.copytree(TEST_DIALOGS, dialogs)
    for shipped in ("coaching.yaml", "exit_checkin.yaml"):
        shutil.copy(ROOT / "dialogs" / shipped, dialogs / shipped)
    return replace(settings, dialogs_dir=dialogs)


# --- the world: two networks, their members, and A's buttons --------------------------------------------------------


@dataclass
class Outcome:
    """What one command or tap brought: the bot's messages, the callback's answer, the tapped message, the log."""

    messages: list[SentMessage]
    answer: CallbackAnswer | None = None
    edited: SentMessage | None = None  # the tapped message, if the bot changed it
    records: list[logging.LogRecord] = field(default_factory=list, repr=False)

    def texts(self) -> list[str]:
        """Everything a person sees: texts, captions, button labels, documents, the notice, the edited message."""
        shown = [self.answer.text or ""] if self.answer is not None else []
        for message in [*self.messages, *([self.edited] if self.edited else [])]:
            shown += [message.text, *(label for row in message.buttons() for label in row)]
            shown += [document_text(message)] if message.kind == "document" else []
        return shown

    def joined(self) -> str:
        """All texts in one string."""
        return "\n".join(self.texts())

    def refusals_logged(self) -> int:
        """How many refusals were logged."""
        return sum(1 for r in self.records if r.levelno == logging.INFO and "refused" in r.getMessage())

    def refused_logged(self) -> bool:
        """Whether the handler logged a refusal."""
        return self.refusals_logged() > 0

    def data(self) -> list[str]:
        """The callback data of every button in the new messages."""
        return [b["callback_data"] for m in self.messages for row in (m.reply_markup or {}).get("inline_keyboard", [])
                for b in row if "callback_data" in b]


def document_text(message: SentMessage) -> str:
    """A sent document's text (JSON, CSV, YAML; an XLSX's shared strings)."""
    content = message.file or b""
    if (message.filename or "").endswith(".xlsx"):
        with zipfile.ZipFile(io.BytesIO(content)) as book:
            names = [n for n in book.namelist() if n.endswith(".xml")]
            return "\n".join(book.read(n).decode("utf-8", "replace") for n in names)
    return content.decode("utf-8", "replace")


def data_of(message: SentMessage) -> list[str]:
    """The callback data of a message's buttons as they are now."""
    return [b["callback_data"] for row in (message.reply_markup or {}).get("inline_keyboard", []) for b in row
            if "callback_data" in b]


def pick(message: SentMessage, test: Callable[[str], bool]) -> str:
    """The one callback data on a message that passes the test."""
    found = [data for data in data_of(message) if test(data)]
    assert len(found) == 1, f"{found} on {message.summary()}"
    return found[0]


def label_data(message: SentMessage, label: str) -> str:
    """The callback data of the button with this label (part of it)."""
    rows = (message.reply_markup or {}).get("inline_keyboard", [])
    found = [b["callback_data"] for row in rows for b in row if label in b.get("text", "")]
    assert len(found) == 1, f"{label!r} on {message.summary()}"
    return str(found[0])


@dataclass
class World:
    """The bot, the two networks and their people, A's buttons (data and the message they came on), the log."""

    harness: Harness
    caplog: pytest.LogCaptureFixture
    _: Gettext
    networks: dict[str, int] = field(default_factory=dict)
    members: dict[str, Membership] = field(default_factory=dict)
    data: dict[str, str] = field(default_factory=dict)
    sources: dict[str, SentMessage] = field(default_factory=dict)
    carriers: dict[str, SentMessage] = field(default_factory=dict)
    gamma_token: str = ""

    @property
    def api(self) -> LocalBotApi:
        """The local Bot API server."""
        return self.harness.api

    @property
    def db(self) -> Database:
        """The test's own database connection."""
        return self.harness.db

    def keep(self, kind: str, message: SentMessage, data: str) -> None:
        """Remember one of A's buttons: its data and the owner's message it came on."""
        assert data in data_of(message), f"{data} not on {message.summary()}"
        self.data[kind], self.sources[kind] = data, message


def invite(world: World, net: int, organisation: str | None = None) -> str:
    """A fresh invite token, valid from the world's clock on (the harness's are from the first day)."""
    now = world.harness.clock.now
    org_id = organisation_for(world.db, net, organisation, now) if organisation else None
    return create_invite(world.db, net, "partner" if organisation else "coordinator", org_id, now, 14).token


def prefix(_: Gettext, msgid: str) -> str:
    """The translated text up to its first placeholder."""
    return _(msgid).split("{", 1)[0]


async def arrival(world: World, role: str, test: Callable[[SentMessage], bool]) -> SentMessage:
    """The first new message in a role's chat that passes the test (earlier ones count as seen)."""
    chat = world.api.chats[USER[role]]

    def found() -> int | None:
        return next((n for n in range(chat.seen, len(chat.arrivals)) if test(chat.arrivals[n])), None)

    await world.api.wait_until(lambda: found() is not None, timeout=20, message=f"a message for {role}")
    index = found()
    assert index is not None
    chat.seen = index + 1
    return chat.arrivals[index]


async def sent(world: World, role: str, test: Callable[[SentMessage], bool]) -> SentMessage:
    """A message in the role's chat that passes the test, whenever it came (what counts as seen is left as it is)."""
    chat = world.api.chats[USER[role]]

    def found() -> SentMessage | None:
        return next((message for message in chat.arrivals if test(message)), None)

    await world.api.wait_until(lambda: found() is not None, timeout=20, message=f"a message for {role}")
    message = found()
    assert message is not None
    return message


def with_data(start: str) -> Callable[[SentMessage], bool]:
    """A message test: it has a button whose data starts so."""
    return lambda message: any(data.startswith(start) for data in data_of(message))


async def join(world: World, role: str, token: str, keep: bool = False) -> None:
    """Open an invite link, agree, choose German (`keep`: remember the consent button as A's "consent")."""
    user, _ = USER[role], world._
    world.api.add_user(user, FIRST_NAME[role], language_code="de")
    [consent] = await world.harness.send(user, f"/start {token}")
    if keep:
        world.keep("consent", consent, label_data(consent, _("I agree")))
    [language] = await world.harness.tap(user, consent, _("I agree"))
    await world.harness.tap(user, language, "Deutsch")
    member = active_membership(world.db, user)
    assert member is not None
    world.members[role] = member


async def build(world: World, rounds: str) -> None:
    """Both networks with their people and A's buttons; `rounds`: "" none, "open" one round half answered and a
    coaching step, "full" three rounds (two closed: digests, coaching, its follow-up), then the scripts too."""
    h = world.harness
    world.networks = {"A": h.network(NETWORK["A"]), "B": h.network(NETWORK["B"])}
    # A is named from its first round on (a switch applies from the next round); its coordinator's tap on "named"
    # below changes nothing, and the kept "anonymous" button switches it back when a role may use it.
    set_privacy(world.db, world.networks["A"], "named", NOW)
    await join(world, CA, h.invite(world.networks["A"]))
    await join(world, FA, h.invite(world.networks["A"], ORGANISATION[PA]))
    await join(world, PA, h.invite(world.networks["A"], ORGANISATION[PA]), keep=True)  # FA is replaced
    offer = await arrival(world, FA, with_data(callbacks.RightsAction("exit").pack()))
    world.keep("rights exit", offer, callbacks.RightsAction("exit").pack())
    await join(world, CB, h.invite(world.networks["B"]))
    await join(world, PB, h.invite(world.networks["B"], ORGANISATION[PB]))
    world.api.add_user(USER[AD], FIRST_NAME[AD], language_code="de")
    world.api.add_user(USER[ST], FIRST_NAME[ST], language_code="de")
    if rounds == "full":
        await leaver_answers(world)
        await join(world, SA, h.invite(world.networks["A"], STEPPER_A))
        await play_rounds(world)
    elif rounds == "open":
        await half_answered_round(world)
    world.gamma_token = invite(world, h.network(GAMMA))
    if rounds == "full":
        await dual_partner(world)
    # What the bot sends on its own (the partners' joining news, digests) must not be taken for a command's reply.
    await world.api.wait_until(lambda: count(world.db, "SELECT COUNT(*) FROM outbox WHERE status IN ('queued', "
                                                      "'sending')") == 0, timeout=30, message="an empty outbox")
    for role in (CA, CB):
        chat = world.api.chats[USER[role]]
        chat.seen = len(chat.arrivals)  # read: the chart after the digest, the news of who joined or left
    for role in (CA, CB):  # now: links are valid for 14 days
        for organisation in INVITED[HOME[role]]:
            await h.send(USER[role], f"/invite {organisation}")
    await partner_buttons(world)
    await coordinator_buttons(world)
    if rounds == "full":
        await script_buttons(world)
        await words_buttons(world)
    # Nothing of the build may still be on its way (digests are paced at one message a second per chat).
    await world.api.wait_until(lambda: count(world.db, "SELECT COUNT(*) FROM outbox WHERE status IN ('queued', "
                                                      "'sending')") == 0, timeout=30, message="an empty outbox")


async def dual_partner(world: World) -> None:
    """DU joins A and then B as a partner (April's round is open in both); /network offers A's button."""
    h, user = world.harness, USER[DU]
    await join(world, DU, invite(world, world.networks["A"], DUAL["A"]))
    await h.join_another(user, invite(world, world.networks["B"], DUAL["B"]))  # see its BUG
    memberships = {net: membership_in(world.db, user, world.networks[net]) for net in ("A", "B")}
    assert memberships["A"] is not None and memberships["B"] is not None
    world.members[DU] = memberships["A"]
    [listing] = await h.send(user, "/network")
    world.keep("network choice", listing, callbacks.NetworkChoice(memberships["A"].id, "network", False).pack())
    [which] = await h.send(user, "/leave")
    world.keep("rights in", which, callbacks.RightsIn("askleave", world.networks["A"]).pack())


async def play_rounds(world: World) -> None:
    """February and March: both partners answer, A's coordinator commits to a step; April: half-way check-ins."""
    h, _ = world.harness, world._
    pa, pb, ca = USER[PA], USER[PB], USER[CA]
    h.clock.now = FEB_OPENS
    prompt = await arrival(world, PA, with_data("p:"))
    _intro, goals = await h.tap(pa, prompt, _("Start now"), count=2)
    [missing] = await h.tap(pa, goals, "2")
    [benefit] = await h.send(pa, TYPED["A"][0])
    [agreements] = await h.tap(pa, benefit, "4")
    [anything] = await h.tap(pa, agreements, "Ja, alle")
    [thanks] = await h.tap(pa, anything, _("Skip"))
    world.keep("show answers", thanks, pick(thanks, lambda d: d.startswith("u:")))
    prompt = await arrival(world, PB, with_data("p:"))
    _intro, goals = await h.tap(pb, prompt, _("Start now"), count=2)
    [statement] = await h.tap(pb, goals, "5")
    [benefit] = await h.send(pb, TYPED["B"][0])
    [agreements] = await h.tap(pb, benefit, "4")
    [anything] = await h.tap(pb, agreements, "Ja, alle")
    [thanks] = await h.tap(pb, anything, _("Skip"))
    world.keep("quote", thanks, pick(thanks, lambda d: d.startswith("q:")))  # B's round is anonymous
    assert missing.text and statement.text
    sa = USER[SA]  # no longer responsible, and does not say who takes over (the coordinator hears after a day)
    prompt = await arrival(world, SA, with_data("p:"))
    [sure] = await h.tap(sa, prompt, _("I'm no longer responsible"))
    [asked] = await h.tap(sa, sure, _("Yes, I'm no longer responsible"))
    world.keep("successor unknown", asked, pick(asked, lambda d: d.startswith("t:u:")))
    h.clock.now = FEB_CLOSES
    news = await sent(world, CA, with_data("n:successor:"))
    world.keep("access successor", news, pick(news, lambda d: d.startswith("n:successor:")))
    await commit_to_step(world, await arrival(world, CA, with_data("k:go")))

    h.clock.now = MAR_OPENS
    for user, role in ((pa, PA), (pb, PB)):
        prompt = await arrival(world, role, with_data("p:"))
        _intro, goals = await h.tap(user, prompt, _("Start now"), count=2)
        await h.finish_checkin(user, goals)
    h.clock.now = MAR_CLOSES
    digest = await arrival(world, CA, with_data("k:r:"))  # the step under review: "how did it go?" on a tap
    offer = digest if "k:go" in data_of(digest) else await arrival(world, CA, with_data("k:go"))
    h.api.tap(ca, digest.message_id, data=pick(digest, lambda d: d.startswith("k:r:")))
    follow_up = await arrival(world, CA, with_data("k:o:"))
    world.keep("coach outcome", follow_up, pick(follow_up, lambda d: d.endswith(":done")))
    world.keep("coach start", offer, "k:go")
    h.api.send_text(ca, "/coach")
    focus = await arrival(world, CA, lambda m: any(d.endswith(":factor_3") for d in data_of(m)))
    world.keep("coach answer", focus, pick(focus, lambda d: d.endswith(":factor_3")))

    h.clock.now = APR_OPENS
    prompt = await arrival(world, PA, with_data("p:"))
    world.keep("round go", prompt, pick(prompt, lambda d: d.endswith(":go")))
    world.keep("round later", prompt, pick(prompt, lambda d: d.endswith(":later")))
    world.keep("step down", prompt, pick(prompt, lambda d: d.startswith("t:")))
    [sure] = await h.tap(pa, prompt, _("I'm no longer responsible"))  # asked, not answered: the yes runs last
    world.keep("step down confirm", sure, pick(sure, lambda d: d.startswith("t:y:")))
    world.keep("step down cancel", sure, "t:n")
    await arrival(world, PB, with_data("p:"))
    for user, role, low in ((pa, PA, "2"), (pb, PB, "5")):
        _intro, goals = await h.send(user, "/checkin", 2)
        await h.tap(user, goals, low)
        [benefit] = await h.send(user, TYPED[HOME[role]][1])
        if role == PA:
            world.keep("answer", benefit, pick(benefit, lambda d: d.endswith(":4")))
    [listing] = await h.send(pa, "/answers")
    world.keep("edit", listing, label_data(listing, "1"))
    [again] = await h.tap(pa, listing, "1")
    world.keep("revise", again, label_data(again, "5"))


async def leaver_answers(world: World) -> None:
    """XB joins B, leaves and answers the exit check-in: B is anonymous, so its thanks offer the share button."""
    h = world.harness
    await join(world, XB, h.invite(world.networks["B"], LEAVER_B))
    [question] = await h.send(USER[XB], "/leave")
    _intro, step = await h.tap(USER[XB], question, world._("Yes, leave"), count=2)
    while not any(d.startswith("g:") for d in data_of(step)):
        [step] = await h.tap(USER[XB], step, step.buttons()[0][0])
    world.keep("share", step, pick(step, lambda d: d.startswith("g:")))


async def commit_to_step(world: World, offer: SentMessage | None) -> None:
    """A's coordinator takes the coaching dialog (from the offer, else /coach) and commits to STEP_A."""
    h, _, ca = world.harness, world._, USER[CA]
    if offer is None:
        h.api.send_text(ca, "/coach")
    else:
        h.api.tap(ca, offer.message_id, text=_("Choose the next step"))
    focus = await arrival(world, CA, lambda m: any(d.endswith(":factor_3") for d in data_of(m)))
    h.api.tap(ca, focus.message_id, data=pick(focus, lambda d: d.endswith(":factor_3")))
    why = await arrival(world, CA, with_data("k:"))
    [who_helps] = await h.tap(ca, why, _("Skip"))
    [action] = await h.tap(ca, who_helps, _("Skip"))
    [with_whom] = await h.send(ca, STEP_A)
    [by_when] = await h.send(ca, WITH_A)
    await h.tap(ca, by_when, "Bis zum nächsten Treffen")
    assert action.text and with_whom.text


async def half_answered_round(world: World) -> None:
    """February opens; both partners answer half their check-in, with a free text; A's coordinator commits to a
    step (before any round closed)."""
    h, _ = world.harness, world._
    h.clock.now = FEB_OPENS
    for role, first in ((PA, "2"), (PB, "5")):
        user = USER[role]
        prompt = await arrival(world, role, with_data("p:"))
        _intro, goals = await h.tap(user, prompt, _("Start now"), count=2)
        [text_step] = await h.tap(user, goals, first)
        [benefit] = await h.send(user, TYPED[HOME[role]][0])
        assert text_step.text and benefit.text
    await commit_to_step(world, None)


async def partner_buttons(world: World) -> None:
    """A's partner: a new consent text agreed to, /language, /pause, /leave and /delete (not answered)."""
    h, _ = world.harness, world._
    pa, member = USER[PA], world.members[PA]
    outdate_consent(h.db, member.id)
    [ask] = await h.send(pa, "/pause")
    world.keep("rights agree", ask, label_data(ask, _("I agree")))
    world.keep("rights decline", ask, label_data(ask, _("Decline")))
    await h.tap(pa, ask, _("I agree"), count=0)
    for command, kinds in (("/language", {"language": "l:de"}), ("/pause", {"pause": "z:7"}),
                           ("/leave", {"rights leave": "m:leave", "rights stay": "m:stay"}),
                           ("/delete", {"rights delete": "m:delete", "rights keep": "m:keep"})):
        [message] = await h.send(pa, command)
        for kind, data in kinds.items():
            world.keep(kind, message, data)


async def coordinator_buttons(world: World) -> None:
    """A's coordinator: /privacy (then named), /settings (the weekday's choices), /invites, /remove (one chosen)."""
    h, _ = world.harness, world._
    ca = USER[CA]
    [privacy] = await h.send(ca, "/privacy")
    world.keep("privacy", privacy, callbacks.PrivacyChoice("anonymous").pack())
    await h.tap(ca, privacy, _("named"), count=0)
    [schedule] = await h.send(ca, "/settings")
    world.keep("settings field", schedule, callbacks.SettingField("day").pack())
    await h.tap(ca, schedule, _("Weekday"), count=0)
    await h.api.wait_until(lambda: callbacks.SettingValue("day", "0").pack() in data_of(schedule))
    world.keep("settings value", schedule, callbacks.SettingValue("day", "0").pack())
    [invites] = await h.send(ca, "/invites")
    world.keep("access revoke", invites, label_data(invites, INVITED["A"][1]))
    [remove] = await h.send(ca, "/remove")
    world.keep("access remove", remove, label_data(remove, INVITED["A"][0]))
    await h.tap(ca, remove, INVITED["A"][0], count=0)
    await h.api.wait_until(lambda: "n:removeno" in data_of(remove))
    world.keep("access confirm", remove, pick(remove, lambda d: d.startswith("n:removeok:")))
    world.keep("access cancel", remove, "n:removeno")
    [partners] = await h.send(ca, "/partners")
    world.keep("access kinds", partners, callbacks.AccessKinds().pack())
    [choose] = await h.tap(ca, partners, _("Change kind"))
    world.keep("access kind", choose, label_data(choose, ORGANISATION[PA]))
    h.api.tap(ca, choose.message_id, data=world.data["access kind"])
    await h.api.wait_until(lambda: any(d.startswith("n:setkind:") for d in data_of(choose)))
    world.keep("access set kind", choose, pick(choose, lambda d: d.startswith("n:setkind:") and
                                               d.endswith(":youth_office")))


async def words_buttons(world: World) -> None:
    """A's coordinator: /notes (a success factor's words), /goals (set, cancel, export)."""
    h, _ = world.harness, world._
    ca = USER[CA]
    [overview] = await h.send(ca, "/notes")
    world.keep("notes", overview, pick(overview, lambda d: d.startswith("w:f:2:")))
    [board] = await h.send(ca, "/goals")
    world.keep("goal set", board, callbacks.GoalAction("set").pack())
    world.keep("goal export", board, callbacks.GoalAction("export").pack())
    [ask] = await h.tap(ca, board, _("Set the network goal"))
    world.keep("goal cancel", ask, callbacks.GoalAction("cancel").pack())
    await h.tap(ca, ask, _("Cancel"), count=0)  # the buttons stay: the data is kept, the tap is tested later


async def tap_data(world: World, role: str, message: SentMessage, data: str, count: int = 1) -> list[SentMessage]:
    """Tap the button with this data (labels repeat, e.g. one "Versions" per script) and wait for `count` messages."""
    world.api.tap(USER[role], message.message_id, data=data)
    return await world.api.wait_for_messages(USER[role], count)


async def upload(world: World, source: str) -> SentMessage:
    """A's coordinator sends an edited script; the bot's answer."""
    world.api.send_document(USER[CA], "monthly_checkin.yaml", source.encode())
    [answer] = await world.api.wait_for_messages(USER[CA], 1)
    return answer


async def script_buttons(world: World) -> None:
    """A's coordinator publishes A's own version 3, asks to roll back, sends two more drafts, previews one."""
    h, _ = world.harness, world._
    ca = USER[CA]
    summary = await upload(world, EDITED_A)
    [published] = await h.tap(ca, summary, _("Publish"))
    assert published_version(world.db, "monthly_checkin", world.networks["A"]) == 3, published.text
    [listing] = await h.send(ca, "/scripts")
    world.keep("script download", listing, callbacks.ScriptShow("download", "monthly_checkin").pack())
    world.keep("script versions", listing, callbacks.ScriptShow("versions", "monthly_checkin").pack())
    [versions] = await tap_data(world, CA, listing, world.data["script versions"])
    world.keep("script rollback", versions, callbacks.ScriptRollback("monthly_checkin", 2).pack())
    [question] = await h.tap(ca, versions, "Version 2")
    world.keep("script confirm", question, callbacks.ScriptConfirm("monthly_checkin", 2, 3).pack())
    world.keep("script cancel", question, callbacks.ScriptCancel().pack())
    await shared_buttons(world, listing)
    second, third = await upload(world, EDITED_A2), await upload(world, EDITED_A3)
    world.keep("draft preview", second, pick(second, lambda d: d.startswith("d:pv:")))
    world.keep("draft publish", second, pick(second, lambda d: d.startswith("d:pb:")))
    world.keep("draft discard", third, pick(third, lambda d: d.startswith("d:dc:")))
    _notice, _intro, first = await h.tap(ca, second, _("Preview"), count=3)
    world.keep("preview answer", first, pick(first, lambda d: d.endswith(":3")))


async def shared_buttons(world: World, listing: SentMessage) -> None:
    """A's coordinator is asked about the shared script while A runs its own version 2, then puts its version 3 in
    use again: that question's "yes" has become stale, so no one but its owner (asked anew) changes anything."""
    h, _, ca, net_a = world.harness, world._, USER[CA], world.networks["A"]
    world.keep("script shared", listing, callbacks.ScriptShared("monthly_checkin", net_a).pack())
    for version in (2, 3):
        if version == 3:
            [question] = await tap_data(world, CA, listing, world.data["script shared"])
            world.keep("script shared ok", question, pick(question, lambda d: d.startswith("d:sy:")))
        [versions] = await tap_data(world, CA, listing, world.data["script versions"])
        [confirm] = await h.tap(ca, versions, f"Version {version}")
        await h.tap(ca, confirm, _("Yes, roll back"), count=0)
        await h.handled()
        assert published_version(world.db, "monthly_checkin", net_a) == version


# --- acting and looking -------------------------------------------------------------------------------------------


async def carrier(world: World, role: str) -> SentMessage:
    """A text message with buttons in the role's chat, to tap other people's button data on (made anew if used)."""
    held = world.carriers.get(role)
    if held is not None and held.reply_markup and held.kind == "text" and not held.deleted:
        return held
    member = active_membership(world.db, USER[role])
    command = "/scripts" if role == AD else "/language" if member else f"/start {world.gamma_token}"
    outcome = await act(world, role, command)
    [made] = [m for m in outcome.messages if m.reply_markup]
    world.carriers[role] = made
    return made


async def act(world: World, role: str, text: str | None = None, data: str | None = None,
              on: SentMessage | None = None) -> Outcome:
    """Send a text, or tap data on a message of the role's own chat; wait until the bot has handled it."""
    user = USER[role]
    chat = world.api.chats[user]
    mark, logged = len(chat.arrivals), len(world.caplog.records)
    edits = on.edit_count if on is not None else 0
    if data is not None:
        assert on is not None
        query: str | None = world.api.forge_callback(user, on.message_id, data)
    else:
        query = None
        world.api.send_text(user, text or "")
    world.api.send_text(user, BARRIER)  # a chat's updates are handled in order: its answer comes after the rest

    def barrier() -> int | None:
        return next((n for n in range(mark, len(chat.arrivals)) if BARRIER in chat.arrivals[n].text), None)

    await world.api.wait_until(lambda: barrier() is not None, timeout=10, message=f"the answer to {text or data}")
    end = barrier()
    assert end is not None
    chat.seen = len(chat.arrivals)
    answer = world.api.callback_answers.get(query) if query is not None else None
    if query is not None:
        assert answer is not None, f"{role}: {data} was not answered"
    edited = on if on is not None and on.edit_count > edits else None
    return Outcome(list(chat.arrivals[mark:end]), answer, edited, list(world.caplog.records[logged:]))


async def press(world: World, role: str, kind: str, data: str | None = None) -> Outcome:
    """Tap one of A's buttons: on its own message if it still carries it, else on a message of the role's chat."""
    data = data or world.data[kind]
    source = world.sources[kind]
    on = source if source.chat_id == USER[role] and data in data_of(source) else await carrier(world, role)
    return await act(world, role, data=data, on=on)


def forbidden(role: str) -> list[str]:
    """What a role must never be shown: the other network's data, and for outsiders everyone's."""

    def personal(net: str) -> list[str]:
        people = [FIRST_NAME[r] for r in HOME if HOME[r] == net] + [ORGANISATION[PARTNER[net]]] + (
            [LEAVER_B] if net == "B" else [STEPPER_A])
        return people + list(INVITED[net]) + list(TYPED[net]) + ([STEP_A, WITH_A, QUESTION_A] if net == "A" else [])

    if role in HOME:
        other = "B" if HOME[role] == "A" else "A"
        return [*personal(other), NETWORK[other]]
    if role in (AD, DU):  # admins see every network's scripts by network name, DU is in both; no one's data
        return personal("A") + personal("B")
    return [*personal("A"), NETWORK["A"], *personal("B"), NETWORK["B"]]


def assert_clean(world: World, role: str, outcome: Outcome, what: str) -> None:
    """Nothing another role owns is shown, and no error apology."""
    shown = outcome.joined()
    leaked = [marker for marker in forbidden(role) if marker in shown]
    assert not leaked, f"{what} shows {role} {leaked}: {shown[:400]!r}"
    sorry = prefix(world._, "Something went wrong on my side. What you answered so far is saved; please try again in a "
                            "moment.")
    assert sorry not in shown, f"{what} failed for {role}"


# chat_message_ids: the last message id seen in each chat (bot/telegram/message_ids.py) moves with every message
# delivered, also the ones earlier cases queued; it is delivery bookkeeping, not anything a role changed.
_SKIPPED_TABLES = {"_sqlite_migrations", "meta", "chat_message_ids"}


def snapshot(db: Database, role: str | None = None, world: World | None = None) -> dict[str, list[tuple[Any, ...]]]:
    """Every stored row; for `role`, without the rows that are the role's own (their person, memberships, network)."""
    user = USER[role] if role else None
    memberships = {m for (m,) in db.execute("SELECT id FROM memberships WHERE user_id = ?", [user]).fetchall()} \
        if user else set()
    if world is not None and role in world.members:
        memberships.add(world.members[role].id)
    network = world.networks[HOME[role]] if world is not None and role in HOME and HOME[role] == "B" else None
    rows: dict[str, list[tuple[Any, ...]]] = {}
    for table in db.table_names():
        if table in _SKIPPED_TABLES:
            continue
        columns = [c.name for c in db[table].columns]
        kept = []
        for row in db.execute(f"SELECT * FROM [{table}]").fetchall():
            values = dict(zip(columns, row, strict=True))
            people = [values.get(k) for k in ("user_id", "used_by", "chat_id")] + (
                [values["id"]] if table == "users" else [])
            if user is not None and any(isinstance(v, int) and (v == user or v < 0) for v in people):
                continue
            if values.get("membership_id") in memberships or (table == "memberships" and values["id"] in memberships):
                continue
            if user is not None and table == "script_publications" and values["published_by"] in (str(user),
                                                                                                   "erased"):
                continue  # their own publication: /delete erases who published it
            if user is not None and table == "erasures" and values["subject"] == subject_of(log_key(db), user):
                continue  # their own erasure, in the log that backups get it from (by a keyed hash of their id)
            if table == "outbox" and str(values["dedupe_key"]).startswith("leaderless:"):
                continue  # the admins told that a network lost its last coordinator, sent while later cases run
            if network is not None and (values.get("network_id") == network or (table == "networks" and
                                                                                 values["id"] == network)):
                continue
            kept.append(tuple(row))
        rows[table] = sorted(kept, key=repr)
    return rows


def assert_unchanged(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]],
                     what: str) -> None:
    """The same rows before and after, with the tables that differ named."""
    changed = {t: (sorted(set(before[t]) - set(after.get(t, [])), key=repr)[:3],
                   sorted(set(after.get(t, [])) - set(before[t]), key=repr)[:3])
               for t in before if before[t] != after.get(t)}
    assert not changed, f"{what} changed {changed}"


# --- one case -------------------------------------------------------------------------------------------------------


def assert_polite_refusal(world: World, role: str, outcome: Outcome, what: str) -> None:
    """A message or notice, nothing of others, no error; logged as refused."""
    said = (outcome.answer is not None and outcome.answer.text) or outcome.messages or outcome.edited
    assert said, f"{what}: {role} got silence"
    assert_clean(world, role, outcome, what)
    assert outcome.refused_logged(), f"{what}: the refusal for {role} was not logged"


def assert_role_refusal(world: World, what: str, role: str, outcome: Outcome, label: str) -> None:
    """The role guard's one refusal: its text, one log line, nothing else said or changed on the message."""
    assert outcome.refusals_logged() == 1, f"{label}: {outcome.refusals_logged()} refusals logged"
    text = role_refusal(world, what, role)
    if what.startswith("/"):
        assert [m.text for m in outcome.messages] == [text], f"{label}: {outcome.joined()[:300]!r}"
    else:
        assert outcome.answer is not None and outcome.answer.text == text and not outcome.messages, label
        assert outcome.edited is None, f"{label} changed the tapped message"


async def command_case(world: World, command: str, role: str) -> None:
    """One command sent by one role, checked against the table."""
    before = snapshot(world.db)
    outcome = await act(world, role, command + ARGUMENTS.get(command, ""))
    what = f"{command} by {role}"
    if expected(command, role) == N:
        assert_polite_refusal(world, role, outcome, what)
        assert_role_refusal(world, command, role, outcome, what)
        assert_unchanged(before, snapshot(world.db), what)
        return
    assert outcome.messages, f"{what}: silence"
    assert_clean(world, role, outcome, what)
    assert not outcome.refused_logged(), f"{what} was logged as refused"
    assert_real_thing(world, command, role, outcome)


async def button_case(world: World, kind: str, role: str) -> None:
    """One of A's buttons tapped by a role it was not made for, checked against the table."""
    outcome_kind = expected(kind, role)
    assert outcome_kind in (N, S), f"{kind} by {role}: the owner's taps are checked in check_owners"
    before = snapshot(world.db, role if outcome_kind == S else None, world)
    outcome = await press(world, role, kind)
    after = snapshot(world.db, role if outcome_kind == S else None, world)
    what = f"{kind} ({world.data[kind]}) by {role}"
    assert_unchanged(before, after, what)
    if outcome_kind == N:
        assert_polite_refusal(world, role, outcome, what)
        if refused_by_role(kind, role):
            assert_role_refusal(world, kind, role, outcome, what)
        if kind in REFUSAL and not refused_by_role(kind, role):  # in the tapper's language (German, for everyone here)
            assert world._(REFUSAL[kind]) != REFUSAL[kind], f"no German for {REFUSAL[kind]!r}"
            assert outcome.answer is not None and outcome.answer.text == world._(REFUSAL[kind]), \
                f"{what}: {outcome.joined()[:300]!r}"
    else:
        assert_clean(world, role, outcome, what)
        assert not outcome.refused_logged(), f"{what} was logged as refused"


def assert_real_thing(world: World, command: str, role: str, outcome: Outcome) -> None:
    """An allowed command answers with the role's own data (the other network's is checked by assert_clean)."""
    _, shown, net = world._, outcome.joined(), HOME.get(role)
    kind = world.members[role].role if role in world.members else None
    member_only = {
        "/checkin": _("Welcome back! Let's continue where you stopped."),
        "/answers": f"{_('Your answers:')}\n",
        "/pause": _("How long shall I pause your check-ins and reminders? Or give a date: /pause 31.03.2027"),
        "/language": _("Which language would you like me to use?"),
        "/invite": f"{NEW_ORGANISATION} ",
        "/settings": _("Schedule of \"{network}\":").format(network=NETWORK[net or "A"]),
        "/privacy": _(PRIVACY_TEXT).format(current=_("named") if net == "A" else _("anonymous")),
        "/coach": "",
        "/invites": _("Open invite links of \"{network}\" (tap one to withdraw it):").format(
            network=NETWORK[net or "A"]) + f"\n• {INVITED[net or 'A'][0]}",
        "/handover": _("your successor"),
    }
    if command in ("/start", "/help"):
        assert help_text(kind, role == AD, _) in shown
    elif command == "/answers":
        assert member_only[command] in shown and TYPED[net or "A"][0] in shown
    elif command in member_only:
        assert member_only[command] in shown, f"{command} by {role}: {shown[:300]!r}"
        if command == "/coach":
            assert any(data.startswith("k:") for data in outcome.data())
        if command == "/handover":
            assert NETWORK[net or "A"] in shown
    elif command == "/partners":
        partner = PARTNER[net or "A"]
        assert ORGANISATION[partner] in shown and FIRST_NAME[partner] in shown
    elif command == "/scripts":
        heading = _("Check-in scripts (for every network):") if role == AD else _("Check-in scripts of your network:")
        assert shown.startswith(heading)
    elif command == "/digest":
        if net == "A":  # named: the open round so far, with the chart
            assert _("The round is still open: this is the state so far.") in shown and NETWORK["A"] in shown
            assert any(m.kind == "photo" for m in outcome.messages)
        else:  # anonymous: closed rounds only, and none has closed
            assert _("This round's answers are anonymous: the digest shows a round once it has closed; the first "
                     "comes when this round closes.") in shown
    elif command == "/export":
        if net == "A":  # named: the answers so far, with their organisation
            files = {m.filename or "": document_text(m) for m in outcome.messages if m.kind == "document"}
            assert len(files) == 2 and all(ORGANISATION[PA] in text for text in files.values()), list(files)
        else:  # anonymous: closed rounds with at least three answering organisations only (here: none)
            left_out = _("Left out to keep the answers anonymous: rounds in which fewer than {minimum} partners "
                         "answered or that are still open ({rounds}).").split("{minimum}")[0]
            assert _("No answers yet.") in shown or shown.startswith(left_out), shown
            assert not any(m.kind == "document" for m in outcome.messages)
    elif command == "/report":  # no round has closed yet in either network: nothing to report
        assert _("There is no closed check-in round yet: the report shows closed rounds only.") in shown
        assert not any(m.kind == "document" for m in outcome.messages)
    elif command == "/actions":
        assert (STEP_A if net == "A" else _("No steps yet. /coach helps you choose one for the next network meeting.")
                ) in shown
    elif command == "/notes":
        assert _("The partners in their own words · {network}").format(network=NETWORK[net or "A"]) in shown
    elif command == "/goals":
        assert _("Goals · {network}").format(network=NETWORK[net or "A"]) in shown
        assert _("Set the network goal") in shown
    elif command == "/remove":
        assert _("Which partner organisation should leave the network?") in shown
        assert ORGANISATION[PARTNER[net or "A"]] in shown
    elif command == "/network":  # a member of one network: named, nothing to choose
        role_name = _("coordination") if kind == "coordinator" else ORGANISATION[role]
        network = _("{network} ({role})").format(network=NETWORK[net or "A"], role=role_name)
        assert [m.text for m in outcome.messages] == [_("You are in one network: {network}.").format(network=network)]
        assert not outcome.data()
    elif command == "/mydata":
        if role in HOME:
            [document] = [m for m in outcome.messages if m.kind == "document"]
            assert json.loads(document.file or b"")["person"]["first_name"] == FIRST_NAME[role]
            others = [FIRST_NAME[other] for other in ROLES if other != role]
            assert not [name for name in others if name in document_text(document)]
        else:
            assert _("I have stored nothing about you.") in shown
    elif command == "/delete":
        if role in HOME:
            assert [[_("Yes, erase my data"), _("No, keep it")]] in [m.buttons() for m in outcome.messages]
        else:
            assert _("I have stored nothing about you.") in shown
    elif command == "/leave":
        if kind == "partner":
            assert [[_("Yes, leave"), _("No, stay")]] in [m.buttons() for m in outcome.messages]
        else:  # the only coordinator
            assert "/handover" in shown and NETWORK[net or "A"] in shown
    else:
        raise AssertionError(f"no expectation for {command}")


# --- the owners, and what erases or ends someone's membership -------------------------------------------------------


def outdate_consent(db: Database, membership_id: int) -> None:
    """As if the member had agreed to an older consent text: the bot asks them again."""
    with db.atomic():
        db.execute("UPDATE consents SET version = ? WHERE membership_id = ?", [CONSENT_VERSION - 1, membership_id])


def count(db: Database, sql: str, *params: object) -> int:
    """A COUNT(*) query's answer."""
    return int(db.execute(sql, list(params)).fetchone()[0])


async def owned(world: World, role: str, kind: str, data: str | None = None) -> Outcome:
    """The owner taps their button: it works (answered, no refusal, nothing shown of others)."""
    outcome = await press(world, role, kind, data)
    assert not outcome.refused_logged(), f"{kind} was refused to its owner {role}: {outcome.joined()[:300]!r}"
    assert_clean(world, role, outcome, f"{kind} by its owner")
    return outcome


async def check_owners(world: World) -> None:
    """Every button works for the member it was made for (those that end the membership: run_deferred)."""
    _, db = world._, world.db
    pa, ca, net_a = world.members[PA], world.members[CA], world.networks["A"]
    answers = count(db, "SELECT COUNT(*) FROM answers WHERE membership_id = ?", pa.id)

    outcome = await owned(world, FA, "rights exit")  # A's replaced contact starts the exit check-in, once
    fa = world.members[FA].id
    assert count(db, "SELECT COUNT(*) FROM checkins WHERE membership_id = ? AND script_id = 'exit_checkin'", fa) == 1
    assert outcome.edited is not None and not data_of(outcome.edited) and len(outcome.messages) == 2
    before = snapshot(db)
    again = await act(world, FA, data=world.data["rights exit"], on=world.sources["rights exit"])
    assert again.answer is not None and again.answer.text == _("This button is no longer valid.")
    assert_polite_refusal(world, FA, again, "rights exit by FA again")
    assert_unchanged(before, snapshot(db), "rights exit by FA again")
    outcome = await owned(world, XB, "share")  # B's former partner gives its exit answers by name, once
    assert outcome.answer is not None and outcome.answer.text == _("Done: the coordination gets your answers with "
                                                                   "your name.")
    assert count(db, "SELECT COUNT(*) FROM outbox WHERE dedupe_key LIKE 'shared:%'") == 1
    outcome = await owned(world, DU, "network choice")  # DU acts in A from now on (B was theirs since joining it)
    label = _("{network} ({role})").format(network=NETWORK["A"], role=DUAL["A"])
    assert outcome.edited is not None and outcome.edited.text == _("Network: {network}").format(network=label)
    assert count(db, "SELECT current_membership_id FROM users WHERE id = ?", USER[DU]) == world.members[DU].id
    outcome = await owned(world, DU, "rights in")  # DU is asked to confirm leaving A; nothing ends yet
    assert outcome.edited is not None and world.data["rights in"] not in data_of(outcome.edited)
    assert callbacks.RightsIn("leave", world.networks["A"]).pack() in data_of(outcome.edited)
    outcome = await owned(world, PB, "quote")
    assert outcome.answer is not None and outcome.answer.text == _("Done: this answer may be quoted with your "
                                                                   "organisation's name.")
    assert count(db, "SELECT COUNT(*) FROM answers WHERE quote_named = 1") == 1
    outcome = await owned(world, SA, "successor unknown")  # a day late: no second news, the exit check-in starts
    assert _("Thank you! The network coordination knows now and will find out who takes over.") in outcome.joined()
    assert any(d.startswith("a:") for d in outcome.data())
    assert count(db, "SELECT COUNT(*) FROM handovers WHERE answered_at IS NOT NULL AND successor IS NULL") == 1
    await world.api.wait_until(lambda: count(db, "SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')")
                               == 0, timeout=30, message="an empty outbox")

    outcome = await owned(world, PA, "language")
    assert outcome.edited and outcome.edited.text == _("Language: {language}").format(language="Deutsch")
    outcome = await owned(world, PA, "answer")
    assert count(db, "SELECT COUNT(*) FROM answers WHERE membership_id = ?", pa.id) == answers + 1
    assert any(d.startswith("a:") for d in outcome.data())
    outcome = await owned(world, PA, "show answers")  # February's: closed since, so shown without change buttons
    assert f"{_('Your answers:')}\n" in outcome.joined() and TYPED["A"][0] in outcome.joined()
    assert _("The round has closed, so these answers can no longer be changed.") in outcome.joined()
    outcome = await owned(world, PA, "edit")
    assert world.data["revise"] in outcome.data()
    outcome = await owned(world, PA, "revise")
    assert prefix(_, "Changed. Your new answer: {answer}") in outcome.joined()
    assert count(db, "SELECT COUNT(*) FROM answers WHERE membership_id = ? AND revision > 0", pa.id) == 1
    outcome = await owned(world, PA, "round go")
    assert _("Welcome back! Let's continue where you stopped.") in outcome.joined()
    await owned(world, PA, "round later")
    assert count(db, "SELECT COUNT(*) FROM participants WHERE membership_id = ? AND snoozed_until IS NOT NULL",
                 pa.id) == 1
    await owned(world, PA, "pause")
    assert count(db, "SELECT COUNT(*) FROM pauses WHERE membership_id = ?", pa.id) == 1
    outcome = await owned(world, PA, "step down")
    assert world.data["step down confirm"] in outcome.data()
    assert prefix(_, "Are you sure? Then you are no longer the contact person of {organisation} in \"{network}\": you "
                     "get no more check-ins, and your answers so far stay in the network's results. Next I ask who "
                     "takes over, so that the coordination can invite them.") in outcome.joined()
    outcome = await owned(world, PA, "step down cancel")
    assert outcome.edited and outcome.edited.text == _("Good, nothing changes: you stay the contact person.")
    for kind in ("rights stay", "rights keep"):
        outcome = await owned(world, PA, kind)
        assert outcome.edited and outcome.edited.text == _("Nothing was changed.")
    await carrier(world, PA)  # made now: while the consent is outdated the gate stops the command that makes one
    outdate_consent(db, pa.id)
    await owned(world, PA, "rights agree")
    assert count(db, "SELECT MAX(version) FROM consents WHERE membership_id = ?", pa.id) == CONSENT_VERSION

    outcome = await owned(world, CA, "settings field")
    assert callbacks.SettingValue("day", "0").pack() in data_of(world.carriers[CA])
    outcome = await owned(world, CA, "settings value")
    assert outcome.answer is not None and outcome.answer.text == _("Saved.")
    assert count(db, "SELECT weekday FROM schedules WHERE network_id = ?", net_a) == 0
    outcome = await owned(world, CA, "notes")  # A's words of its named rounds, by name
    assert outcome.edited is not None and TYPED["A"][0] in outcome.edited.text
    assert ORGANISATION[PA] in outcome.edited.text
    await owned(world, CA, "privacy")  # back to anonymous: A's other members are asked to agree again
    await world.api.wait_until(lambda: count(db, "SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')")
                               == 0, timeout=30, message="the renewal questions sent")
    renewal = world.api.messages(USER[PA])[-1]
    assert _("I agree") in [label for row in renewal.buttons() for label in row]
    await world.harness.tap(USER[PA], renewal, _("I agree"), count=0)  # and A's partner agrees
    outcome = await press(world, CA, "notes")  # anonymous now, for every round so far: one partner's words hide
    assert outcome.answer is not None and outcome.answer.text == _("This button is no longer valid.")
    assert outcome.edited is None
    assert db.execute("SELECT privacy FROM networks WHERE id = ?", [net_a]).fetchone()[0] == "anonymous"
    # the notice to A's partner is paced behind what its chat just got: sent before later cases compare the rows
    await world.api.wait_until(lambda: count(db, "SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')")
                               == 0, timeout=30, message="an empty outbox")
    outcome = await owned(world, CA, "script download")
    assert QUESTION_A in outcome.joined()
    outcome = await owned(world, CA, "script versions")
    assert _("Versions of {script}:").format(script="monthly_checkin") in outcome.joined()
    outcome = await owned(world, CA, "draft preview")
    assert prefix(_, "Preview of {script} version {version}, as a partner sees it. Nothing is stored; until the "
                     "preview ends, what you type answers it.") in outcome.joined()
    outcome = await owned(world, CA, "preview answer")
    assert "✓ 3" in world.sources["preview answer"].text
    await owned(world, CA, "draft publish")
    assert published_version(db, "monthly_checkin", net_a) == 4
    outcome = await owned(world, CA, "draft discard")
    assert _("Draft discarded; nothing was changed.") in outcome.joined()
    outcome = await owned(world, CA, "script rollback")
    [question] = [m for m in outcome.messages if m.reply_markup]
    # The confirmation asked before the drafts names version 3 in use: its "yes" now changes nothing; this one does.
    await owned(world, CA, "script confirm", pick(question, lambda d: d.startswith("d:ry:")))
    assert published_version(db, "monthly_checkin", net_a) == 2
    outcome = await owned(world, CA, "script cancel")
    assert _("Nothing was changed.") in outcome.joined()
    outcome = await owned(world, CA, "script shared")
    [question] = [m for m in outcome.messages if m.reply_markup]
    await owned(world, CA, "script shared ok", pick(question, lambda d: d.startswith("d:sy:")))
    assert count(db, "SELECT COUNT(*) FROM script_publications WHERE action = 'shared' AND network_id = ?",
                 net_a) == 1
    outcome = await owned(world, CA, "coach answer")
    assert prefix(_, "Ideas for \"{topic}\": {advice}") in outcome.joined()
    await owned(world, CA, "coach outcome")
    assert db.execute("SELECT outcome FROM actions WHERE membership_id = ?", [ca.id]).fetchone()[0] == "done"
    outcome = await owned(world, CA, "coach start")
    assert any(d.startswith("k:") for d in outcome.data())
    outcome = await owned(world, CA, "access revoke")
    assert outcome.answer is not None and outcome.answer.text == _("The link has been withdrawn.")
    assert count(db, "SELECT COUNT(*) FROM invites WHERE network_id = ? AND revoked_at IS NOT NULL", net_a) == 1
    await owned(world, CA, "access remove")
    assert world.data["access confirm"] in data_of(world.carriers[CA])
    outcome = await owned(world, CA, "access cancel")
    assert _("Nothing was changed.") in outcome.joined()
    await owned(world, CA, "access confirm")
    outcome = await owned(world, CA, "access kinds")
    assert world.data["access kind"] in outcome.data()
    await owned(world, CA, "access kind")
    assert world.data["access set kind"] in data_of(world.carriers[CA])
    await owned(world, CA, "access set kind")
    assert db.execute("SELECT kind FROM organisations WHERE name = ?", [ORGANISATION[PA]]).fetchone()[0] == \
        "youth_office"
    outcome = await owned(world, CA, "access successor")  # the invite link for SA's organisation
    assert prefix(_, "Invite link for {organisation} (works once, valid until {date}):\n{link}\n\nSend it to the "
                     "contact person of that organisation.") + STEPPER_A in outcome.joined()
    outcome = await owned(world, CA, "goal export")
    [document] = [m for m in outcome.messages if m.kind == "document"]
    assert _("Goal workshop · {network}").format(network=NETWORK["A"]) in document_text(document)
    await owned(world, CA, "goal set")
    assert db.execute("SELECT goal_asked_at FROM memberships WHERE id = ?", [ca.id]).fetchone()[0] is not None
    outcome = await owned(world, CA, "goal cancel")
    assert outcome.edited is not None and outcome.edited.text == _("Nothing was changed.")
    assert db.execute("SELECT goal_asked_at FROM memberships WHERE id = ?", [ca.id]).fetchone()[0] is None
    assert count(db, "SELECT COUNT(*) FROM organisations WHERE network_id = ? AND removed_at IS NOT NULL",
                 net_a) == 1


async def run_deferred(world: World) -> None:
    """Last: B's people and A's coordinator erase or end their own membership; A's partner leaves, joins again,
    declines a new consent text, and erases their data."""
    _, db = world._, world.db
    # What the owners' taps queued (the partners' privacy notice) is sent first: a send during a case is no change.
    await world.api.wait_until(lambda: count(db, "SELECT COUNT(*) FROM outbox WHERE status IN ('queued', 'sending')")
                               == 0, timeout=30, message="an empty outbox")
    for role, kind in DEFERRED:
        await button_case(world, kind, role)
    pa = world.members[PA]
    outcome = await owned(world, PA, "step down confirm")
    assert db.execute("SELECT left_reason FROM memberships WHERE id = ?", [pa.id]).fetchone()[0] == "not_responsible"
    assert any(d.startswith("t:u:") for d in outcome.data())  # who takes over?
    await join(world, PA, invite(world, world.networks["A"], ORGANISATION[PA]))  # and back, as their own successor
    pa = world.members[PA]
    await owned(world, PA, "rights leave")
    assert db.execute("SELECT left_reason FROM memberships WHERE id = ?", [pa.id]).fetchone()[0] == "left"
    await join(world, PA, invite(world, world.networks["A"], ORGANISATION[PA]))
    await carrier(world, PA)
    again = world.members[PA]
    outdate_consent(db, again.id)
    await owned(world, PA, "rights decline")
    assert db.execute("SELECT left_reason FROM memberships WHERE id = ?", [again.id]).fetchone()[0] == \
        "consent_declined"
    outcome = await owned(world, PA, "rights delete")
    assert outcome.edited is not None and count(db, "SELECT COUNT(*) FROM users WHERE id = ?", USER[PA]) == 0


# --- the log --------------------------------------------------------------------------------------------------------


def assert_log_clean(world: World) -> None:
    """No log record of the whole test names a person, an organisation, a typed text or the bot token."""
    words = [*FIRST_NAME.values(), *ORGANISATION.values(), *INVITED["A"], *INVITED["B"], *TYPED["A"], *TYPED["B"],
             *DUAL.values(), STEP_A, WITH_A, NEW_ORGANISATION, STEPPER_A, world.api.token]
    ids = re.compile(r"(?<!\d)(" + "|".join(str(user) for user in USER.values()) + r")(?!\d)")
    for record in world.caplog.records:
        message = record.getMessage()
        found = [w for w in words if w in message] + ids.findall(message)
        assert not found, f"{record.name} {record.levelname} logs {found}: {message[:300]!r}"


async def new_world(harness: Harness, catalogs: Catalogs, caplog: pytest.LogCaptureFixture, rounds: str) -> World:
    """The world, with everything logged from here on captured."""
    caplog.set_level(logging.DEBUG)
    world = World(harness, caplog, catalogs.gettext("de"))
    await build(world, rounds)
    return world


# --- the tests ------------------------------------------------------------------------------------------------------


def test_the_matrix_names_every_command_and_every_kind_of_button(tmp_path: Path) -> None:
    app = build_application(Settings(token="123:matrix", db_path=tmp_path / "unused.db"))
    handlers = [handler for group in app.handlers.values() for handler in group]
    commands = {f"/{c}" for h in handlers if isinstance(h, CommandHandler) for c in h.commands}
    assert commands == set(COMMANDS), f"app.py registers {commands - set(COMMANDS)}; gone: {set(COMMANDS) - commands}"
    declared = {kind.PATTERN for kind in callbacks.KINDS}
    registered = {h.pattern.pattern for h in handlers
                  if isinstance(h, CallbackQueryHandler) and isinstance(h.pattern, re.Pattern)}
    assert registered == declared
    assert {f"^{prefix}:" for prefix, _ in BUTTONS.values()} == declared
    # Every action of the kinds of buttons that name one, not just every prefix.
    named = {value for name, value in vars(callbacks).items() if name.endswith("_ACTIONS")}
    assert named <= set(FAMILIES.values()), "a new *_ACTIONS in bot/telegram/callbacks.py: add its prefix to FAMILIES"
    assert {kind for kind, (prefix, _) in BUTTONS.items() if prefix in FAMILIES} == set(ACTION)
    tabled = {(BUTTONS[kind][0], action) for kind, action in ACTION.items()}
    actions = {(prefix, action) for prefix, names in FAMILIES.items() for action in names}
    assert tabled == actions, f"no row for {sorted(actions - tabled)}; unknown {sorted(tabled - actions)}"


def test_the_matrix_agrees_with_the_production_roles() -> None:
    """The test keeps only what is not about roles: for each kind of button, exactly the roles the production table
    lets through; every command and button prefix has a rule there, and every role of the table is a column."""
    for kind, (prefix_, outcomes) in BUTTONS.items():
        through = {role for role in ROLES if not refused_by_role(kind, role)}
        assert set(outcomes) == through, f"{kind}: the test names {sorted(outcomes)}, roles.py lets {sorted(through)}"
        assert all(o in (M, S) or o.startswith("refused: ") for o in outcomes.values()), kind
        assert prefix_ in roles.BUTTONS, prefix_
    assert {prefix_ for prefix_, _ in BUTTONS.values()} == set(roles.BUTTONS)
    assert set().union(*HAS.values()) == set(ROLE_NAMES)
    for name, rule in roles.COMMANDS.items():
        assert rule.roles <= set(ROLE_NAMES) and rule.roles, name
        assert rule.roles == EVERYONE or (rule.refusal and rule.stranger), f"/{name} has no refusal text"


async def test_every_command_for_every_role(harness: Harness, catalogs: Catalogs,
                                            caplog: pytest.LogCaptureFixture) -> None:
    world = await new_world(harness, catalogs, caplog, rounds="open")
    for command in COMMANDS:
        for role in ROLES:
            await command_case(world, command, role)
    assert_log_clean(world)


async def test_every_button_for_every_role(harness: Harness, catalogs: Catalogs,
                                           caplog: pytest.LogCaptureFixture) -> None:
    world = await new_world(harness, catalogs, caplog, rounds="full")
    assert set(BUTTONS) == set(world.data)
    for kind, (prefix_, _outcomes) in BUTTONS.items():
        assert world.data[kind].startswith(f"{prefix_}:"), kind
        assert kind not in ACTION or action_of(world.data[kind]) == ACTION[kind], f"{kind}: {world.data[kind]}"
        for role in ROLES:
            if expected(kind, role) != M and (role, kind) not in DEFERRED:
                await button_case(world, kind, role)
    await check_owners(world)
    await run_deferred(world)
    assert_log_clean(world)
