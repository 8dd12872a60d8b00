"""One person flooding two instances behind one load balancer gets one allowance and one
warning between them, not one per instance."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import Settings
from bot.fake_telegram.server import FakeBotApi
from tests.flows.test_flood import SLOW_DOWN, replies_to
from tests.flows.test_instances_share_conversations import Alternating
from tests.flows.test_operator_endpoints import get, samples, value
from tests.support.balancer import Balancer, behind, serving
from tests.support.bot_runner import BotRunner
from tests.support.clock import FakeClock

pytestmark = pytest.mark.postgresql



async def refused_at_intake(runner: BotRunner) -> float:
    """Updates the instance dropped unparsed, as from someone it knows to be silenced."""
    _, exposition = await get(runner, "/metrics")
    found = samples(exposition)
    return value(found, "repairbot_updates_handled_total", type="message", outcome="refused") or 0



@pytest.fixture
async def instances(
    api: FakeBotApi, settings: Settings, clock: FakeClock, balancer: Balancer
) -> AsyncIterator[dict[str, BotRunner]]:
    """Instances "a" and "b" with the default flood limits, behind the balancer."""
    defaults = Settings.model_fields
    shared = behind(settings, balancer).model_copy(
        update={
            "flood_burst": defaults["flood_burst"].default,
            "flood_rate": defaults["flood_rate"].default,
        }
    )
    async with serving(balancer, {name: BotRunner(api, shared, clock) for name in "ab"}) as runners:
        yield runners


async def test_a_flood_spread_over_two_instances_gets_one_burst_and_one_warning(
    instances: dict[str, BotRunner], balancer: Balancer, api: FakeBotApi, clock: FakeClock
) -> None:
    flooder = Alternating(instances, balancer, 601)
    settings = instances["a"].settings
    burst = settings.flood_burst

    for number in range(burst + 20):
        await flooder.next().says(f"spam {number}")

    assert set(balancer.passed) == {"a", "b"}
    flooded = replies_to(api, 601)
    assert len(flooded) == burst + 1, "the burst is answered, then one notice, then nothing"
    assert sum(SLOW_DOWN in reply for reply in flooded) == 1
    assert SLOW_DOWN in flooded[-1]
    # The warning came from one instance; the other learnt of it at the next update it judged,
    # and from then on both drop the flooder's updates before parsing them.
    refused = [await refused_at_intake(runner) for runner in instances.values()]
    assert all(refused), refused
    assert sum(refused) == 20 - 2

    # A few quiet seconds later the same person is welcome again, on either instance.
    clock.advance(seconds=burst / settings.flood_rate)
    await flooder.next().says("hello again")
    await flooder.next().says("still here")
    assert len(replies_to(api, 601)) == burst + 3
    assert sum(SLOW_DOWN in reply for reply in replies_to(api, 601)) == 1
