"""Prometheus config and rules, Grafana dashboards, docker-compose.yml and the map: no broker needed.

promtool comes from Debian's `prometheus` package and Chromium from `chromium`; .ci/run
installs both. Where one is absent the tests that need it skip and say so.
"""
from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib
from pathlib import Path

import orjson
import pytest
import yaml
from click.testing import CliRunner

from monitor import map as mapmod
from monitor.cli.map import find_chromium, map_command
from monitor.config import Settings
from tests.helpers import REPO

PROM = REPO / "prometheus"
GRAFANA = REPO / "grafana"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(PROMTOOL is None, reason="promtool absent: apt-get install prometheus")
needs_chromium = pytest.mark.skipif(find_chromium() is None, reason="Chromium absent: apt-get install chromium")

# Grafana's variables, replaced by durations so that the expressions are plain PromQL.
GRAFANA_VARIABLES = {"$__rate_interval": "1m", "$__interval": "15s", "$__range": "1h"}


def promtool(*args: str, cwd: Path = PROM) -> subprocess.CompletedProcess:
    return subprocess.run([PROMTOOL, *args], check=False, cwd=cwd, capture_output=True, text=True, timeout=120)


def plain_promql(expr: str) -> str:
    for var, value in GRAFANA_VARIABLES.items():
        expr = expr.replace(var, value)
    assert "$" not in expr, f"an unknown Grafana variable in {expr}"
    return expr


def load_builder():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_dashboards", GRAFANA / "build_dashboards.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_yaml(path: Path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- Prometheus ---------------------------------------------------------------------

@needs_promtool
def test_promtool_check_config():
    out = promtool("check", "config", "prometheus.yml")
    assert out.returncode == 0, out.stdout + out.stderr


@needs_promtool
def test_promtool_check_rules():
    out = promtool("check", "rules", "rules.yml")
    assert out.returncode == 0, out.stdout + out.stderr


@needs_promtool
def test_promtool_unit_tests_of_the_alert_rules():
    out = promtool("test", "rules", "rules_test.yml")
    assert out.returncode == 0, out.stdout + out.stderr


def test_every_alert_rule_has_a_unit_test():
    alerts = {r["alert"] for g in load_yaml(PROM / "rules.yml")["groups"] for r in g["rules"] if "alert" in r}
    tested = {case["alertname"] for t in load_yaml(PROM / "rules_test.yml")["tests"]
              for case in t.get("alert_rule_test", [])}
    assert {"NewsFeedDown", "NewsConsumerLagGrowing", "NewsDeadLettersRising", "NewsNoArticles"} <= alerts
    assert alerts == tested
    # Each alert is tested both firing and not firing.
    for name in alerts:
        cases = [c for t in load_yaml(PROM / "rules_test.yml")["tests"]
                 for c in t.get("alert_rule_test", []) if c["alertname"] == name]
        assert any(c["exp_alerts"] for c in cases) and any(not c["exp_alerts"] for c in cases), name


def test_scrape_jobs_match_the_compose_services():
    config = load_yaml(PROM / "prometheus.yml")
    compose = load_yaml(REPO / "docker-compose.yml")["services"]
    jobs = {j["job_name"]: j for j in config["scrape_configs"]}
    assert {"newsmon-worker", "newsmon-poller"} <= set(jobs)
    worker_sd = jobs["newsmon-worker"]["dns_sd_configs"][0]
    assert worker_sd["names"] == ["worker"] and "worker" in compose
    assert str(worker_sd["port"]) == compose["worker"]["environment"]["NEWSMON_METRICS_PORT"]
    assert str(worker_sd["port"]) in compose["worker"]["expose"]
    poller_sd = jobs["newsmon-poller"]["dns_sd_configs"][0]
    assert poller_sd["names"] == ["poller"] and "poller" in compose
    command = compose["poller"]["command"]
    assert command[command.index("--metrics-port") + 1] == str(poller_sd["port"])


# --- Grafana --------------------------------------------------------------------------

def test_committed_dashboards_are_what_the_generator_writes():
    builder = load_builder()
    for name, build in builder.DASHBOARDS.items():
        committed = (GRAFANA / "dashboards" / name).read_text(encoding="utf-8")
        assert committed == builder.render(build), \
            f"grafana/dashboards/{name} drifted: run .venv/bin/python grafana/build_dashboards.py"


def dashboards() -> dict[str, dict]:
    return {p.name: orjson.loads(p.read_bytes()) for p in sorted((GRAFANA / "dashboards").glob("*.json"))}


def test_every_panel_has_a_promql_target_on_the_provisioned_datasource():
    datasource = load_yaml(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")["datasources"][0]
    assert set(dashboards()) == {"main.json", "frontline.json"}
    for name, dash in dashboards().items():
        ids = [p["id"] for p in dash["panels"]]
        assert len(ids) == len(set(ids)), name
        for p in dash["panels"]:
            assert 0 <= p["gridPos"]["x"] and p["gridPos"]["x"] + p["gridPos"]["w"] <= 24
            if p["type"] == "row":  # a row is a heading, not a query
                continue
            assert p["targets"], f"{name}: panel {p['title']!r} has no target"
            for t in p["targets"]:
                assert t["expr"].strip(), f"{name}: {p['title']!r}"
                assert t["datasource"]["uid"] == p["datasource"]["uid"] == datasource["uid"]


def test_main_dashboard_covers_what_operators_need():
    exprs = " ".join(t["expr"] for p in dashboards()["main.json"]["panels"] for t in p.get("targets", []))
    for metric in ("newsmon_messages_consumed_total", "newsmon_publish_to_alert_seconds_bucket",
                   "newsmon_processing_seconds_bucket", "newsmon_alerts_total", "newsmon_deadletter_total",
                   "newsmon_consumer_lag_messages", "newsmon_feed_last_success_timestamp_seconds",
                   "newsmon_feed_polls_total", "newsmon_deliveries_total"):
        assert metric in exprs, metric
    assert "by (country)" in exprs and "by (type)" in exprs


def test_the_geomap_has_one_coloured_layer_per_event_type():
    geomap = next(p for p in dashboards()["frontline.json"]["panels"] if p["type"] == "geomap")
    refs = {t["refId"] for t in geomap["targets"]}
    layers = geomap["options"]["layers"]
    assert {layer["filterData"]["options"] for layer in layers} == refs == set(mapmod.TYPE_COLORS)
    for layer in layers:
        assert layer["config"]["style"]["color"]["fixed"] == mapmod.TYPE_COLORS[layer["name"]]
        assert layer["location"] == {"mode": "coords", "latitude": "lat", "longitude": "lon"}


@needs_promtool
def test_every_dashboard_expression_parses(tmp_path):
    """promtool parses each panel's PromQL (Grafana variables replaced) as a recording rule."""
    builder = load_builder()
    rules = []
    for name, dash in dashboards().items():
        for i, (_title, expr) in enumerate(builder.expressions(dash)):
            rules.append({"record": f"dashboard_check:{Path(name).stem}:{i}", "expr": plain_promql(expr)})
    (tmp_path / "dashboard_rules.yml").write_text(yaml.safe_dump({"groups": [{"name": "d", "rules": rules}]}))
    out = promtool("check", "rules", "dashboard_rules.yml", cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr


def test_provisioning_points_at_the_mounted_dashboards_and_prometheus():
    provider = load_yaml(GRAFANA / "provisioning" / "dashboards" / "dashboards.yml")["providers"][0]
    grafana = load_yaml(REPO / "docker-compose.yml")["services"]["grafana"]
    mounts = dict(v.rsplit(":", 1)[0].split(":", 1) for v in grafana["volumes"] if v.startswith("./"))
    assert mounts["./grafana/dashboards"] == provider["options"]["path"]
    assert mounts["./grafana/provisioning"] == "/etc/grafana/provisioning"
    datasource = load_yaml(GRAFANA / "provisioning" / "datasources" / "prometheus.yml")["datasources"][0]
    assert datasource["url"] == "http://prometheus:9090"


# --- docker-compose.yml -----------------------------------------------------------------

# Bind-mounted files that other parts of the project provide.
PROVIDED_ELSEWHERE = {"./feeds.toml": "the poller's feed list"}


def test_compose_file_structure():
    compose = load_yaml(REPO / "docker-compose.yml")
    services = compose["services"]
    assert set(services) == {"kafka", "worker", "poller", "prometheus", "grafana"}
    pom = (REPO / "monitor" / "kafka" / "pom.xml").read_text()
    kafka_version = re.search(r"<kafka.version>([^<]+)</kafka.version>", pom).group(1)
    assert services["kafka"]["image"] == f"apache/kafka:{kafka_version}"
    env = services["kafka"]["environment"]
    assert env["KAFKA_PROCESS_ROLES"] == "broker,controller" and "CONTROLLER" in env["KAFKA_LISTENERS"]
    assert services["prometheus"]["image"].startswith("prom/prometheus:")
    assert services["grafana"]["image"].startswith("grafana/grafana")
    for name in ("worker", "poller"):
        s = services[name]
        assert s["build"] == "." and s["environment"]["KAFKA_BOOTSTRAP"] == "kafka:9092"
        assert s["environment"]["NEWSMON_METRICS_HOST"] == "0.0.0.0"
        assert s["environment"]["NEWSMON_WEB_HOST"] == "0.0.0.0"
        assert s["depends_on"]["kafka"]["condition"] == "service_healthy"
    assert services["worker"]["command"] == ["news-monitor", "worker"]
    assert services["poller"]["command"][:4] == ["news-monitor", "poll", "--feeds", "/config/feeds.toml"]
    for name, s in services.items():
        assert s.get("healthcheck", {}).get("test"), f"{name} has no health check"
        for port in s.get("ports", []):
            assert re.fullmatch(r"127\.0\.0\.1:\d+:\d+", port), f"{name} publishes {port} beyond loopback"
    assert services["prometheus"]["ports"] == ["127.0.0.1:9090:9090"]
    assert services["grafana"]["ports"] == ["127.0.0.1:3000:3000"]


def test_compose_volumes_are_declared_and_mounted_files_exist():
    compose = load_yaml(REPO / "docker-compose.yml")
    declared = set(compose["volumes"])
    used, missing = set(), []
    for name, s in compose["services"].items():
        for volume in s.get("volumes", []):
            source, target = volume.split(":")[:2]
            assert target.startswith("/"), volume
            if source.startswith("./"):
                if not (REPO / source).exists():
                    missing.append(source)
            else:
                assert source in declared, f"{name}: volume {source} is not declared"
                used.add(source)
    assert used == declared
    assert {"kafka-data", "prometheus-data", "grafana-data"} <= declared
    assert (REPO / "prometheus" / "prometheus.yml").exists() and (REPO / "Dockerfile").exists()
    unexpected = [m for m in missing if m not in PROVIDED_ELSEWHERE]
    assert not unexpected, f"mounted files that do not exist: {unexpected}"
    if missing:
        pytest.skip("not in the tree yet: " + ", ".join(f"{m} ({PROVIDED_ELSEWHERE[m]})" for m in missing))


def test_dockerfile_builds_the_project_and_runs_a_worker():
    text = (REPO / "Dockerfile").read_text()
    assert text.startswith("#") and "FROM python:3.11-slim" in text
    assert "pip install ." in text and 'CMD ["news-monitor", "worker"]' in text
    for copied in re.findall(r"^COPY (\S+)", text, re.MULTILINE):
        assert (REPO / copied).exists(), copied


# --- the map ----------------------------------------------------------------------------

def alert(i: int, type_: str, lat: float | None, lon: float | None, title: str = "", place="Somewhere"):
    return {"schema": 1, "alert_id": f"a{i}", "kind": "frontline", "status": "first_report",
            "event": {"type": type_, "actor": "syria_gov", "modality": "reported",
                      "place": None if lat is None else {"name": place, "country": "SY", "lat": lat, "lon": lon,
                                                         "level": "locality"}},
            "article": {"id": f"art{i}", "title": title or f"headline {i}", "url": f"https://example.org/{i}",
                        "source": "test", "published": None, "lang": "en"},
            "times": {"emitted": 1764300000.0 + i}}


SAMPLE = [alert(i, t, lat, lon) for i, (t, lat, lon) in enumerate([
    ("capture", 35.34, 40.16), ("clash", 35.33, 40.14), ("advance", 34.38, 40.99), ("siege", 34.4, 41.5),
    ("strike", 33.5, 36.3), ("attack", 31.77, 35.23), ("withdrawal", 33.55, 36.45), ("strike", 15.35, 44.2),
    ("strike", 15.35, 44.2), ("strike", 15.35, 44.2),  # three at one place: all must stay visible
    ("capture", 32.9, 13.2),
])] + [alert(20, "attack", 34.5, 69.2, place="Kabul"), alert(21, "clash", None, None)]


def test_map_has_one_marker_per_event_in_the_region_a_legend_and_a_table():
    page = mapmod.render_map(SAMPLE + [SAMPLE[0]], now=1764300100.0)  # a duplicate alert is shown once
    markers = re.findall(r'<circle class="marker" data-row="(\d+)" data-type="(\w+)"', page)
    assert len(markers) == 11  # Kabul is east of 65°E, one event has no place
    assert sorted(t for _, t in markers) == sorted(a["event"]["type"] for a in SAMPLE[:11])
    legend = re.findall(r'<g class="legend-item" data-type="(\w+)"', page)
    assert legend == list(mapmod.TYPE_COLORS)
    assert "strike (4)" in page and "2 without a place in the region" in page
    assert len(re.findall(r"<tr data-row=", page)) == 13
    for _, type_ in markers:
        assert mapmod.TYPE_COLORS[type_] in page
    # Self-contained: nothing to fetch.
    assert "<script" not in page and "src=" not in page and "<link" not in page and "url(http" not in page


def test_map_markers_at_one_place_do_not_cover_each_other():
    events = mapmod.events_from_alerts(SAMPLE)
    positions = [p for p in mapmod.marker_positions(events) if p]
    for i, a in enumerate(positions):
        for b in positions[i + 1:]:
            assert (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 >= (mapmod.MARKER_RADIUS + 1.5) ** 2


def test_map_escapes_headlines_and_keeps_arabic():
    page = mapmod.render_map([alert(1, "capture", 35.0, 40.0, title='<script>alert(1)</script> سيطرة "داعش"')])
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "سيطرة" in page


def test_map_command_reads_a_json_lines_file(tmp_path):
    source = tmp_path / "alerts.jsonl"
    source.write_bytes(b"\n".join(orjson.dumps(a) for a in SAMPLE) + b"\n\n")
    out = tmp_path / "out" / "map.html"
    result = CliRunner().invoke(map_command, ["--from", str(source), "--out", str(out)], obj=Settings())
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").count('<circle class="marker"') == 11
    source.write_bytes(b'{"oops\n')
    result = CliRunner().invoke(map_command, ["--from", str(source), "--out", str(out)], obj=Settings())
    assert result.exit_code != 0 and "not JSON" in result.output


def read_png(path: Path) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB bytes) of an 8-bit RGB or RGBA PNG, as Chromium writes it."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    bpp = 3 if color == 2 else 4
    raw, stride = zlib.decompress(idat), width * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line[x] for x in range(stride) if bpp == 3 or x % 4 != 3))
        prev = line
    return width, height, rows


def rgb(hex_color: str) -> tuple[int, int, int]:
    return tuple(int(hex_color[i:i + 2], 16) for i in (1, 3, 5))


def pixel(rows, x: float, y: float) -> tuple[int, int, int]:
    row = rows[round(y - 0.5)]
    i = round(x - 0.5) * 3
    return tuple(row[i:i + 3])


def near(a, b, tolerance: int = 6) -> bool:
    return all(abs(p - q) <= tolerance for p, q in zip(a, b))


@needs_chromium
def test_chromium_draws_every_marker_in_its_type_colour(tmp_path):
    source = tmp_path / "alerts.jsonl"
    source.write_bytes(b"\n".join(orjson.dumps(a) for a in SAMPLE))
    png = tmp_path / "map.png"
    result = CliRunner().invoke(map_command, ["--from", str(source), "--out", str(tmp_path / "map.html"),
                                              "--png", str(png)], obj=Settings())
    assert result.exit_code == 0, result.output
    width, height, rows = read_png(png)
    assert (width, height) == (mapmod.SVG_WIDTH, mapmod.SVG_HEIGHT)
    events = mapmod.events_from_alerts(SAMPLE)
    positions = mapmod.marker_positions(events)
    drawn = [(ev, pos) for ev, pos in zip(events, positions) if pos]
    assert len(drawn) == 11
    for ev, (x, y) in drawn:
        assert near(pixel(rows, x, y), rgb(ev.color)), f"no {ev.type} marker at {ev.place} ({x:.0f}, {y:.0f})"

    # The control: an empty map has no marker colour at those spots.
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = CliRunner().invoke(map_command, ["--from", str(empty), "--out", str(tmp_path / "empty.html"),
                                              "--png", str(tmp_path / "empty.png")], obj=Settings())
    assert result.exit_code == 0, result.output
    _, _, blank = read_png(tmp_path / "empty.png")
    for ev, (x, y) in drawn:
        assert not near(pixel(blank, x, y), rgb(ev.color))
