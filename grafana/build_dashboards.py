"""Generate the Grafana dashboards: python grafana/build_dashboards.py [--check].

Writes grafana/dashboards/main.json and grafana/dashboards/frontline.json. The JSON is
committed (Grafana provisions it from disk) and tests/test_observability.py checks that
it equals what this script generates, so edit this file, never the JSON. ``--check``
exits 1 when the committed JSON differs.

Plain Python and the standard library only; the event type colours come from
monitor/map.py so that the Grafana map and `news-monitor map` agree.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from monitor.map import TYPE_COLORS  # noqa: E402

OUT = HERE / "dashboards"
DATASOURCE = {"type": "prometheus", "uid": "newsmon-prometheus"}  # grafana/provisioning/datasources
RI = "$__rate_interval"


def recent(selector: str, by: str) -> str:
    """How much a counter grew over the dashboard's range, series born in the range included.

    ``increase()`` misses a series' first value (a place's first event creates its series
    at 1); subtracting the value one range ago, or 0 where there was none, does not.
    """
    return (f"sum by ({by}) (clamp_min({selector} - ({selector} offset $__range or {selector} * 0), 0))")


def grown(selector: str, by: str, window: str) -> str:
    """How much a counter grew over ``window``, series born in the window counted from 0.

    ``increase()`` takes a series' first sample as its starting point, so a feed's first
    poll after the poller starts (its series is born at 1) would count nothing; adding
    the first value of each series that did not exist a window ago fixes that, and
    ``increase()`` still sees through counter resets (a restarted poller).
    """
    born = f"(min_over_time({selector}[{window}]) unless {selector} offset {window})"
    grew = f"increase({selector}[{window}])"
    return f"sum by ({by}) ({grew} + ({born} or {grew} * 0))"


class Layout:
    """Places panels left to right, top to bottom, on Grafana's 24-column grid."""

    def __init__(self) -> None:
        self.x = self.y = self.row_h = 0
        self.next_id = 1

    def place(self, panel: dict, w: int, h: int) -> dict:
        if self.x + w > 24:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        panel["gridPos"] = {"h": h, "w": w, "x": self.x, "y": self.y}
        panel["id"] = self.next_id
        self.next_id += 1
        self.x += w
        self.row_h = max(self.row_h, h)
        return panel

    def row(self, title: str) -> dict:
        if self.x:
            self.x, self.y, self.row_h = 0, self.y + self.row_h, 0
        panel = self.place({"type": "row", "title": title, "collapsed": False, "panels": []}, 24, 1)
        self.x, self.y, self.row_h = 0, self.y + 1, 0
        return panel


def target(expr: str, legend: str = "", ref: str = "A", *, instant: bool = False, table: bool = False) -> dict:
    t = {"datasource": DATASOURCE, "refId": ref, "expr": expr, "legendFormat": legend or "__auto",
         "range": not instant, "instant": instant}
    if table:
        t["format"] = "table"
    return t


def panel(kind: str, title: str, targets: list[dict], *, unit: str = "short", description: str = "",
          options: dict | None = None, field_defaults: dict | None = None,
          transformations: list | None = None, overrides: list | None = None) -> dict:
    defaults = {"unit": unit}
    defaults.update(field_defaults or {})
    p = {"type": kind, "title": title, "description": description, "datasource": DATASOURCE,
         "targets": targets, "fieldConfig": {"defaults": defaults, "overrides": overrides or []},
         "options": options or {}}
    if transformations:
        p["transformations"] = transformations
    return p


def timeseries(title: str, targets: list[dict], *, bars: bool = False, stack: bool = False, **kw) -> dict:
    custom = {"drawStyle": "bars" if bars else "line", "lineWidth": 1, "fillOpacity": 60 if bars else 10,
              "showPoints": "never", "stacking": {"mode": "normal" if stack else "none", "group": "A"}}
    options = {"legend": {"displayMode": "table", "placement": "right", "calcs": ["sum" if bars else "lastNotNull"]},
               "tooltip": {"mode": "multi", "sort": "desc"}}
    return panel("timeseries", title, targets, options=options, field_defaults={"custom": custom}, **kw)


def stat(title: str, expr: str, **kw) -> dict:
    options = {"reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False},
               "colorMode": "value", "graphMode": "area", "textMode": "auto"}
    return panel("stat", title, [target(expr, instant=True)], options=options, **kw)


def bargauge(title: str, expr: str, legend: str, **kw) -> dict:
    options = {"displayMode": "gradient", "orientation": "horizontal", "showUnfilled": True,
               "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": False}}
    return panel("bargauge", title, [target(expr, legend, instant=True)], options=options, **kw)


def type_colors() -> list[dict]:
    """Series overrides giving each event type its colour (legend `{{type}}`)."""
    return [{"matcher": {"id": "byName", "options": t},
             "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": c}}]}
            for t, c in TYPE_COLORS.items()]


def dashboard(uid: str, title: str, description: str, panels: list[dict], time_from: str) -> dict:
    return {
        "uid": uid, "title": title, "description": description, "tags": ["newsmon"],
        "timezone": "utc", "editable": False, "graphTooltip": 1, "refresh": "30s",
        "schemaVersion": 39, "version": 1, "time": {"from": time_from, "to": "now"},
        "templating": {"list": []}, "annotations": {"list": []}, "links": [
            {"title": "News monitor", "type": "dashboards", "tags": ["newsmon"], "asDropdown": False}],
        "panels": panels,
    }


def main_dashboard() -> dict:
    g = Layout()
    panels = [
        g.row("Pipeline"),
        g.place(timeseries("Messages consumed / s, by topic", [target(
            f"sum by (topic) (rate(newsmon_messages_consumed_total[{RI}]))", "{{topic}}")], unit="ops"), 9, 8),
        g.place(timeseries("Messages produced / s, by topic", [target(
            f"sum by (topic) (rate(newsmon_messages_produced_total[{RI}]))", "{{topic}}")], unit="ops"), 9, 8),
        g.place(stat("Workers up", "sum(newsmon_worker_up)"), 3, 4),
        g.place(stat("Worker restarts (1 h)",
                     'sum(changes(process_start_time_seconds{job="newsmon-worker"}[1h]))'), 3, 4),
        g.place(stat("Articles enriched (range)", "sum(increase(newsmon_articles_enriched_total[$__range]))"),
                6, 4),
        g.place(timeseries("Articles enriched / s, by language", [target(
            f"sum by (lang) (rate(newsmon_articles_enriched_total[{RI}]))", "{{lang}}")], unit="ops"), 12, 8),
        g.place(timeseries("Feed entries published / s", [target(
            f"sum(rate(newsmon_feed_entries_published_total[{RI}]))", "entries")], unit="ops"), 12, 8),
        g.row("Latency"),
        g.place(timeseries("Publish to alert (raw topic arrival → alert emitted)", [
            target(f"histogram_quantile({q}, sum by (le) (rate(newsmon_publish_to_alert_seconds_bucket[{RI}])))",
                   f"p{round(q * 100)}", ref) for q, ref in ((0.5, "A"), (0.95, "B"), (0.99, "C"))], unit="s"),
            12, 8),
        g.place(timeseries("Processing time per message, by stage", [
            target(f"histogram_quantile({q}, sum by (stage, le) (rate(newsmon_processing_seconds_bucket[{RI}])))",
                   f"{{{{stage}}}} p{round(q * 100)}", ref) for q, ref in ((0.5, "A"), (0.95, "B"))], unit="s"),
            12, 8),
        g.row("Alerts"),
        g.place(timeseries("Alerts by event type", [target(
            f"sum by (type) (increase(newsmon_alerts_total[{RI}]))", "{{type}}")],
            bars=True, stack=True, overrides=type_colors()), 12, 9),
        g.place(timeseries("Alerts by country", [target(
            f"sum by (country) (increase(newsmon_alerts_total[{RI}]))", "{{country}}")],
            bars=True, stack=True), 12, 9),
        g.place(timeseries("Alerts by actor", [target(
            f"sum by (actor) (increase(newsmon_alerts_total[{RI}]))", "{{actor}}")], bars=True, stack=True),
            12, 8),
        g.place(timeseries("Deliveries / s, by channel and result", [target(
            f"sum by (channel, result) (rate(newsmon_deliveries_total[{RI}]))", "{{channel}} {{result}}")],
            unit="ops"), 12, 8),
        g.row("Feeds"),
        g.place(feed_health_table(), 14, 10),
        g.place(timeseries("Feed polls / s, by result", [target(
            f"sum by (result) (rate(newsmon_feed_polls_total[{RI}]))", "{{result}}")], unit="ops", stack=True),
            10, 10),
        g.row("Lag and dead letters"),
        g.place(timeseries("Consumer lag, by topic and partition", [target(
            "sum by (topic, partition) (newsmon_consumer_lag_messages)", "{{topic}} [{{partition}}]")]), 12, 8),
        g.place(timeseries("Dead letters, by reason", [target(
            f"sum by (reason) (increase(newsmon_deadletter_total[{RI}]))", "{{reason}}")], bars=True, stack=True),
            9, 8),
        g.place(stat("Dead letters (range)", "sum(increase(newsmon_deadletter_total[$__range]))",
                     field_defaults={"thresholds": {"mode": "absolute", "steps": [
                         {"color": "green", "value": None}, {"color": "red", "value": 1}]}}), 3, 8),
        g.row("Worker state"),
        # A worker runs for weeks: its tables must level off once entries start to expire.
        g.place(timeseries("Table entries, by table", [target(
            "sum by (table) (newsmon_table_entries)", "{{table}}")]), 12, 8),
        g.place(timeseries("Worker memory (resident)", [target(
            'process_resident_memory_bytes{job="newsmon-worker"}', "{{instance}}")], unit="bytes"), 12, 8),
    ]
    return dashboard("newsmon-main", "News monitor", "Throughput, latency, alerts, feeds, lag, dead letters.",
                     panels, "now-6h")


def feed_health_table() -> dict:
    columns = (  # (refId, expression, column title, unit)
        ("A", "max by (feed) (time() - newsmon_feed_last_success_timestamp_seconds)", "since last success", "s"),
        ("B", "max by (feed) (newsmon_feed_consecutive_failures)", "consecutive failures", "short"),
        ("C", grown('newsmon_feed_polls_total{result=~"new|unchanged|not_modified"}', "feed", "1h"),
         "good polls (1 h)", "short"),
        ("D", grown('newsmon_feed_polls_total{result!~"new|unchanged|not_modified"}', "feed", "1h"),
         "failed polls (1 h)", "short"),
        ("E", grown("newsmon_feed_entries_published_total", "feed", "1h"), "entries (1 h)", "short"),
    )
    overrides = [{"matcher": {"id": "byName", "options": f"Value #{ref}"},
                  "properties": [{"id": "displayName", "value": title}, {"id": "unit", "value": unit}]}
                 for ref, _, title, unit in columns]
    overrides.append({"matcher": {"id": "byName", "options": "Value #B"}, "properties": [
        {"id": "custom.cellOptions", "value": {"type": "color-background"}},
        {"id": "thresholds", "value": {"mode": "absolute", "steps": [
            {"color": "green", "value": None}, {"color": "orange", "value": 1}, {"color": "red", "value": 5}]}}]})
    return panel(
        "table", "Feed health", [target(expr, ref=ref, instant=True, table=True) for ref, expr, _, _ in columns],
        description="One row per feed: freshness and poll results (poller metrics).",
        options={"showHeader": True, "sortBy": [{"displayName": "since last success", "desc": True}]},
        transformations=[{"id": "merge", "options": {}},
                         {"id": "organize", "options": {"excludeByName": {"Time": True}}}],
        overrides=overrides)


def frontline_dashboard() -> dict:
    g = Layout()
    by_place = "place, country, lat, lon"
    geo_targets = [target(recent(f'newsmon_place_events_total{{type="{t}"}}', by_place) + " > 0",
                          ref=t, instant=True, table=True) for t in TYPE_COLORS]
    layers = [{"type": "markers", "name": t, "tooltip": True,
               "location": {"mode": "coords", "latitude": "lat", "longitude": "lon"},
               "filterData": {"id": "byRefId", "options": t},
               "config": {"showLegend": True, "style": {
                   "color": {"fixed": c}, "opacity": 0.8,
                   "size": {"field": "Value", "fixed": 6, "min": 5, "max": 18},
                   "symbol": {"mode": "fixed", "fixed": "img/icons/marker/circle.svg"}}}}
              for t, c in TYPE_COLORS.items()]
    geomap = panel(
        "geomap", "Frontline events in the range, by type", geo_targets,
        description="One layer per event type; marker size is the number of events at the place.",
        options={"view": {"id": "coords", "lat": 29, "lon": 40, "zoom": 4.2},
                 "controls": {"showZoom": True, "mouseWheelZoom": True, "showAttribution": True},
                 "basemap": {"type": "default", "name": "Basemap"}, "layers": layers,
                 "tooltip": {"mode": "details"}},
        transformations=[{"id": "convertFieldType", "options": {"conversions": [
            {"targetField": "lat", "destinationType": "number"},
            {"targetField": "lon", "destinationType": "number"}]}}])
    panels = [
        g.place(geomap, 16, 16),
        g.place(bargauge("Top places", "topk(15, " + recent("newsmon_place_events_total", "place, country") + ")",
                         "{{place}}, {{country}}"), 8, 16),
        g.place(timeseries("Events detected, by type", [target(
            f"sum by (type) (increase(newsmon_events_detected_total[{RI}]))", "{{type}}")],
            bars=True, stack=True, overrides=type_colors()), 12, 8),
        g.place(bargauge("Top actors", "topk(15, " + recent("newsmon_events_detected_total", "actor") + ")",
                         "{{actor}}"), 6, 8),
        g.place(bargauge("Events by country", recent("newsmon_place_events_total", "country"), "{{country}}"),
                6, 8),
    ]
    return dashboard("newsmon-frontline", "News monitor: frontline", "What is happening on the ground.",
                     panels, "now-24h")


DASHBOARDS = {"main.json": main_dashboard, "frontline.json": frontline_dashboard}


def render(build) -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def expressions(dash: dict) -> list[tuple[str, str]]:
    """(panel title, PromQL) of every target of every panel."""
    return [(p["title"], t["expr"]) for p in dash["panels"] for t in p.get("targets", [])]


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for name, build in DASHBOARDS.items():
        path, text = OUT / name, render(build)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            OUT.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path}")
    if stale:
        print(f"out of date: {', '.join(stale)}: run python grafana/build_dashboards.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
