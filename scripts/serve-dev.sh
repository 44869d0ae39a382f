#!/usr/bin/env bash
# Serves the platform for `make run`: the job-queue worker in the background, the web
# server in the foreground; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}
BIN=.venv/bin

$BIN/python manage.py run_huey --workers 1 --quiet &
worker=$!
trap 'kill $worker 2>/dev/null || true' EXIT INT TERM

echo
echo "双随机、一公开监管平台已启动 / Shuangsuiji is running: http://$HOST:$PORT/"
$BIN/python manage.py seed_demo --logins-only
echo
$BIN/python manage.py runserver --noreload "$HOST:$PORT"
