"""The coordinator's coaching: /coach (a dialog from dialogs/coaching.yaml ending in one concrete action), how last
month's action went, and /actions. The engine decides; this module translates and stores."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from bot.core import engine
from bot.core.coaching import coaching_topics, commitment, outcome_label, topic_advice, topic_factor
from bot.core.context import CheckinContext
from bot.core.digest.build import signals_view
from bot.core.engine import Accepted, DialogState, Input, Pending, Press, Typed
from bot.core.history import Signal
from bot.core.render import describe_value, pick, render_step
from bot.core.script.model import Script
from bot.i18n import Gettext
from bot.jobs.reports import round_signals
from bot.services import Services
from bot.telegram import callbacks
from bot.telegram.handlers.common import log_refusal, member_of, refuse_callback, rejection, say, translator
from bot.telegram.handlers.coordinator import coordinator_member, coordinator_or_refusal
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

COACHING_SCRIPT = "coaching"
FOCUS_STEP_KIND = "focus"


def coaching_script(svc: Services, network_id: int) -> Script | None:
    """The coaching dialog in use in the network, or None when dialogs/ has none."""
    try:
        return svc.scripts.current(COACHING_SCRIPT, network_id)
    except KeyError:
        return None


async def coach_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/coach: start the coaching dialog on this month's signals."""
    svc, _ = translator(update, context)
    member = await coordinator_member(update, svc, _)
    if member is None:
        return
    await begin_coaching(update, svc, member, _)


def _standing(svc: Services, session: Session) -> list[Signal]:
    """The signals of the round the dialog was offered for, with how long each has stood (for the ideas' stage)."""
    if session.round_id is None:
        return []
    history = load_history(svc.db, session.network_id, svc.scripts.version,
                           network_thresholds(svc.db, session.network_id))
    return round_signals(history, session.round_id, "coaching")


async def begin_coaching(update: Update, svc: Services, member: Membership, _: Gettext) -> None:
    """Open a coaching dialog: the topics are fixed now (the newest round's signals, then the success factors)."""
    script = coaching_script(svc, member.network_id)
    if script is None:
        await say(update, _("There is no coaching dialog in dialogs/ yet."))
        return
    history = load_history(svc.db, member.network_id, svc.scripts.version,
                           network_thresholds(svc.db, member.network_id))
    closed = [facts for facts in history.rounds if facts.closed]
    round_id = closed[-1].id if closed else None
    # A hidden signal's topic as a button would tell what the few who answered said (bot.core.disclosure).
    signals = signals_view(history, round_id, round_signals(history, round_id, "coaching"), "coaching").signals \
        if round_id is not None else ()
    topics = coaching_topics(list(signals), _)
    state = engine.start(script, CheckinContext(topics=topics))
    session = start_session(svc.db, member.id, member.network_id, round_id, script.id, script.version, topics,
                            state.to_json(), svc.clock())
    if script.intro:
        await say(update, pick(script.intro, member.locale))
    await _send_step(update, svc, session, script, state, member.locale, _)


async def _send_step(update: Update, svc: Services, session: Session, script: Script, state: DialogState,
                     locale: str, _: Gettext) -> None:
    chat = update.effective_chat
    if chat is None or state.current is None:
        return
    view = render_step(script, state.current, locale, _, engine.questions_answered(script, state) + 1, state=state,
                       context=CheckinContext(topics=session.topics))
    rows = [[InlineKeyboardButton(b.label, callback_data=callbacks.coach_answer(session.id, view.step_id, b.value))
             for b in row] for row in view.buttons]
    sent = await chat.send_message(view.text, reply_markup=InlineKeyboardMarkup(rows) if rows else None)
    set_prompt(svc.db, session.id, sent.message_id)


async def on_coach_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A coaching button: start, answer a step, or say how an action went."""
    svc, _ = translator(update, context)
    query = update.callback_query
    data = callbacks.parse_coach(query.data or "") if query else None
    member = member_of(update, svc)
    if query is None:
        return
    if data is None or member is None or coordinator_or_refusal(member, _) is not None:
        if data is not None:
            log_refusal(update, member)
        await refuse_callback(update, _("This button is no longer valid."))
        return
    if data.start:
        await query.answer()
        await query.edit_message_reply_markup(None)
        await begin_coaching(update, svc, member, _)
    elif data.action_id:
        await _outcome(update, svc, member, data.action_id, data.outcome, _)
    else:
        session = get_session(svc.db, data.session_id)
        if session is None or session.membership_id != member.id or session.status != "open":
            if session is not None and session.membership_id != member.id:
                log_refusal(update, member)
            await refuse_callback(update, _("This button is no longer valid."))
            return
        await _apply(update, svc, member, session, data.step_id, Press(data.value), _)


async def coach_typed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    """A coordinator's typed line: an answer in the coaching dialog, or the note on how an action went."""
    svc, _ = translator(update, context)
    member = member_of(update, svc)
    message = update.effective_message
    if member is None or member.role != "coordinator" or message is None or message.text is None:
        return False
    session = open_session(svc.db, member.id)
    if session is not None:
        state = DialogState.from_json(session.state)
        await _apply(update, svc, member, session, state.current or "", Typed(message.text), _)
        return True
    if take_note(svc.db, member.id, message.text.strip()[:300]) is not None:
        await say(update, _("Thank you, noted. /actions shows all your steps."))
        return True
    return False


async def _apply(update: Update, svc: Services, member: Membership, session: Session, step_id: str, given: Input,
                 _: Gettext) -> None:
    script = svc.scripts.version(session.script_id, session.script_version)
    state = DialogState.from_json(session.state)
    context = CheckinContext(topics=session.topics)
    outcome = engine.answer(script, state, step_id, given, context)
    if not isinstance(outcome, Accepted | Pending):
        text, on_button = rejection(outcome, _)
        await (refuse_callback(update, text) if on_button else say(update, text))
        return
    finished = isinstance(outcome, Accepted) and outcome.state.finished
    if not advance(svc.db, session, outcome.state.to_json(), finished, svc.clock()):
        await refuse_callback(update, _("This question has already been answered."))
        return
    query = update.callback_query
    if query is not None:
        await query.answer()
        if isinstance(outcome, Accepted):
            step = script.step(outcome.step_id)
            given_text = describe_value(step, outcome.value, member.locale, _, dict(session.topics))
            await query.edit_message_text(f"{pick(step.text, member.locale)}\n\n✓ {given_text}")
    if isinstance(outcome, Pending):
        return
    if script.step(outcome.step_id).kind == FOCUS_STEP_KIND and isinstance(outcome.value, str):
        advice = topic_advice(outcome.value, svc.tips, member.locale, _standing(svc, session))
        await say(update, _("Ideas for \"{topic}\": {advice}").format(
            topic=dict(session.topics).get(outcome.value, outcome.value), advice=advice))
    fresh = get_session(svc.db, session.id) or session
    if finished:
        _record(svc, fresh, script, outcome.state)
        await say(update, pick(script.outro, member.locale))
        return
    await _send_step(update, svc, fresh, script, outcome.state, member.locale, _)


def _record(svc: Services, session: Session, script: Script, state: DialogState) -> None:
    """The finished dialog's commitment: its focus, the typed action, with whom and by when."""
    found = commitment(script, state.answers)
    if found is not None:
        record_action(svc.db, session, found.topic, dict(session.topics).get(found.topic, found.topic),
                      topic_factor(found.topic), found.what, found.with_whom, found.due, svc.clock())


async def _outcome(update: Update, svc: Services, member: Membership, action_id: int, outcome: str,
                   _: Gettext) -> None:
    action = get_action(svc.db, action_id)
    if action is None or action.network_id != member.network_id or outcome not in ("done", "partly", "not_done"):
        if action is not None and action.network_id != member.network_id:
            log_refusal(update, member)
        await refuse_callback(update, _("This button is no longer valid."))
        return
    if not set_outcome(svc.db, action_id, outcome, svc.clock()):  # type: ignore[arg-type]
        await refuse_callback(update, _("You have already said how it went. /actions shows it."))
        return
    query = update.callback_query
    if query is not None:
        await query.answer()
        await query.edit_message_reply_markup(None)
    await say(update, _("Thank you! One line on how it went? (Just write it; or carry on with anything else.)"))


async def actions_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/actions: the network's committed steps, open ones first, with how they went."""
    svc, _ = translator(update, context)
    member = await coordinator_member(update, svc, _)
    if member is None:
        return
    actions = actions_of(svc.db, member.network_id)
    if not actions:
        await say(update, _("No steps yet. /coach helps you choose one for the next network meeting."))
        return
    ordered = [a for a in actions if a.outcome is None] + [a for a in actions if a.outcome is not None]
    lines = [_("Your steps:")]
    for action in ordered:
        note = f" – {action.outcome_note}" if action.outcome_note else ""
        lines.append(f"• {action.created_at[:10]} {action.topic_label}: {action.what} "
                     f"[{outcome_label(action.outcome, _)}]{note}")
    await say(update, "\n".join(lines))
