"""The dates posts show: remembered answers are the answers formatting gives, zone by zone."""

import random
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from generator.site import display_date, iso_date


def test_the_same_instant_in_two_zones_keeps_its_own_offset():
    utc = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)
    paris = utc.astimezone(timezone(timedelta(hours=2)))
    assert utc == paris  # equal as instants, which is why the table is keyed by zone too
    assert iso_date(utc) == "2024-05-01T12:00:00+00:00"
    assert iso_date(paris) == "2024-05-01T14:00:00+02:00"
    late = datetime(2024, 5, 1, 23, 30, tzinfo=timezone.utc)
    assert display_date(late) == "May 1, 2024"
    assert display_date(late.astimezone(timezone(timedelta(hours=3)))) == "May 2, 2024"


def test_naive_dates_are_taken_as_utc_and_none_is_empty():
    assert iso_date(datetime(2016, 3, 6)) == "2016-03-06T00:00:00+00:00"
    assert display_date(datetime(2016, 3, 6)) == "March 6, 2016"
    assert iso_date(None) == display_date(None) == ""


def test_a_repeated_wall_time_keeps_its_fold():
    zone = ZoneInfo("Europe/Berlin")
    first = datetime(2023, 10, 29, 2, 30, tzinfo=zone)
    second = first.replace(fold=1)
    assert iso_date(first) == "2023-10-29T02:30:00+02:00"
    assert iso_date(second) == "2023-10-29T02:30:00+01:00"


def test_remembered_answers_equal_fresh_formatting():
    rng = random.Random(3)
    zones = [None, timezone.utc, timezone(timedelta(hours=-4)), timezone(timedelta(hours=5, minutes=30)),
             ZoneInfo("America/New_York")]
    for _ in range(3000):
        value = datetime(2000, 1, 1) + timedelta(minutes=rng.randrange(20_000_000))
        value = value.replace(tzinfo=rng.choice(zones), fold=rng.randrange(2))
        expected = (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()
        assert iso_date(value) == expected
        assert display_date(value) == value.strftime("%B %-d, %Y")
