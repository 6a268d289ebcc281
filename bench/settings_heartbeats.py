"""Settings for bench/heartbeats.py: bench/settings.py plus the floor view's URLs."""

from bench.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
