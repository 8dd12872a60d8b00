"""One person flooding two instances behind one load balancer gets one allowance and one
warning between them, not one per instance."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from bot.config import Listen, Settings
from bot.fake_telegram.server import FakeBotApi
from tests.flows.test_flood import SLOW_DOWN, replies_to
from tests.flows.test_instances_share_conversations import Alternating
from tests.flows.test_operator_endpoints import get, samples, value
from tests.support.balancer import Balancer
from tests.support.bot_runner import BotRunner
from tests.support.clock import FakeClock

pytestmark = pytest.mark.postgresql

SECRET = "flood-across-instances_" + "f" * 32


async def refused_at_intake(runner: BotRunner) -> float:
    """Updates the instance dropped unparsed, as from someone it knows to be silenced."""
    _, exposition = await get(runner, "/metrics")
    found = samples(exposition)
    return value(found, "repairbot_updates_handled_total", type="message", outcome="refused") or 0



@pytest.fixture
async def balancer() -> AsyncIterator[Balancer]:
    async with Balancer() as running:
        yield running


@pytest.fixture
async def instances(
    api: FakeBotApi, settings: Settings, clock: FakeClock, balancer: Balancer
) -> AsyncIterator[dict[str, BotRunner]]:
    """Instances "a" and "b" with the default flood limits, behind the balancer."""
    defaults = Settings.model_fields
    shared = settings.model_copy(
        update={
            "flood_burst": defaults["flood_burst"].default,
            "flood_rate": defaults["flood_rate"].default,
            "webhook_url": f"{balancer.url}/telegram",
            "webhook_secret": SecretStr(SECRET),
            "webhook_listen": Listen(host="127.0.0.1", port=0),
        }
    )
    runners = {name: BotRunner(api, shared, clock) for name in ("a", "b")}
    try:
        for name, runner in runners.items():
            await runner.start()
            assert runner.app is not None
            balancer.instances[name] = f"http://127.0.0.1:{runner.app.bot_data['web'].port}"
        yield runners
    finally:
        for runner in runners.values():
            await runner.stop()


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
