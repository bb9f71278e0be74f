#!/bin/sh
# Quotas before (the main worktree's code) and after (this one's), interleaved economy by
# economy (A, B, then B, A on the next), on the same cores; the first argument is main's
# checkout, then the economies (benchmarks/councils_protocols.py names).
#   sh benchmarks/quotas_before_after.sh /work/main g20x4x2 g60x6x2 g60x6x2s1 ussr1
set -e
before=$1; shift
here=$(cd "$(dirname "$0")/.." && pwd)
python=${PYTHON:-python}
flip=0
for economy in "$@"; do
    for side in $( [ $flip = 0 ] && echo "before after" || echo "after before" ); do
        src=$here/src; [ "$side" = before ] && src=$before/src
        echo "# $side ($src), load $(cut -d' ' -f1-3 /proc/loadavg)"
        PYTHONPATH=$src:$here/benchmarks $python "$here/benchmarks/councils_protocols.py" \
            --economies "$economy" --protocols quotas --rounds "${ROUNDS:-150}" | tail -n 1
    done
    flip=$((1 - flip))
done
