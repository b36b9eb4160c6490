#!/bin/bash
# Time `wam import stock` and `wam import movements` of two versions of wam, alternated on the same
# files so that a shared machine's load falls on both alike (docs/benchmarks.md, issue 8).
#
#   git worktree add /tmp/old <commit>
#   bench/alternate_imports.sh /tmp/old/src src EMPTY.db STOCK.db weapons.csv movements.csv [rounds]
#
# EMPTY.db: a ledger with its holders and no stock (wam init; wam import holders); STOCK.db: the same
# after `wam import stock weapons.csv --at 2023-12-01` (the movements are imported into a copy of it).
# Files as bench/commands.py --work DIR writes them. Prints wall time, user+system CPU and peak RSS.
set -euo pipefail
old=$1 new=$2 empty=$3 stock=$4 weapons=$5 movements=$6 rounds=${7:-2}
python=${PYTHON:-$(dirname "$0")/../.venv/bin/python}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export NO_COLOR=1
for _ in $(seq "$rounds"); do
  for side in old new; do
    src=$([ "$side" = old ] && echo "$old" || echo "$new")
    cp "$empty" "$work/e.db"; rm -f "$work/e.db-wal" "$work/e.db-shm"
    /usr/bin/time -f "$side stock     %e s wall %U+%S s CPU %M KB" env PYTHONPATH="$src" "$python" -m wam \
      --db "$work/e.db" import stock "$weapons" --at 2023-12-01 >/dev/null
    cp "$stock" "$work/m.db"; rm -f "$work/m.db-wal" "$work/m.db-shm"
    /usr/bin/time -f "$side movements %e s wall %U+%S s CPU %M KB" env PYTHONPATH="$src" "$python" -m wam \
      --db "$work/m.db" import movements "$movements" >/dev/null
  done
done
uptime
