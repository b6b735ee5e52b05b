"""Claims and corroboration, control of places, watchlist alerts: pure state transitions."""
from __future__ import annotations

from monitor.corroborate import (
    ClaimConfig,
    ClaimState,
    ControlState,
    claim_alert_id,
    claim_key,
    claim_keys,
    observe_claim,
    observe_control,
    parse_time,
    place_key,
    report_time,
    source_of,
    watchlist_alerts,
)
from monitor.watchlists import Hit

T0 = 1_700_000_000.0
HOUR = 3600.0
SAQR = {"name": "Hawijat Saqr", "country": "SY", "lat": 35.34, "lon": 40.16, "level": "locality"}


def event(type_="capture", actor="syria_gov", place=SAQR):
    return {"type": type_, "actor": actor, "modality": "reported", "place": place,
            "evidence": {"sentence": "...", "field": "text", "start": 0, "end": 3, "cues": ["سيطر"]}}


def article(aid, source, t=T0, **extra):
    return {"id": aid, "title": f"t-{aid}", "url": f"https://{source}.example/{aid}", "source": source,
            "published": t, "lang": "ar", "ingested_at": t + 5, "enriched_at": t + 6,
            "events": [event()], **extra}


DEFAULT = ClaimConfig()


def feed(state, items, config=DEFAULT, now=T0 + 10):
    """Run (article, event) pairs through observe_claim, collecting every alert."""
    alerts = []
    for art, ev in items:
        state, new = observe_claim(state, art, ev, config=config, now=now)
        alerts.extend(new)
    return state, alerts


def test_keys():
    assert claim_key(event()) == "capture|syria_gov|SY|Hawijat Saqr"
    assert claim_key({"type": "strike", "actor": None, "place": None}) == "strike|unknown||"
    assert place_key(SAQR) == "SY|Hawijat Saqr"
    art = article("a", "bbc", events=[event(), event(), event("strike")])
    assert [k for k, _ in claim_keys(art)] == ["capture|syria_gov|SY|Hawijat Saqr",
                                               "strike|syria_gov|SY|Hawijat Saqr"]


def test_first_report_then_one_corroborated_alert_across_two_sources():
    state, alerts = feed(None, [(article("a1", "BBC"), event())])
    assert [a["status"] for a in alerts] == ["first_report"]
    first = alerts[0]
    assert first["kind"] == "frontline" and first["corroboration"] == 1
    assert first["event"] == {k: event()[k] for k in ("type", "actor", "place", "modality")}
    assert first["evidence"]["cues"] == ["سيطر"]
    assert first["article"]["id"] == "a1"
    assert set(first["times"]) == {"published", "ingested", "detected", "emitted"}

    # the same outlet again: no alert; another outlet: corroborated, once
    state, alerts = feed(state, [(article("a2", "bbc"), event()),
                                 (article("a3", "Sky News Arabia", T0 + HOUR), event()),
                                 (article("a4", "France24", T0 + 2 * HOUR), event())])
    assert [a["status"] for a in alerts] == ["corroborated"]
    corr = alerts[0]
    assert corr["sources"] == ["bbc", "sky news arabia"]
    assert [a["id"] for a in corr["articles"]] == ["a1", "a2", "a3"]
    assert corr["corroboration"] == 2
    assert corr["article"]["id"] == "a3"
    assert state.corroborated


def test_alert_ids_are_stable_and_distinct_per_status():
    _, run1 = feed(None, [(article("a1", "x"), event()), (article("a2", "y"), event())])
    _, run2 = feed(None, [(article("a1", "x"), event()), (article("a2", "y"), event())], now=T0 + 99)
    assert [a["alert_id"] for a in run1] == [a["alert_id"] for a in run2]
    assert run1[0]["alert_id"] != run1[1]["alert_id"]
    assert run1[0]["alert_id"] == claim_alert_id(claim_key(event()), "first_report", T0)


def test_the_same_article_never_raises_a_second_alert():
    a1 = article("a1", "bbc")
    state, alerts = feed(None, [(a1, event()), (a1, event()), (a1, event())])
    assert [a["status"] for a in alerts] == ["first_report"]
    # the same article from a "different" source (re-polled through another feed) neither
    republished = {**a1, "source": "aggregator"}
    state, alerts = feed(state, [(republished, event())])
    assert alerts == []
    assert state.article_ids == ("a1",)


def test_state_round_trips_through_a_table_as_a_dict():
    state, _ = feed(None, [(article("a1", "bbc"), event())])
    restored = ClaimState.from_dict(state.as_dict())
    assert restored == state
    _, alerts = feed(restored, [(article("a1", "bbc"), event()), (article("a2", "cnn"), event())])
    assert [a["status"] for a in alerts] == ["corroborated"]
    assert ClaimState.from_dict(None) is None


def test_min_sources_is_configurable():
    config = ClaimConfig(min_sources=3)
    _, alerts = feed(None, [(article(f"a{i}", s), event()) for i, s in enumerate(["x", "y", "y", "z", "w"])],
                     config=config)
    assert [a["status"] for a in alerts] == ["first_report", "corroborated"]
    assert alerts[1]["sources"] == ["x", "y", "z"]
    _, alerts = feed(None, [(article("a", "x"), event())], config=ClaimConfig(min_sources=1))
    assert [a["status"] for a in alerts] == ["first_report", "corroborated"]


def test_a_new_window_opens_after_the_window_and_stale_reports_are_ignored():
    config = ClaimConfig(window_seconds=24 * HOUR)
    state, alerts = feed(None, [(article("a1", "x"), event()), (article("a2", "y", T0 + HOUR), event())],
                         config=config, now=T0 + 30 * HOUR)
    assert [a["status"] for a in alerts] == ["first_report", "corroborated"]
    later = T0 + 25 * HOUR
    state2, alerts2 = feed(state, [(article("b1", "x", later), event())], config=config, now=T0 + 30 * HOUR)
    assert [a["status"] for a in alerts2] == ["first_report"]
    assert state2.window_start == later and state2.article_ids == ("b1",)
    assert alerts2[0]["alert_id"] != alerts[0]["alert_id"]
    # a report from long before the current window: nothing, state unchanged
    state3, alerts3 = feed(state2, [(article("old", "z", T0 - 3 * 24 * HOUR), event())], config=config,
                           now=T0 + 30 * HOUR)
    assert alerts3 == [] and state3 == state2
    # an older report inside the window span still corroborates (late arrival)
    _, alerts4 = feed(state2, [(article("c1", "z", later - HOUR), event())], config=config,
                           now=T0 + 30 * HOUR)
    assert [a["status"] for a in alerts4] == ["corroborated"]


def test_claims_of_different_actors_or_places_are_separate():
    s1, a1 = feed(None, [(article("a1", "x"), event(actor="isis"))])
    s2, a2 = feed(None, [(article("a2", "y"), event(actor="syria_gov"))])
    assert s1.key != s2.key and a1[0]["alert_id"] != a2[0]["alert_id"]


def test_report_time_and_sources():
    assert parse_time("2018-03-23T20:08:50Z") == 1521835730.0
    assert parse_time("Sun, 18 Feb 2018 21:35:43 +0400") == 1518975343.0
    assert parse_time("garbage") is None and parse_time(None) is None
    assert report_time({"published": "garbage", "ingested_at": 5.0}, now=10.0) == 5.0
    assert report_time({"published": 1e12}, now=10.0) == 10.0   # never in the future
    assert source_of({"source": " BBC "}) == "bbc"
    assert source_of({"url": "https://www.bbc.com/x"}) == "bbc.com"
    assert source_of({"id": "abc"}) == "article:abc"


# --- control -------------------------------------------------------------------------

def capture_claim(actor, sources, t=T0, place=SAQR):
    state = None
    for i, s in enumerate(sources):
        state, _ = observe_claim(state, article(f"{actor}{t}{i}", s, t), event(actor=actor, place=place),
                                 now=t + 10)
    return state


def test_control_change_on_a_corroborated_capture():
    uncorroborated = capture_claim("isis", ["x"])
    control, alerts = observe_control(None, uncorroborated, now=T0)
    assert alerts == [] and control.controller is None
    assert control.reported["actor"] == "isis"

    claim = capture_claim("isis", ["x", "y"])
    control, alerts = observe_control(control, claim, now=T0 + 20)
    assert [a["kind"] for a in alerts] == ["control_change"]
    alert = alerts[0]
    assert alert["control"]["controller"] == "isis" and alert["control"]["previous"] is None
    assert alert["sources"] == ["x", "y"] and len(alert["articles"]) == 2
    assert control.controller == "isis" and control.since == T0 and control.reported is None

    # the same claim again: nothing
    again, alerts = observe_control(control, claim, now=T0 + 30)
    assert alerts == [] and again == control

    # the government takes it back a day later
    back = capture_claim("syria_gov", ["a", "b"], T0 + 30 * HOUR)
    control2, alerts = observe_control(control, back, now=T0 + 31 * HOUR)
    assert [a["control"]["previous"] for a in alerts] == ["isis"]
    assert control2.controller == "syria_gov"
    assert alerts[0]["alert_id"] != observe_control(None, claim, now=T0)[1][0]["alert_id"]

    # an older corroborated capture arriving late changes nothing
    late = capture_claim("turkey", ["a", "b"], T0 + 2 * HOUR)
    control3, alerts = observe_control(control2, late, now=T0 + 32 * HOUR)
    assert alerts == [] and control3 == control2


def test_control_ignores_other_events_unknown_actors_and_no_place():
    attack = None
    attack, _ = observe_claim(attack, article("a", "x"), event("attack"), now=T0)
    attack, _ = observe_claim(attack, article("b", "y"), event("attack"), now=T0)
    assert observe_control(None, attack, now=T0) == (None, [])
    assert observe_control(None, capture_claim("unknown", ["x", "y"]), now=T0) == (None, [])
    assert observe_control(None, capture_claim("isis", ["x", "y"], place=None), now=T0) == (None, [])


def test_recapture_by_the_same_controller_updates_without_alert():
    control, _ = observe_control(None, capture_claim("isis", ["x", "y"]), now=T0)
    control2, alerts = observe_control(control, capture_claim("isis", ["z", "w"], T0 + 48 * HOUR), now=T0)
    assert alerts == [] and control2.since == T0 + 48 * HOUR and control2.controller == "isis"


def test_control_state_round_trips():
    control, _ = observe_control(None, capture_claim("isis", ["x", "y"]), now=T0)
    assert ControlState.from_dict(control.as_dict()) == control


# --- watchlist alerts ----------------------------------------------------------------

def test_watchlist_alerts_carry_rule_terms_and_article_subjects():
    art = article("a1", "bbc")
    [alert] = watchlist_alerts(art, [Hit("isis-raqqa", ("داعش", "الرقة"), "d")], now=T0)
    assert alert["kind"] == "watchlist" and alert["status"] == "match"
    assert alert["watchlist"] == {"rule_id": "isis-raqqa", "terms": ["داعش", "الرقة"], "description": "d"}
    assert alert["article"]["id"] == "a1" and alert["times"]["emitted"] == T0
    assert alert["places"] == [SAQR] and alert["actors"] == ["syria_gov"]
    assert alert["event_types"] == ["capture"]
    [again] = watchlist_alerts(art, [Hit("isis-raqqa", ("داعش",))], now=T0 + 1)
    assert again["alert_id"] == alert["alert_id"]
