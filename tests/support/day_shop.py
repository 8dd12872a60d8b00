"""One workshop open every day ("Day Bench", DAY-ONE), its mechanic and head office: the
network most flow tests of notices, questions and buttons run in (`shop` in conftest)."""

from pathlib import Path

DAY_WORKSHOP = Path(__file__).parents[1] / "flows" / "data" / "day_workshop.yaml"
HEAD_OFFICE = 9000
MECHANIC = 7001
