# Jiangxue: the two commands of the README, and the steps they share.
#   make run   install everything, load the demo, serve on http://127.0.0.1:8000
#   make test  install everything, run the whole test suite

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := $(SUDO) sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$$@"' apt-install

.PHONY: run test setup system-deps test-system-deps python-deps messages js-deps

run: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo
	$(PY) manage.py runserver 127.0.0.1:8000

test: setup test-system-deps
	$(PY) -m pytest $(PYTEST_ARGS)

setup: system-deps python-deps messages js-deps
	@mkdir -p var/static var/media

system-deps:
	@missing=""; \
	command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || missing="$$missing ffmpeg"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing="$$missing fonts-wqy-zenhei"; \
	[ -z "$$missing" ] || $(APT_INSTALL) $$missing

test-system-deps:
	@[ -x /usr/bin/chromium ] && dpkg -s fonts-noto-cjk >/dev/null 2>&1 \
		|| $(APT_INSTALL) chromium fonts-noto-cjk

python-deps: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[dev]'
	touch $@

# hls.js comes from npm (exact version in package-lock.json) and is served as a
# static file; the copy under media_pipeline/static is generated, not committed.
HLS_VENDOR := media_pipeline/static/media_pipeline/vendor

js-deps: system-deps $(HLS_VENDOR)/hls.min.js

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

$(HLS_VENDOR)/hls.min.js: node_modules/.installed
	@mkdir -p $(HLS_VENDOR)
	cp node_modules/hls.js/dist/hls.min.js node_modules/hls.js/dist/hls.min.js.map $(HLS_VENDOR)/
	cp node_modules/hls.js/LICENSE $(HLS_VENDOR)/hls.js.LICENSE
	touch $@

messages: python-deps
	$(PY) manage.py compilemessages --ignore '.venv' -v 0
