#!/bin/sh
# Records this host's /proc files the resource parsers read (tests/unit/resource_proc_test.cpp).
# The hand-made edge cases (*-garbage, *-no-*, stat-short-cpu-line) are not recorded.
set -eu
cd "$(dirname "$0")"
cat /proc/meminfo > meminfo
cat /proc/loadavg > loadavg
cat /proc/stat > stat
sleep 1
cat /proc/stat > stat-1s-later
