#!/usr/bin/env bash
# Meridian beside nginx with the nchan module: the same fan-out load (FanoutHarness), one after the other, on one
# machine.
#
#   bench/push/push-bench.sh [meridian|nchan|both]
#
# Each session subscribes over WebSocket to PER_SESSION of ITEMS items; RATE stamped updates a second go out round
# robin over the items. Meridian takes them from its simulated exchange; nchan from the harness, which publishes each
# over a WebSocket per channel. Needs nginx and its nchan module (Debian: apt-get install -y nginx
# libnginx-mod-nchan) and the built jars (./mvnw -q package -DskipTests).
# Environment: SESSIONS (100), ITEMS (100), PER_SESSION (10), RATE (1000), WARMUP (10), SECONDS_MEASURED (30),
# ROUNDS (1; each round runs both, alternating which goes first), OUT (directory for the results, bench/results/push),
# LABEL (file name stem, push), PAYLOAD (nchan message length, 88: a Meridian security delta of this load),
# MERIDIAN_JVM (Meridian's JVM options, -Xmx1g), MERIDIAN_SETTINGS (extra set.KEY=VALUE arguments),
# NCHAN_WORKERS (nginx worker processes, auto), NCHAN_MODULE (the module's file).
set -euo pipefail
cd "$(dirname "$0")/../.."

which=${1:-both}
sessions=${SESSIONS:-100}
items=${ITEMS:-100}
per_session=${PER_SESSION:-10}
rate=${RATE:-1000}
warmup=${WARMUP:-10}
seconds=${SECONDS_MEASURED:-30}
rounds=${ROUNDS:-1}
out=${OUT:-bench/results/push}
label=${LABEL:-push}
payload=${PAYLOAD:-88}
meridian_jvm=${MERIDIAN_JVM:--Xmx1g}
workers=${NCHAN_WORKERS:-auto}
module=${NCHAN_MODULE:-/usr/lib/nginx/modules/ngx_nchan_module.so}
port=18090

for tool in nginx java; do
    command -v "$tool" >/dev/null || { echo "needs $tool on the PATH" >&2; exit 1; }
done
[ -f "$module" ] || { echo "needs the nchan module at $module (apt-get install -y libnginx-mod-nchan)" >&2; exit 1; }
[ -f bench/target/benchmarks.jar ] || { echo "bench/target/benchmarks.jar is missing: ./mvnw -q package -DskipTests" >&2; exit 1; }

work=$(mktemp -d)
chmod 755 "$work"
# A copy, so that a build during the run cannot change what is measured.
cp bench/target/benchmarks.jar "$work/"
mkdir -p "$out"
cleanup()
{
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    sleep 0.5
    rm -rf "$work"
}
trap cleanup EXIT

harness()
{
    java --add-opens java.base/jdk.internal.misc=ALL-UNNAMED --add-opens java.base/java.nio=ALL-UNNAMED \
        --add-opens java.base/sun.nio.ch=ALL-UNNAMED -Xmx4g -cp "$work/benchmarks.jar" io.meridian.bench.FanoutHarness \
        sessions="$sessions" items="$items" per-session="$per_session" rate="$rate" warmup="$warmup" \
        seconds="$seconds" out="$out" "$@"
}

run_meridian()
{
    local name="$label-meridian-$1"
    # shellcheck disable=SC2086
    harness target=meridian label="$name" jvm="$meridian_jvm" ${MERIDIAN_SETTINGS:-} | tee "$out/$name.txt"
}

run_nchan()
{
    local name="$label-nchan-$1"
    cat > "$work/nginx.conf" <<CONF
load_module $module;
worker_processes $workers;
worker_rlimit_nofile 20000;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 16000; }
http {
    access_log off;
    nchan_shared_memory_size 256M;
    server {
        listen 127.0.0.1:$port;
        location = /pub {
            nchan_publisher websocket;
            nchan_channel_id \$arg_c;
            nchan_message_buffer_length 16;
            nchan_message_timeout 60s;
        }
        location = /sub {
            nchan_subscriber websocket;
            nchan_channel_id \$arg_c;
            nchan_channel_id_split_delimiter ",";
            nchan_subscriber_first_message newest;
        }
    }
}
CONF
    nginx -p "$work" -c "$work/nginx.conf"
    sleep 1
    local master pids
    master=$(cat "$work/nginx.pid")
    pids=$(pgrep -d, -P "$master")
    harness target=nchan label="$name" url="ws://127.0.0.1:$port" pids="$master,$pids" payload="$payload" \
        | tee "$out/$name.txt"
    {
        echo "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///'), nchan module from $(dpkg -S "$module" 2>/dev/null | cut -d: -f1) \
$(dpkg-query -W -f='${Version}' libnginx-mod-nchan 2>/dev/null), worker_processes $workers"
        if [ -s "$work/error.log" ]; then echo "nginx error log:"; tail -5 "$work/error.log"; fi
    } | tee -a "$out/$name.txt"
    kill "$master"
    while kill -0 "$master" 2>/dev/null; do sleep 0.2; done
    rm -f "$work/nginx.pid" "$work/error.log"
}

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "cores: $(nproc); $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); memory: $(free -g | awk '/Mem:/ {print $2}') GiB"
    echo "java: $(java -version 2>&1 | head -1)"
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
} | tee "$out/$label-machine.txt"

for round in $(seq 1 "$rounds"); do
    case "$which" in
        meridian) run_meridian "$round" ;;
        nchan) run_nchan "$round" ;;
        both)
            if [ $((round % 2)) -eq 1 ]; then run_meridian "$round"; run_nchan "$round";
            else run_nchan "$round"; run_meridian "$round"; fi ;;
        *) echo "usage: $0 [meridian|nchan|both]" >&2; exit 2 ;;
    esac
done
