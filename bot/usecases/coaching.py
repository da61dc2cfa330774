"""A coordinator's coaching: the dialog from dialogs/coaching.yaml (topics fixed at its start, ideas for the chosen
topic, a recorded action at its end), how an action went, and the list of actions. Plain values in, plain data out."""

from __future__ import annotations

from datetime import datetime

from sqlite_utils import Database

from bot.core import engine
from bot.core.coaching import coaching_topics, commitment, outcome_label, topic_advice, topic_factor
from bot.core.context import CheckinContext
from bot.core.digest.build import signals_view
from bot.core.engine import Accepted, DialogState, Pending
from bot.core.history import Signal
from bot.core.limits import cut
from bot.core.render import pick
from bot.core.tips import Tips
from bot.core.user_text import one_line, quoted
from bot.i18n import Gettext
from bot.services import COACHING_SCRIPT
from bot.usecases.checkin import script_in_use
from bot.usecases.dialog import Begun, Dialog, Refused
from bot.usecases.report import round_signals
from bot.usecases.scripts import ScriptRegistry
from storage.coaching import (
    Session,
    actions_of,
    advance,
    get_action,
    get_session,
    open_session,
    record_action,
    set_outcome,
    set_prompt,
    start_session,
    take_note,
)
from storage.history import load_history
from storage.people import Membership
from storage.reports import network_thresholds

FOCUS_STEP_KIND = "focus"
MAX_NOTE = 300  # characters of the note on how a step went


class CoachingDialog:
    """A coaching session behind the runner: its state in `coaching_sessions`."""

    def __init__(self, db: Database, scripts: ScriptRegistry, tips: Tips, now: datetime, member: Membership,
                 session: Session) -> None:
        self.session, self.member = session, member
        self._db, self._scripts, self._tips, self._now = db, scripts, tips, now
        self._dialog = Dialog(scripts.version(session.script_id, session.script_version),
                              DialogState.from_json(session.state), CheckinContext(topics=session.topics),
                              member.locale)

    @property
    def dialog(self) -> Dialog:
        """The session as loaded."""
        return self._dialog

    def save(self, outcome: Accepted | Pending) -> bool:
        """The new state, if the session still has the one loaded."""
        finished = isinstance(outcome, Accepted) and outcome.state.finished
        return advance(self._db, self.session, outcome.state.to_json(), finished, self._now)

    def remember_prompt(self, message_id: int | None) -> None:
        """The message showing the current step."""
        if message_id is not None:
            set_prompt(self._db, self.session.id, message_id)

    def after(self, outcome: Accepted, _: Gettext) -> tuple[str, ...]:
        """Ideas for a chosen topic; at the end the action is recorded and the outro said."""
        script, topics = self._dialog.script, dict(self.session.topics)
        said: list[str] = []
        if script.step(outcome.step_id).kind == FOCUS_STEP_KIND and isinstance(outcome.value, str):
            advice = topic_advice(outcome.value, self._tips, self.member.locale, self._standing())
            said.append(_("Ideas for \"{topic}\": {advice}").format(topic=topics.get(outcome.value, outcome.value),
                                                                    advice=advice))
        if outcome.state.finished:
            found = commitment(script, outcome.state.answers)
            if found is not None:
                session = get_session(self._db, self.session.id) or self.session
                record_action(self._db, session, found.topic, topics.get(found.topic, found.topic),
                              topic_factor(found.topic), found.what, found.with_whom, found.due, self._now)
            said.append(pick(script.outro, self.member.locale))
        return tuple(said)

    def _standing(self) -> list[Signal]:
        """The signals of the round the dialog was offered for, with how long each has stood (the ideas' stage)."""
        if self.session.round_id is None:
            return []
        history = load_history(self._db, self.session.network_id, self._scripts.version,
                               network_thresholds(self._db, self.session.network_id))
        return round_signals(history, self.session.round_id, "coaching")


def begin_coaching(db: Database, scripts: ScriptRegistry, tips: Tips, now: datetime, member: Membership,
                   _: Gettext) -> Begun[CoachingDialog]:
    """Open a coaching dialog: the topics are fixed now (the newest round's signals, then the success factors)."""
    script = script_in_use(scripts, COACHING_SCRIPT, member.network_id)
    if script is None:
        return Begun((_("There is no coaching dialog in dialogs/ yet."),))
    history = load_history(db, member.network_id, scripts.version, network_thresholds(db, member.network_id))
    closed = [facts for facts in history.rounds if facts.closed]
    round_id = closed[-1].id if closed else None
    # A hidden signal's topic as a button would tell what the few who answered said (bot.core.disclosure).
    signals = signals_view(history, round_id, round_signals(history, round_id, "coaching"), "coaching").signals \
        if round_id is not None else ()
    topics = coaching_topics(list(signals), _)
    state = engine.start(script, CheckinContext(topics=topics))
    session = start_session(db, member.id, member.network_id, round_id, script.id, script.version, topics,
                            state.to_json(), now)
    intro = (pick(script.intro, member.locale),) if script.intro else ()
    return Begun(intro, CoachingDialog(db, scripts, tips, now, member, session))


def tapped(db: Database, scripts: ScriptRegistry, tips: Tips, now: datetime, member: Membership,
           session_id: int, _: Gettext) -> CoachingDialog | Refused:
    """The coordinator's open session behind an answer button."""
    session = get_session(db, session_id)
    if session is None or session.membership_id != member.id or session.status != "open":
        return Refused(_("This button is no longer valid."),
                       log=session is not None and session.membership_id != member.id)
    return CoachingDialog(db, scripts, tips, now, member, session)


def running(db: Database, scripts: ScriptRegistry, tips: Tips, now: datetime,
            member: Membership) -> CoachingDialog | None:
    """The coordinator's open coaching dialog, if any."""
    session = open_session(db, member.id)
    return None if session is None else CoachingDialog(db, scripts, tips, now, member, session)


def note(db: Database, member: Membership, text: str) -> bool:
    """Keep a typed line as the note on how the coordinator's latest rated action went; False if none awaits one."""
    return take_note(db, member.id, cut(one_line(text), MAX_NOTE)) is not None


def rate_action(db: Database, member: Membership, action_id: int, outcome: str, now: datetime,
                _: Gettext) -> Refused | None:
    """Store how an action went (once); a refusal for a stale, foreign or repeated button."""
    action = get_action(db, action_id)
    if action is None or action.network_id != member.network_id or outcome not in ("done", "partly", "not_done"):
        return Refused(_("This button is no longer valid."),
                       log=action is not None and action.network_id != member.network_id)
    if not set_outcome(db, action_id, outcome, now):  # type: ignore[arg-type]
        return Refused(_("You have already said how it went. /actions shows it."))
    return None


def followup(db: Database, member: Membership, action_id: int, _: Gettext) -> str | Refused:
    """The question how an open action went ("You planned: …"); a refusal for a stale, foreign or rated one."""
    action = get_action(db, action_id)
    if action is None or action.network_id != member.network_id:
        return Refused(_("This button is no longer valid."),
                       log=action is not None and action.network_id != member.network_id)
    if action.outcome is not None:
        return Refused(_("You have already said how it went. /actions shows it."))
    return followup_question(action.what, action.topic_label, _)


def followup_question(what: str, topic: str, _: Gettext) -> str:
    """"You planned: … How did it go?" for one action."""
    return _("You planned: {what} ({topic}). How did it go?").format(what=one_line(what), topic=topic)


def actions_text(db: Database, member: Membership, _: Gettext) -> str:
    """/actions: the network's committed steps, open ones first, with how they went."""
    actions = actions_of(db, member.network_id)
    if not actions:
        return _("No steps yet. /coach helps you choose one for the next network meeting.")
    ordered = [a for a in actions if a.outcome is None] + [a for a in actions if a.outcome is not None]
    lines = [_("Your steps:")]
    for action in ordered:
        note_text = f" – {quoted(action.outcome_note, _)}" if action.outcome_note else ""
        lines.append(f"• {action.created_at[:10]} {action.topic_label}: {one_line(action.what)} "
                     f"[{outcome_label(action.outcome, _)}]{note_text}")
    return "\n".join(lines)
