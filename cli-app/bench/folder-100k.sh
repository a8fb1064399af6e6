#!/bin/bash
# The 100,000-file folder benchmark (issue 12): a relay process, two devices, push --dir on A,
# pull --into on B, diff -r, then 10 edits pushed and pulled. Usage: cli-app/bench/folder-100k.sh (T=DIR to choose the work directory).
set -e
Z=$(cd "$(dirname "$0")/../.." && pwd)/zerok
T=${T:-/tmp/bench100k}
rm -rf $T; mkdir -p $T/src/big
python3 - "$T/src/big" <<'PY'
import os,sys,random
root=sys.argv[1]; r=random.Random(1)
for d in range(1000):
    p=os.path.join(root,"d%03d"%d); os.makedirs(p)
    for f in range(100):
        with open(os.path.join(p,"f%03d.txt"%f),"wb") as fh: fh.write(r.randbytes(1024))
PY
PORT=$(python3 -c 'import socket;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
printf "listen=127.0.0.1:$PORT\ndata.dir=$T/relay\nhttp.listen=127.0.0.1:0\n" > $T/relay.conf
$Z relay --config $T/relay.conf > $T/relay.log 2>&1 &
RELAY=$!
for i in $(seq 1 100); do grep -q "pin this" $T/relay.log && break; sleep 0.2; done
KEY=$(grep "pin this" $T/relay.log | sed 's/.*: //')
$Z --home $T/a init --name a >/dev/null; $Z --home $T/b init --name b >/dev/null
$Z --home $T/a relays add 127.0.0.1:$PORT --key $KEY >/dev/null
INV=$($Z --home $T/a --json pair --create)
echo "$INV" | python3 -c 'import json,sys;print(json.load(sys.stdin)["code"])' > $T/code
$Z --home $T/b pair --join "$(echo "$INV" | python3 -c 'import json,sys;print(json.load(sys.stdin)["invite"])')" --code-file $T/code >/dev/null
/usr/bin/time -f "push --dir 100k: %e s wall, %M KiB max RSS" $Z --home $T/a push --dir $T/src/big --wait 600s
/usr/bin/time -f "pull --into 100k: %e s wall, %M KiB max RSS" $Z --home $T/b pull --into $T/out --wait 600s | tail -3
diff -r $T/src/big $T/out/big && echo "trees identical"
for f in $(seq 1 10); do echo edit >> $T/src/big/$(printf "d%03d" $f)/f001.txt; done
/usr/bin/time -f "push --dir after 10 edits: %e s wall" $Z --home $T/a push --dir $T/src/big --wait 600s
/usr/bin/time -f "pull --into after 10 edits: %e s wall" $Z --home $T/b pull --into $T/out --wait 600s | tail -2
diff -r $T/src/big $T/out/big && echo "trees identical after edits"
grep VmHWM /proc/$RELAY/status || true
kill $RELAY
