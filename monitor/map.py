"""A picture without Grafana: frontline alerts on a map of the region, as one HTML page.

Pure: alerts (or enriched events) in, a self-contained HTML string out. The map is an
inline SVG (country outlines, graticule, capitals, one marker per event coloured by
type, a legend) followed by a table of the events; no script, font, tile or style is
fetched from anywhere, so the page opens offline and renders in headless Chromium
(``news-monitor map --png``).

Projection: equirectangular with standard parallel 30°N, region 10–45°N, 10–65°E.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from html import escape
from typing import Any

# The event types of shared/eval/GUIDELINES.md, each with one colour, shared with the
# Grafana frontline dashboard (grafana/build_dashboards.py imports this).
TYPE_COLORS: dict[str, str] = {
    "capture": "#d7191c",
    "advance": "#fd8d3c",
    "withdrawal": "#7b3294",
    "siege": "#2c7bb6",
    "clash": "#e6ab02",
    "strike": "#e7298a",
    "attack": "#1b9e77",
}
OTHER_COLOR = "#555555"

LAT_MIN, LAT_MAX, LON_MIN, LON_MAX = 10.0, 45.0, 10.0, 65.0
SCALE = 20.0  # pixels per degree of latitude
X_SCALE = SCALE * math.cos(math.radians(30.0))
MAP_TOP = 44  # room for the title above the map
MAP_WIDTH = round((LON_MAX - LON_MIN) * X_SCALE)
MAP_HEIGHT = round((LAT_MAX - LAT_MIN) * SCALE)
LEGEND_WIDTH = 240
SVG_WIDTH = MAP_WIDTH + LEGEND_WIDTH
SVG_HEIGHT = MAP_TOP + MAP_HEIGHT + 24
MARKER_RADIUS = 5.5
# Markers at the same spot are spread on a sunflower spiral this many pixels apart, so that
# every one stays visible (its centre is never covered by another).
SPREAD = 9.0

LAND, SEA, BORDER, GRID = "#efeadf", "#cfe2f0", "#9a9486", "#b8c8d6"

# Country outlines (outer rings): Natural Earth 1:110m (public domain) as packaged by
# world-atlas 2.0.2, clamped to 8–67°E and 8–47°N, simplified (Douglas–Peucker, 0.3°) and
# rounded to 0.1°. "lon,lat" pairs; "|" separates the rings of one country.
OUTLINES: dict[str, str] = {
    'Afghanistan': '66.5,37.4 67,37 67,38.5 67,31.3 66.4,30.7 66.3,29.9 62.5,29.3 60.9,29.8 61.8,30.7 61.7,31.4 60.9,31.5 60.5,33 61.2,35.6 63,35.4 64.5,36.3 64.7,37.1 65.7,37.7 66.5,37.4',
    'Albania': '21,40.8 20.2,39.6 19.4,40.3 19.3,42.2 19.7,42.7 20.5,42.2 20.6,41.1 21,40.8',
    'Algeria': '8,27.4 8,37.1 8.4,36.9 8,33.3 9.1,32.1 9.8,29.4 9.7,26.5 9.3,26.1 10.3,24.4 10.8,24.6 12,23.5 8.6,21.6 8,19.1 8,27.4',
    'Armenia': '46.5,38.8 43.7,40.3 43.6,41.1 45,41.2 45.6,40.8 45.6,39.9 46.5,39.5 46.5,38.8',
    'Austria': '17,47 14.6,46.4 9.5,47 17,47',
    'Azerbaijan': '46.4,41.9 47.8,41.2 48.6,41.8 50.4,40.3 49.6,40.2 48.9,38.3 48,38.8 48.4,39.3 48.1,39.6 46.5,38.8 46.5,39.5 45.6,39.9 45.9,40.2 45,41.2 46.5,41.1 46.4,41.9|46.1,38.7 44.8,39.7 45.7,39.5 46.1,38.7',
    'Bosnia and Herz.': '18.6,42.6 16.5,44 15.7,44.8 16,45.2 19.4,44.9 19.5,43.6 18.6,42.6',
    'Bulgaria': '22.7,44.2 22.9,43.8 25.6,43.7 27.2,44.2 28.6,43.7 27.7,42.6 28,42 26.1,41.8 26.1,41.3 23,41.3 22.4,42.3 23,43.2 22.5,43.6 22.7,44.2',
    'Cameroon': '14.5,12.9 15.5,10 14.2,10 14,9.5 15.4,8 14.5,8 16,8 8.5,8 12.1,8 14.4,11.6 14.5,12.9',
    'Central African Rep.': '27.4,8 14.5,8 18,8 18.9,8.6 18.8,9 21,9.5 21.7,10.6 22.9,11.1 23.8,8.7 25.1,8 27.4,8',
    'Chad': '23.8,19.6 23.9,15.6 23,15.7 21.9,12.6 22.3,12.6 22.9,11.1 21.7,10.6 21,9.5 18.8,9 18.9,8.6 18,8 15.3,8 14,9.5 14.2,10 15.5,10 14.6,13.3 14,13.4 13.5,14.4 14,15.7 15.2,16.6 15.9,20.4 15.1,21.3 14.9,22.9 15.9,23.4 23.8,19.6',
    'Croatia': '16.6,46.5 18.8,45.9 19.4,45.2 19,44.9 16,45.2 15.7,44.8 18.4,42.5 16,43.5 14.9,45.1 14.3,45.2 14,44.8 13.7,45.1 13.7,45.5 15.3,45.5 15.8,46.2 16.6,46.5',
    'Cyprus': '32.7,35.1 34,35 33,34.6 32.3,35.1 32.7,35.1',
    'Djibouti': '42.4,12.5 43.3,12.4 42.7,11.7 43.1,11.5 42.8,10.9 41.8,11.1 41.7,11.6 42.4,12.5',
    'Egypt': '36.9,22 25,22 24.7,30 25.2,31.6 28.9,30.9 31,31.6 32,30.9 34.3,31.2 34.9,29.5 34.2,27.8 33.1,28.4 32.3,29.8 35.7,23.9 35.5,23.1 36.9,22',
    'Eritrea': '36.4,14.4 36.9,17 38.4,18 39.3,15.9 43.1,12.7 42.4,12.5 40,14.5 38.5,14.5 37.9,15 37.6,14.2 36.4,14.4',
    'Ethiopia': '47.8,8 33,8 33.8,8.4 34.3,10.6 35.9,12.6 36.4,14.4 37.6,14.2 37.9,15 38.5,14.5 40,14.5 41.6,13.5 42.4,12.5 41.7,11.6 41.8,11.1 42.8,10.9 42.6,10.6 43.7,9.2 47.8,8',
    'France': '8.7,42.6 9.4,43 9.2,41.4 8.8,41.6 8.7,42.6',
    'Georgia': '40,43.4 45.5,42.5 46.6,41.2 43.6,41.1 41.6,41.5 41.5,42.6 40,43.4',
    'Greece': '26.3,35.3 24.7,34.9 23.5,35.3 23.7,35.7 26.3,35.3|23,41.3 26.6,41.6 26.1,40.8 23.7,40.7 24.4,40.1 22.6,40.3 23.4,39.2 23,39 24,38.2 24,37.7 23.1,37.9 23.4,37.4 22.8,37.3 23.2,36.4 22.5,36.4 21.7,36.8 20.2,39.6 21,40.8 23,41.3',
    'Hungary': '22.1,47 22.7,47 21.6,47 21,46.3 18.5,45.8 16.2,46.9 22.1,47',
    'Iran': '48.6,29.9 47.7,31 47.8,31.7 47.3,32.5 46.1,33 45.4,34 46.1,35.7 45.4,36 44.2,38 44.1,39.4 44.8,39.7 46.1,38.7 48.1,39.6 48.4,39.3 48,38.8 49.2,37.6 52.3,36.7 53.8,37 55.5,38 57.3,38 61.1,36.5 60.5,33.7 61,33.5 60.5,33 60.9,31.5 61.7,31.4 61.8,30.7 60.9,29.8 62.7,28.3 63.3,26.8 61.9,26.2 61.5,25.1 57.4,25.7 57,27 54.7,26.5 53.5,26.8 51.5,27.9 50.1,30.1 48.9,30.3 48.6,29.9',
    'Iraq': '39.2,32.2 38.8,33.4 41,34.4 41.3,36.4 42.8,37.4 44.8,37.2 46.1,35.7 45.4,34 46.1,33 47.3,32.5 47.8,31.7 47.7,31 48.6,29.9 47.3,30.1 46.6,29.1 44.7,29.2 41.9,31.2 39.2,32.2',
    'Israel': '35.7,32.7 35,31.9 34.9,31.4 35.4,31.5 35.4,31.1 34.9,29.5 34.3,31.2 35.1,33.1 35.8,33.3 35.7,32.7',
    'Italy': '10.4,46.9 12.2,47 13.8,46.5 13.9,45.6 12.3,45.4 12.6,44.1 15.1,42 15.9,42 15.9,41.5 18.4,40.4 18.3,39.8 16.9,40.4 16.5,39.8 17.2,39.4 17.1,38.9 15.7,37.9 16.1,39 14.7,40.6 11.2,42.4 10.2,43.9 8.9,44.4 8,43.7 8,46 9.9,46.3 10.4,46.9|14.8,38.1 15.5,38.2 15.1,36.6 12.4,37.6 12.6,38.1 14.8,38.1|8.7,40.9 9.2,41.2 9.8,40.5 9.7,39.2 8.8,38.9 8.2,41 8.7,40.9',
    'Jordan': '35.5,32.4 35.7,32.7 36.8,32.3 38.8,33.4 39.2,32.2 37,31.5 38,30.5 36.1,29.2 34.9,29.5 35.5,32.4',
    'Kazakhstan': '67,47 67,40.7 66.5,42 66,42 66.1,43 64.9,43.7 62,43.5 58.5,45.6 55.9,45 56,41.3 54.1,42.3 52.5,41.8 52.5,42.8 51.3,43.1 50.3,44.6 51.3,44.5 51.3,45.2 53,45.3 53,46.9 51.2,47 49.1,46.4 48.6,46.6 48.7,47 46.5,47 67,47',
    'Kosovo': '20.6,41.9 20.1,42.6 20.6,43.2 21.8,42.7 20.6,41.9',
    'Kuwait': '48,30 48.4,28.6 46.6,29.1 47.3,30.1 48,30',
    'Lebanon': '35.8,33.3 35.1,33.1 35.5,33.9 36,34.6 36.4,34.6 36.6,34.2 35.8,33.3',
    'Libya': '25,22 25,20 23.8,20 23.8,19.6 15.9,23.4 14.1,22.5 10.8,24.6 10.3,24.4 9.3,26.1 9.7,26.5 9.5,30.3 10,30.5 9.9,31.4 11.4,32.4 11.5,33.1 15.2,32.3 15.7,31.4 19.1,30.3 20.1,31 19.8,31.8 20.9,32.7 22.9,32.6 23.2,32.2 24.9,31.9 25,22',
    'Macedonia': '22.4,42.3 23,41.3 20.6,41.1 20.8,42.1 22.4,42.3',
    'Moldova': '26.6,47 29.4,47 30,46.4 28.9,46.4 28.2,45.5 28.1,46.8 26.6,47',
    'Montenegro': '20.1,42.6 19.7,42.7 19.4,41.9 18.4,42.5 19.2,43.5 20.3,42.9 20.1,42.6',
    'N. Cyprus': '32.7,35.1 34.6,35.7 34,35.1 32.7,35.1',
    'Niger': '14.9,22.9 15.1,21.3 15.9,20.4 15.2,16.6 14,15.7 13.5,14.4 14,13.4 14.6,13.3 14.5,12.9 14,12.5 13.1,13.6 12.3,13 11,13.4 9,12.8 8,13.1 8,13.9 8,11.7 8,19.6 8.6,21.6 12,23.5 14.1,22.5 14.9,22.9',
    'Nigeria': '8,8 8,13.9 8,13.1 9,12.8 11,13.4 12.3,13 13.3,13.6 14.6,12.1 12.1,8 8,8',
    'Oman': '55.2,22.7 55.5,23.9 56,24.1 55.9,24.9 56.4,24.9 57.4,23.9 58.7,23.6 59.8,22.3 58.5,20.4 57.8,20.2 57.7,18.9 56.6,18.6 56.3,17.9 55.7,17.9 54.8,16.9 53.1,16.7 52,19 55,20 55.7,22 55.2,22.7',
    'Pakistan': '67,35.5 67,23.7 67,24.7 66.4,25.4 61.5,25.1 61.9,26.2 63.3,26.8 62.7,28.3 60.9,29.8 62.5,29.3 66.3,29.9 66.4,30.7 67,31.3 67,35.5',
    'Palestine': '35.4,31.5 34.9,31.4 35.2,32.5 35.5,32.4 35.4,31.5',
    'Qatar': '50.8,24.8 50.7,25.5 51.3,26.1 51.6,25.2 51.4,24.6 50.8,24.8',
    'Romania': '28.2,45.5 29.6,45.3 28.8,44.9 28.6,43.7 27.2,44.2 25.6,43.7 22.9,43.8 22.7,44.6 21.6,44.8 20.2,46.1 21.6,47 27.6,47 28.1,46.8 28.2,45.5',
    'Russia': '67,42.2 67,47 46.5,47 48.7,47 48.6,46.6 49.1,46.4 46.7,44.6 48.6,41.8 47.8,41.2 45.5,42.5 40,43.4 36.7,45.2 38.2,46.2 37.7,46.6 39.1,47 38.2,47 40.1,47 27.3,47 67,47 8,47 67,47 67,42.2|33.4,46 36.5,45.5 33.9,44.4 33.3,44.6 33.5,45 32.5,45.3 33.4,46',
    'S. Sudan': '30.8,8 25.1,8 23.9,8.6 24.5,8.9 25.1,10.3 25.8,10.4 26.8,9.5 29,9.4 30,10.3 31.4,9.8 32.4,11.1 32.1,12 32.7,12.2 33.2,12.2 33.2,10.7 34,9.5 33.8,8.4 33,8 35.3,8 30.8,8',
    'Saudi Arabia': '35,29.4 36.1,29.2 37.5,30 38,30.5 37,31.5 39.2,32.2 41.9,31.2 44.7,29.2 47.5,29 50.2,26.7 50.2,25.6 51.4,24.6 52,23 55.2,22.7 55.7,22 55,20 49.1,18.6 47,16.9 43.4,17.6 42.8,16.3 40.9,19.5 39.1,21.3 38.5,23.7 37.5,24.3 35.1,28.1 34.6,28.1 35,29.4',
    'Serbia': '18.8,45.9 20.2,46.1 21.6,44.8 22.7,44.6 22.4,44 23,43.2 22.5,42.5 21.6,42.2 21.8,42.7 20.8,43.3 20.3,42.8 19.2,43.5 19.6,44 18.8,45.9',
    'Slovenia': '13.8,46.5 16.2,46.9 16.6,46.5 15.8,46.2 15.3,45.5 13.7,45.5 13.8,46.5',
    'Somalia': '41.6,8 47.8,8 48.9,9.5 48.9,11.4 51.1,12 50.1,8.1 41.6,8',
    'Somaliland': '48.9,11.4 48.9,9.5 47.8,8 43.7,9.2 42.6,10.6 43.1,11.5 44.1,10.4 48.9,11.4',
    'Sudan': '24.6,8.2 23.5,9 23.6,10.1 22.3,12.6 21.9,12.6 23,15.7 23.9,15.6 23.8,20 25,20 25,22 36.9,22 37.5,18.6 38.4,18 36.9,17 36.3,13.6 34.3,10.6 34,8.7 33.7,10.3 33.2,10.7 33.2,12.2 32.7,12.2 32.1,12 32.4,11.1 31.4,9.8 30,10.3 29,9.4 26.8,9.5 25.8,10.4 25.1,10.3 24.5,8.9 23.9,8.6 24.6,8.2',
    'Switzerland': '9.6,47 10.4,46.9 10.4,46.5 8,45.8 8,47 9.6,47',
    'Syria': '35.7,32.7 36.6,34.2 36,34.6 35.9,35.4 36.7,36.8 39.5,36.7 42.3,37.2 41.3,36.4 41,34.4 36.8,32.3 35.7,32.7',
    'Tunisia': '9.5,30.3 8,34.1 8.4,36.9 9.5,37.4 10.2,37.2 10.2,36.7 11,37.1 10.6,36.4 10.8,34.8 10.2,34.3 11.5,33.1 11.4,32.4 9.9,31.4 10,30.5 9.5,30.3',
    'Turkey': '44.8,37.2 42.8,37.4 39.5,36.7 36.7,36.8 36.1,35.8 35.8,36.3 36.2,36.7 34.7,36.8 34,36.2 32.5,36.1 30.6,36.7 29.7,36.1 27.6,36.7 26.3,38.2 26.8,39 26.2,39.5 27.3,40.4 28.8,40.5 29.2,41.2 31.1,41.1 33.5,42 35.2,42 38.3,40.9 42.6,41.6 43.6,41.1 43.7,40.3 44.8,39.7 44.1,39.4 44.8,37.2|26.1,41.8 28,42 29,41.3 26.4,40.2 26.1,40.8 26.6,41.6 26.1,41.8',
    'Turkmenistan': '52.5,41.8 54.1,42.3 55.5,41.3 57.1,41.3 56.9,41.8 58.6,42.8 60,42.2 60.5,41.2 61.9,41.1 62.4,40.1 64.2,38.9 66.5,38 66.5,37.4 65.7,37.7 64.7,37.1 64.5,36.3 62.2,35.3 61.2,35.6 61.1,36.5 57.3,38 55.5,38 53.9,37.2 53.9,39 53.1,39.3 53.4,40 52.7,40 52.9,40.9 54.7,41 53.7,42.1 52.9,41.9 52.8,41.1 52.5,41.8',
    'Ukraine': '31.8,47 40.1,47 35.8,46.6 35,46.3 35,45.7 31.7,46.3 31.7,46.7 30.7,46.6 29.6,45.3 28.2,45.5 28.9,46.4 30,46.4 29.4,47 22.1,47 31.8,47',
    'United Arab Emirates': '51.6,24.2 54,24.1 56.1,26.1 56.3,25.7 56.4,24.9 55.9,24.9 56,24.1 55,22.5 52,23 51.6,24.2',
    'Uzbekistan': '56,41.3 55.9,45 58.5,45.6 62,43.5 64.9,43.7 66.1,43 66,42 66.5,42 67,40.7 67,42.3 67,37.1 66.5,37.4 66.5,38 64.2,38.9 62.4,40.1 61.9,41.1 60.5,41.2 60,42.2 58.6,42.8 56.9,41.8 57.1,41.3 56,41.3',
    'Yemen': '52,19 53.1,16.7 52.4,16.4 52.2,15.6 48.7,14 45.6,13.3 45,12.7 43.5,12.6 42.6,15.2 43.4,17.6 47,16.9 49.1,18.6 52,19',
}

# Labels drawn on the map: (name, lat, lon).
COUNTRY_LABELS = (
    ("SYRIA", 35.0, 38.6), ("IRAQ", 32.6, 43.6), ("IRAN", 32.6, 54.5), ("TURKEY", 39.2, 34.0),
    ("SAUDI ARABIA", 24.0, 44.5), ("YEMEN", 15.8, 47.2), ("EGYPT", 26.5, 29.6), ("LIBYA", 27.0, 17.5),
    ("SUDAN", 16.0, 30.0), ("OMAN", 20.5, 56.5), ("JORDAN", 30.6, 37.2), ("AFGHANISTAN", 33.4, 64.2),
)
CAPITALS = (
    ("Damascus", 33.51, 36.29), ("Baghdad", 33.31, 44.37), ("Beirut", 33.89, 35.50),
    ("Amman", 31.95, 35.93), ("Jerusalem", 31.78, 35.22), ("Cairo", 30.04, 31.24),
    ("Tripoli", 32.89, 13.19), ("Tunis", 36.81, 10.18), ("Ankara", 39.93, 32.86),
    ("Tehran", 35.69, 51.39), ("Riyadh", 24.71, 46.68), ("Sanaa", 15.37, 44.19),
    ("Kuwait", 29.37, 47.98), ("Doha", 25.29, 51.53), ("Abu Dhabi", 24.45, 54.38),
    ("Muscat", 23.59, 58.41), ("Khartoum", 15.50, 32.56), ("Nicosia", 35.17, 33.37),
    ("Baku", 40.41, 49.87), ("Yerevan", 40.18, 44.51), ("Athens", 37.98, 23.73),
    ("Asmara", 15.32, 38.93), ("Manama", 26.23, 50.59),
)


@dataclass(frozen=True)
class MapEvent:
    """One row of the map: an alert's event with what the table shows."""
    type: str
    actor: str
    place: str
    country: str
    lat: float | None
    lon: float | None
    when: float | None  # epoch seconds the alert was emitted
    source: str
    title: str
    url: str
    alert_id: str

    @property
    def color(self) -> str:
        return TYPE_COLORS.get(self.type, OTHER_COLOR)

    @property
    def on_map(self) -> bool:
        return (self.lat is not None and self.lon is not None
                and LAT_MIN <= self.lat <= LAT_MAX and LON_MIN <= self.lon <= LON_MAX)


def project(lat: float, lon: float) -> tuple[float, float]:
    """SVG coordinates (pixels from the page's top-left) of a point."""
    return (lon - LON_MIN) * X_SCALE, MAP_TOP + (LAT_MAX - lat) * SCALE


def event_from_alert(alert: dict[str, Any]) -> MapEvent:
    """A MapEvent from an alert of the alerts topic, or from a bare event ``{type, actor, place}``."""
    event = alert.get("event") if isinstance(alert.get("event"), dict) else alert
    place = event.get("place") or {}
    article = alert.get("article") or {}
    times = alert.get("times") or {}

    def number(value) -> float | None:
        return float(value) if isinstance(value, (int, float)) else None

    return MapEvent(
        type=str(event.get("type") or "?"), actor=str(event.get("actor") or "unknown"),
        place=str(place.get("name") or ""), country=str(place.get("country") or ""),
        lat=number(place.get("lat")), lon=number(place.get("lon")),
        when=number(times.get("emitted")), source=str(article.get("source") or ""),
        title=str(article.get("title") or ""), url=str(article.get("url") or ""),
        alert_id=str(alert.get("alert_id") or ""))


def events_from_alerts(alerts: Iterable[dict[str, Any]], limit: int | None = None) -> list[MapEvent]:
    """Distinct events (one per alert id), newest first, at most ``limit``."""
    seen: set[str] = set()
    events = []
    for alert in alerts:
        ev = event_from_alert(alert)
        if ev.alert_id:
            if ev.alert_id in seen:
                continue
            seen.add(ev.alert_id)
        events.append(ev)
    events.sort(key=lambda e: -(e.when or 0.0))
    return events[:limit] if limit else events


def marker_positions(events: list[MapEvent]) -> list[tuple[float, float] | None]:
    """Where each event's marker goes (None: not on the map).

    A marker goes at its place or, when that is within SPREAD pixels of a marker already
    placed, at the first free point of a sunflower spiral around it: every marker's centre
    stays visible.
    """
    grid: dict[tuple[int, int], list[tuple[float, float]]] = {}

    def free(x: float, y: float) -> bool:
        cx, cy = int(x // SPREAD), int(y // SPREAD)
        return all((x - px) ** 2 + (y - py) ** 2 >= SPREAD ** 2
                   for i in (cx - 1, cx, cx + 1) for j in (cy - 1, cy, cy + 1)
                   for px, py in grid.get((i, j), ()))

    tried: dict[tuple[float, float], int] = {}  # spiral steps already taken around a spot
    positions: list[tuple[float, float] | None] = []
    for ev in events:
        if not ev.on_map:
            positions.append(None)
            continue
        x0, y0 = project(ev.lat, ev.lon)  # type: ignore[arg-type]
        k = tried.get((x0, y0), 0)
        while True:
            r, a = SPREAD * math.sqrt(k), k * 2.39996  # the golden angle
            x, y = x0 + r * math.cos(a), y0 + r * math.sin(a)
            if free(x, y):
                break
            k += 1
        tried[(x0, y0)] = k + 1
        grid.setdefault((int(x // SPREAD), int(y // SPREAD)), []).append((x, y))
        positions.append((x, y))
    return positions


def _ring_path(ring: str) -> str:
    points = []
    for pair in ring.split():
        lon, lat = pair.split(",")
        x, y = project(float(lat), float(lon))
        points.append(f"{x:.1f},{y:.1f}")
    return "M" + "L".join(points) + "Z"


def _basemap() -> list[str]:
    parts = [f'<rect x="0" y="{MAP_TOP}" width="{MAP_WIDTH}" height="{MAP_HEIGHT}" fill="{SEA}"/>',
             f'<g class="countries" fill="{LAND}" stroke="{BORDER}" stroke-width="0.7" stroke-linejoin="round">']
    for name, rings in OUTLINES.items():
        d = "".join(_ring_path(r) for r in rings.split("|"))
        parts.append(f'<path d="{d}"><title>{escape(name)}</title></path>')
    parts.append("</g>")
    parts.append(f'<g class="graticule" stroke="{GRID}" stroke-width="0.5" stroke-dasharray="2,3">')
    labels = []
    for lat in range(int(LAT_MIN), int(LAT_MAX) + 1, 5):
        _, y = project(lat, LON_MIN)
        parts.append(f'<line x1="0" y1="{y:.1f}" x2="{MAP_WIDTH}" y2="{y:.1f}"/>')
        labels.append(f'<text x="3" y="{y - 2:.1f}">{lat}°N</text>')
    for lon in range(int(LON_MIN), int(LON_MAX) + 1, 5):
        x, _ = project(LAT_MIN, lon)
        parts.append(f'<line x1="{x:.1f}" y1="{MAP_TOP}" x2="{x:.1f}" y2="{MAP_TOP + MAP_HEIGHT}"/>')
        labels.append(f'<text x="{x + 2:.1f}" y="{MAP_TOP + MAP_HEIGHT + 14}">{lon}°E</text>')
    parts.append("</g>")
    parts.append('<g class="grid-labels" font-size="10" fill="#6b7b8c">' + "".join(labels) + "</g>")
    parts.append('<g class="country-labels" font-size="11" fill="#8a8373" letter-spacing="1.5" '
                 'text-anchor="middle">')
    for name, lat, lon in COUNTRY_LABELS:
        x, y = project(lat, lon)
        parts.append(f'<text x="{x:.1f}" y="{y:.1f}">{name}</text>')
    parts.append("</g>")
    parts.append('<g class="capitals" font-size="10" fill="#444">')
    for name, lat, lon in CAPITALS:
        x, y = project(lat, lon)
        parts.append(f'<rect x="{x - 2:.1f}" y="{y - 2:.1f}" width="4" height="4" fill="#444"/>'
                     f'<text x="{x + 4:.1f}" y="{y + 10:.1f}">{escape(name)}</text>')
    parts.append("</g>")
    return parts


def _legend(events: list[MapEvent]) -> list[str]:
    counts: dict[str, int] = {}
    for ev in events:
        counts[ev.type] = counts.get(ev.type, 0) + 1
    types = list(TYPE_COLORS) + sorted(t for t in counts if t not in TYPE_COLORS)
    x0 = MAP_WIDTH + 16
    parts = ['<g class="legend" font-size="13" fill="#222">',
             f'<text x="{x0}" y="{MAP_TOP + 16}" font-weight="bold">Event type</text>']
    for i, type_ in enumerate(types):
        y = MAP_TOP + 40 + i * 24
        color = TYPE_COLORS.get(type_, OTHER_COLOR)
        parts.append(f'<g class="legend-item" data-type="{escape(type_)}">'
                     f'<circle cx="{x0 + 7}" cy="{y - 4}" r="{MARKER_RADIUS}" fill="{color}" '
                     f'stroke="#fff" stroke-width="1.5"/>'
                     f'<text x="{x0 + 20}" y="{y}">{escape(type_)} ({counts.get(type_, 0)})</text></g>')
    off = sum(1 for ev in events if not ev.on_map)
    y = MAP_TOP + 40 + len(types) * 24 + 8
    parts.append(f'<text x="{x0}" y="{y}" font-size="11" fill="#555">{len(events) - off} on the map</text>')
    if off:
        parts.append(f'<text x="{x0}" y="{y + 16}" font-size="11" fill="#555">'
                     f'{off} without a place in the region</text>')
    parts.append("</g>")
    return parts


def _when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts, timezone.utc).strftime("%Y-%m-%d %H:%M:%SZ") if ts else ""


def render_svg(events: list[MapEvent], title: str) -> str:
    parts = [(f'<svg xmlns="http://www.w3.org/2000/svg" id="map" width="{SVG_WIDTH}" height="{SVG_HEIGHT}" '
              f'viewBox="0 0 {SVG_WIDTH} {SVG_HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif">'),
             f'<rect width="{SVG_WIDTH}" height="{SVG_HEIGHT}" fill="#fff"/>',
             f'<text x="8" y="28" font-size="20" fill="#222">{escape(title)}</text>',
             (f'<clipPath id="region"><rect x="0" y="{MAP_TOP}" width="{MAP_WIDTH}" height="{MAP_HEIGHT}"/>'
              '</clipPath>'),
             '<g clip-path="url(#region)">']
    parts += _basemap()
    parts.append('<g class="markers">')
    for i, (ev, pos) in enumerate(zip(events, marker_positions(events)), start=1):
        if pos is None:
            continue
        tip = f"#{i} {ev.type} by {ev.actor} at {ev.place}, {ev.country} ({_when(ev.when)}) {ev.title}"
        parts.append(f'<circle class="marker" data-row="{i}" data-type="{escape(ev.type)}" '
                     f'cx="{pos[0]:.1f}" cy="{pos[1]:.1f}" r="{MARKER_RADIUS}" fill="{ev.color}" '
                     f'stroke="#fff" stroke-width="1.5"><title>{escape(tip)}</title></circle>')
    parts.append("</g></g>")
    parts.append(f'<rect x="0" y="{MAP_TOP}" width="{MAP_WIDTH}" height="{MAP_HEIGHT}" fill="none" '
                 f'stroke="#666"/>')
    parts += _legend(events)
    parts.append("</svg>")
    return "\n".join(parts)


def _table(events: list[MapEvent]) -> str:
    rows = []
    for i, ev in enumerate(events, start=1):
        coords = f"{ev.lat:.3f}, {ev.lon:.3f}" if ev.lat is not None and ev.lon is not None else ""
        headline = escape(ev.title)
        if ev.url.startswith(("http://", "https://")):
            headline = f'<a href="{escape(ev.url)}">{headline}</a>'
        rows.append(
            f'<tr data-row="{i}"><td>{i}</td><td>{_when(ev.when)}</td>'
            f'<td><span class="swatch" style="background:{ev.color}"></span>{escape(ev.type)}</td>'
            f'<td>{escape(ev.actor)}</td><td>{escape(ev.place)}</td><td>{escape(ev.country)}</td>'
            f'<td>{coords}{"" if ev.on_map else " (off the map)" if coords else ""}</td>'
            f'<td>{escape(ev.source)}</td><td dir="auto">{headline}</td></tr>')
    head = ("<tr><th>#</th><th>emitted (UTC)</th><th>type</th><th>actor</th><th>place</th>"
            "<th>country</th><th>lat, lon</th><th>source</th><th>headline</th></tr>")
    return f'<table id="events"><thead>{head}</thead><tbody>\n' + "\n".join(rows) + "\n</tbody></table>"


STYLE = """
body { margin: 0; font-family: "DejaVu Sans", Arial, sans-serif; color: #222; background: #fff; }
#map { display: block; }
main { padding: 8px 12px 24px; }
table { border-collapse: collapse; font-size: 12px; }
th, td { border-bottom: 1px solid #ddd; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 5px; margin-right: 4px; }
"""


def render_map(alerts: Iterable[dict[str, Any]], *, title: str = "Frontline events",
               limit: int | None = None, now: float | None = None) -> str:
    """The HTML page: the map first (at the page's top-left, 1 SVG unit = 1 CSS pixel), then the table."""
    events = events_from_alerts(alerts, limit)
    generated = _when(now if now is not None else datetime.now(timezone.utc).timestamp())
    heading = f"{title}: {len(events)} event{'s' if len(events) != 1 else ''}, generated {generated}"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>\n"
        f"{render_svg(events, heading)}\n<main>{_table(events)}</main>\n</body></html>\n")
