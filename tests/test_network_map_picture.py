"""The network map's picture (every name whole, a silent partner, a lost link and one lost since a contact change
drawn apart, only where names may be shown) and the one message it comes in on digest day."""

from __future__ import annotations

import io
from dataclasses import replace

import pytest
from PIL import Image

from bot.core.disclosure import Shown
from bot.core.limits import utf16_len as utf16_length
from bot.core.network_map import CAPTION_LIMIT, map_title, network_map
from bot.i18n import Catalogs
from bot.jobs.map_messages import map_messages
from bot.render.network_picture import HANDOVER, LOST, render_network_map
from storage.people import Membership
from tests.test_network_map import PNG_SIGNATURE, _fits_a_phone, identity
from tests.test_network_map_text import HANDED_OVER

COORDINATOR = Membership(1, 7, "Netz", 900, "Nora", "coordinator", None, None, "de")


def _pixels_like(png: bytes, colour: str) -> int:
    """How many pixels of the picture have (nearly) this colour."""
    wanted = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    image = Image.open(io.BytesIO(png)).convert("RGB")
    colours: list[tuple[int, tuple[int, int, int]]] = image.getcolors(maxcolors=1 << 20) or []  # type: ignore[assignment]
    return sum(count for count, rgb in colours if all(abs(a - b) <= 12 for a, b in zip(rgb, wanted, strict=True)))


@pytest.mark.parametrize("shown", ["named", "aggregate"])
def test_picture_draws_a_lost_link_and_one_lost_since_a_contact_change_apart(shown: Shown) -> None:
    network = network_map(HANDED_OVER, 60)  # Suchtberatung did not answer; its contact person changed
    png = render_network_map(network, map_title(network, "de", identity), identity, shown)
    assert png.startswith(PNG_SIGNATURE) and _fits_a_phone(png)
    assert _pixels_like(png, LOST) > 100
    # a contact change is a fact about a named organisation: singled out only where names may be shown
    assert (_pixels_like(png, HANDOVER) > 100) is (shown == "named")


def test_the_picture_where_the_map_may_show_nothing_shows_no_organisation() -> None:
    network = network_map(HANDED_OVER, 60)
    png = render_network_map(network, "Network map", identity, "nothing")
    assert _fits_a_phone(png)
    assert _pixels_like(png, LOST) == 0 and _pixels_like(png, "#56B4E9") == 0  # no line, no node


def test_map_messages_bring_one_picture_with_the_summary_as_caption(catalogs: Catalogs) -> None:
    history = replace(HANDED_OVER, rounds=tuple(replace(facts, privacy="named") for facts in HANDED_OVER.rounds))
    [message] = map_messages(catalogs, history, 60, COORDINATOR)
    assert message.photo is not None and message.photo.startswith(PNG_SIGNATURE)
    assert message.kind == "map" and message.chat_id == 900 and message.parse_mode is None
    assert message.text.startswith("Netzwerkkarte April–Juni 2027\nGenannte Kooperationen: 3; geantwortet haben 4 "
                                   "von 5 Partnern")
    assert ("Arbeiten seit dem Wechsel der Ansprechperson nicht mehr zusammen (gegenüber Januar–März 2027)"
            in message.text)
    assert "• Kita Sonnenschein – Suchtberatung (neue Ansprechperson bei Suchtberatung)" in message.text
    assert utf16_length(message.text) <= CAPTION_LIMIT


def test_map_messages_where_the_map_may_show_nothing_bring_one_text(catalogs: Catalogs) -> None:
    few = replace(HANDED_OVER, answers=tuple(a for a in HANDED_OVER.answers if a.organisation_id in (1, 2)))
    [message] = map_messages(catalogs, few, 60, COORDINATOR)  # anonymous rounds, two answers
    assert message.photo is None
    assert message.text.startswith("Netzwerkkarte April–Juni 2027: Weniger als 3 Partner haben")
    assert not any(partner.name in message.text for partner in few.partners)
