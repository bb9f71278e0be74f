#!/bin/sh
# ussr1957's republic councils on a Ray cluster started by Ray's own commands on this
# machine: a head with no CPUs and N worker nodes of one CPU each (one actor each), against
# the local engine (and, once, the worker-process engine), by benchmarks/councils_ray.py.
#
#     sh benchmarks/councils_ray_start.sh YEARS PROTOCOL "1 2"
#
# `ray stop` ends every Ray process of this user on the machine: run it where no one else
# uses Ray. Clusters of Ray 2.5x authenticate by token (~/.ray/auth_token): the worker nodes
# and the plan need RAY_AUTH_MODE=token as the head has it.
set -e
YEARS=${1:-14}
PROTOCOL=${2:-dantzig-wolfe}
NODES=${3:-"1 2"}
PYTHON=${PYTHON:-python}
RAY=${RAY:-ray}
HERE=$(dirname "$0")
export RAY_AUTH_MODE=token
EXTRA=--processes
for n in $NODES; do
    $RAY stop --force > /dev/null 2>&1 || true
    $RAY start --head --port 6399 --num-cpus 0 --include-dashboard false \
        --disable-usage-stats > /dev/null
    i=0
    while [ $i -lt "$n" ]; do
        $RAY start --address 127.0.0.1:6399 --num-cpus 1 --disable-usage-stats > /dev/null
        i=$((i + 1))
    done
    $PYTHON "$HERE/councils_ray.py" --years "$YEARS" --protocol "$PROTOCOL" \
        --address 127.0.0.1:6399 --workers "$n" $EXTRA
    EXTRA=
done
$RAY stop --force > /dev/null 2>&1 || true
