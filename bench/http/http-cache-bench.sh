#!/usr/bin/env bash
# Meridian's HTTP cache beside nginx proxy_cache, on one machine, in front of one origin.
#
#   bench/http/http-cache-bench.sh [hits|arrivals|all]
#
# hits:     cache-hit throughput with wrk (same connections, same objects) against each proxy in turn.
# arrivals: 600 virtual users arriving at 10 per second (HttpArrivals), against each proxy in turn.
# Needs nginx and wrk (Debian: apt-get install -y nginx wrk), and the built jars
# (./mvnw -q package -DskipTests). Environment: DURATION (s per wrk run, 15), CONNECTIONS (64), THREADS (wrk
# threads, 1), ROUNDS (3), USERS (600), RATE (10), ARRIVAL_RUNS (arrival runs per proxy, one after another, 1),
# CONNECTION_WARMUP (s per object and proxy of one-request connections before the arrivals, 0), JAVA_OPTS (Meridian's JVM options, none),
# MERIDIAN_SETTINGS (extra --set key=value arguments), PATHS (the objects, all four by default).
set -euo pipefail
cd "$(dirname "$0")/../.."

mode=${1:-all}
duration=${DURATION:-15}
connections=${CONNECTIONS:-64}
threads=${THREADS:-1}
rounds=${ROUNDS:-3}
users=${USERS:-600}
rate=${RATE:-10}
arrival_runs=${ARRIVAL_RUNS:-1}
connection_warmup=${CONNECTION_WARMUP:-0}
origin_port=18081
nginx_port=18082
meridian_port=18083

for tool in nginx wrk java curl; do
    command -v "$tool" >/dev/null || { echo "needs $tool on the PATH" >&2; exit 1; }
done
for jar in gateway/target/meridian.jar bench/target/benchmarks.jar; do
    [ -f "$jar" ] || { echo "$jar is missing: ./mvnw -q package -DskipTests" >&2; exit 1; }
done

work=$(mktemp -d)
chmod 755 "$work"   # nginx workers may run as another user
# Copies, so that a build during the run cannot change what is measured.
cp gateway/target/meridian.jar bench/target/benchmarks.jar "$work/"
meridian_pid=
cleanup()
{
    [ -n "$meridian_pid" ] && kill "$meridian_pid" 2>/dev/null || true
    [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
    sleep 0.5
    rm -rf "$work"
}
trap cleanup EXIT

# The objects: incompressible bytes of three sizes, and a compressible JSON document.
mkdir -p "$work/www/obj" "$work/www/json" "$work/cache"
head -c 1024 /dev/urandom > "$work/www/obj/1k"
head -c 16384 /dev/urandom > "$work/www/obj/16k"
head -c 131072 /dev/urandom > "$work/www/obj/128k"
# About 16 KiB of JSON: 180 quotes.
awk 'BEGIN { printf "["; for (i = 0; i < 180; i++) { if (i) printf ",";
    printf "{\"Code\":\"S%04d\",\"Market\":\"XSX\",\"Last\":\"%d.%02d\",\"Bid\":\"%d.%02d\",", i, i % 97, i % 100, i % 97, (i + 1) % 100;
    printf "\"Ask\":\"%d.%02d\",\"Volume\":%d}", i % 97, (i + 3) % 100, i * 131 } printf "]" }' \
    > "$work/www/json/16k.json"

cat > "$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    default_type application/octet-stream;
    types { application/json json; }
    proxy_cache_path $work/cache levels=1:2 keys_zone=bench:64m max_size=1g inactive=1d use_temp_path=off;
    upstream origin { server 127.0.0.1:$origin_port; keepalive 32; }
    # The origin, shared by both proxies.
    server {
        listen 127.0.0.1:$origin_port;
        root $work/www;
        gzip on;
        gzip_types application/json;
        gzip_vary on;
        location / { add_header Cache-Control "public, max-age=86400"; }
    }
    # nginx as the caching proxy.
    server {
        listen 127.0.0.1:$nginx_port;
        location / {
            proxy_pass http://origin;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_cache bench;
            proxy_cache_lock on;
            add_header X-Cache \$upstream_cache_status;
        }
    }
}
CONF
nginx -c "$work/nginx.conf"

# shellcheck disable=SC2086
java ${JAVA_OPTS:-} -jar "$work/meridian.jar" --port "$meridian_port" --origin "http://127.0.0.1:$origin_port" \
    --set sim.enabled=false --set trading.enabled=false ${MERIDIAN_SETTINGS:-} > "$work/meridian.log" 2>&1 &
meridian_pid=$!
for _ in $(seq 1 60); do
    curl -s -o /dev/null "http://127.0.0.1:$meridian_port/obj/1k" && break
    sleep 0.5
done

echo "== machine"
echo "date: $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(nproc) cores"
echo "java: $(java -version 2>&1 | head -1)"
echo "nginx: $(nginx -v 2>&1)"
echo "wrk: $(wrk -v 2>&1 | head -1)"
echo "meridian: JAVA_OPTS='${JAVA_OPTS:-}' settings: sim and trading off, ${MERIDIAN_SETTINGS:-defaults}"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

paths=${PATHS:-/obj/1k /obj/16k /obj/128k /json/16k.json}
# Fill both caches, and check that the next request is a hit.
for port in $nginx_port $meridian_port; do
    for path in $paths; do
        curl -s -o /dev/null -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$path"
        cache=$(curl -s -o /dev/null -D - -H 'Accept-Encoding: gzip' "http://127.0.0.1:$port$path" \
            | tr -d '\r' | awk -F': ' 'tolower($1)=="x-cache" {print $2}')
        [ "$cache" = "HIT" ] || { echo "port $port $path: X-Cache '$cache' after filling" >&2; exit 1; }
    done
done

wrk_run()
{
    local port=$1 path=$2 secs=$3
    wrk -t"$threads" -c"$connections" -d"${secs}s" --latency -H 'Accept-Encoding: gzip' \
        "http://127.0.0.1:$port$path"
}

if [ "$mode" = hits ] || [ "$mode" = all ]; then
    echo "== warm-up (10 s per object and proxy, not reported)"
    for path in $paths; do
        wrk_run $nginx_port "$path" 10 > /dev/null
        wrk_run $meridian_port "$path" 10 > /dev/null
    done
    echo "== cache hits: wrk -t$threads -c$connections -d${duration}s, Accept-Encoding: gzip"
    summary=""
    for round in $(seq 1 "$rounds"); do
        for path in $paths; do
            # Alternate which proxy goes first.
            if [ $((round % 2)) -eq 1 ]; then order="nginx meridian"; else order="meridian nginx"; fi
            for name in $order; do
                port=$nginx_port
                [ "$name" = meridian ] && port=$meridian_port
                echo "-- round $round $name $path"
                out=$(wrk_run "$port" "$path" "$duration")
                echo "$out"
                rps=$(echo "$out" | awk '/Requests\/sec/ {print $2}')
                p50=$(echo "$out" | awk '$1=="50%" {print $2}')
                p99=$(echo "$out" | awk '$1=="99%" {print $2}')
                summary+="$round $path $name $rps $p50 $p99"$'\n'
            done
        done
    done
    echo "== summary: round path proxy requests/s p50 p99"
    printf '%s' "$summary"
fi

if [ "$mode" = arrivals ] || [ "$mode" = all ]; then
    if [ "$connection_warmup" -gt 0 ]; then
        # Each request on a new connection, so the code that accepts and sets up connections is warm as well as the
        # code that answers; nginx has nothing to warm but gets the same load.
        echo "== connection warm-up: ${connection_warmup} s per proxy of one request per connection (not reported)"
        for port in $nginx_port $meridian_port; do
            for path in $paths; do
                wrk -t"$threads" -c8 -d"${connection_warmup}s" -H 'Connection: close' -H 'Accept-Encoding: gzip' \
                    "http://127.0.0.1:$port$path" > /dev/null
            done
        done
    fi
    echo "== arrivals: $users users at $rate/s, each GETs $paths on its own connection"
    for name in nginx meridian; do
        port=$nginx_port
        [ "$name" = meridian ] && port=$meridian_port
        for run in $(seq 1 "$arrival_runs"); do
            echo "-- $name, run $run of $arrival_runs"
            java -cp "$work/benchmarks.jar" io.meridian.bench.HttpArrivals "http://127.0.0.1:$port" \
                "$users" "$rate" $paths
        done
    done
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
