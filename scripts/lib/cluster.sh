# Sourced by scripts/cluster-check: a Flink 2.2 session cluster (JobManager, TaskManagers) and a Kafka broker as
# separate JVM processes on this machine, assembled from Maven Central jars (recipe: /work/shared/CLUSTER.md).
# Expects $root (the repository) and $work (the work dir); every process started here is recorded in
# $work/run/pids ("name pid" lines) so that cluster_stop_all can end exactly those.

JAVA17_OPENS=(--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED
  --add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED
  --add-opens=java.base/java.lang=ALL-UNNAMED --add-opens=java.base/java.net=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
  --add-opens=java.base/java.text=ALL-UNNAMED --add-opens=java.base/java.time=ALL-UNNAMED
  --add-opens=java.base/java.util=ALL-UNNAMED --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
  --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED)

# JNI-bearing artifacts: Flink's lib/ (parent-first), never the job jar (README "Running on a Flink cluster").
JNI_JAR_GLOBS=(javacpp-*.jar javacv-*.jar ffmpeg-*.jar opencv-*.jar openblas-*.jar onnxruntime-*.jar)

log() { printf '[cluster-check %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
now_s() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# free_port: a port nobody listens on and that this run has not handed out yet
declare -A _ports_taken=()
free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$(( 20000 + RANDOM % 30000 ))
    if [ -z "${_ports_taken[$p]:-}" ] && port_free "$p"; then
      _ports_taken[$p]=1
      echo "$p"
      return 0
    fi
  done
  echo "no free port found" >&2
  return 1
}

# wait_for DESCRIPTION TIMEOUT_S COMMAND...: polls COMMAND every 0.5 s
wait_for() {
  local what="$1" timeout="$2"
  shift 2
  local deadline=$(( $(date +%s) + timeout ))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "timed out after ${timeout}s waiting for $what"
      return 1
    fi
    sleep 0.5
  done
}

# record NAME PID
record_pid() { echo "$1 $2" >> "$work/run/pids"; }
pid_of() { awk -v n="$1" '$1 == n { p = $2 } END { print p }' "$work/run/pids" 2>/dev/null; }
alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }

# cluster_stop_all: SIGTERM to every recorded process (newest first), SIGKILL to those still up after 15 s
cluster_stop_all() {
  [ -f "$work/run/pids" ] || return 0
  local pids=() name pid
  while read -r name pid; do pids=("$pid" "${pids[@]}"); done < "$work/run/pids"
  for pid in "${pids[@]}"; do alive "$pid" && kill -TERM "$pid" 2>/dev/null; done
  local deadline=$(( $(date +%s) + 15 ))
  for pid in "${pids[@]}"; do
    while alive "$pid" && [ "$(date +%s)" -lt "$deadline" ]; do sleep 0.3; done
    if alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  : > "$work/run/pids"
}

# cluster_flink_lib: the cached lib/ of a Flink 2.2.0 distribution from Maven Central, keyed by the pom's hash;
# prints its path
cluster_flink_lib() {
  local pom="$root/scripts/cluster/flink-dist-pom.xml"
  local key
  key=$(sha256sum "$pom" | cut -c1-16)
  local dir="$work/cache/flink-lib-$key"
  if [ ! -f "$dir/.complete" ]; then
    log "assembling Flink 2.2.0 lib/ from Maven Central into $dir"
    rm -rf "$dir" "$dir.tmp"
    mkdir -p "$dir.tmp"
    if ! mvn -B -q -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$dir.tmp" \
        > "$work/cache/flink-lib.log" 2>&1; then
      tail -n 30 "$work/cache/flink-lib.log" >&2
      log "could not assemble Flink's lib/ (log: $work/cache/flink-lib.log)"
      return 1
    fi
    ls "$dir.tmp"/flink-runtime-2.2.0.jar >/dev/null
    touch "$dir.tmp/.complete"
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}

# cluster_assemble_dist DIST FLINK_LIB JNI_SOURCE_DIR: DIST/lib (Flink + JNI jars, hard links where possible),
# DIST/conf (config.yaml, log4j)
cluster_assemble_dist() {
  local dist="$1" flinklib="$2" jnisrc="$3"
  rm -rf "$dist"
  mkdir -p "$dist/lib" "$dist/conf" "$dist/log"
  cp -l "$flinklib"/*.jar "$dist/lib/" 2>/dev/null || cp "$flinklib"/*.jar "$dist/lib/"
  local g n=0 f
  for g in "${JNI_JAR_GLOBS[@]}"; do
    for f in "$jnisrc"/$g; do
      [ -f "$f" ] || { log "missing JNI jar $jnisrc/$g"; return 1; }
      cp -l "$f" "$dist/lib/" 2>/dev/null || cp "$f" "$dist/lib/"
      n=$((n + 1))
    done
  done
  log "dist lib/: $(ls "$dist/lib" | wc -l) jars ($n JNI jars from $jnisrc)"
  cp "$root/scripts/cluster/log4j.properties" "$dist/conf/log4j.properties"
  cp "$root/scripts/cluster/log4j.properties" "$dist/conf/log4j-cli.properties"
  cp "$root/scripts/cluster/log4j.properties" "$dist/conf/log4j-console.properties"
}

# cluster_write_conf DIST: conf/config.yaml from scripts/cluster/config.yaml.in
cluster_write_conf() {
  local dist="$1"
  mkdir -p "$work/run/tmp/web" "$work/run/checkpoints" "$work/run/savepoints"
  sed -e "s|@JM_RPC_PORT@|$JM_RPC_PORT|g" -e "s|@REST_PORT@|$REST_PORT|g" -e "s|@BLOB_PORT@|$BLOB_PORT|g" \
      -e "s|@TM_MEMORY@|$TM_MEMORY|g" -e "s|@WORK@|$work/run|g" \
      "$root/scripts/cluster/config.yaml.in" > "$dist/conf/config.yaml"
}

_flink_java() {  # _flink_java LOGNAME MAINCLASS ARGS...: java with Flink's JVM flags, in the background
  local logname="$1"
  shift
  java -XX:+IgnoreUnrecognizedVMOptions "${JAVA17_OPENS[@]}" \
    -Dlog.file="$DIST/log/$logname.log" \
    -Dlog4j.configuration="file:$DIST/conf/log4j.properties" \
    -Dlog4j.configurationFile="file:$DIST/conf/log4j.properties" \
    -cp "$DIST/lib/*" "$@" > "$DIST/log/$logname.out" 2>&1 &
}

# resource params (-D / JVM flags) computed by Flink's BashJavaUtils, as bin/ scripts do
_bash_java_utils() {  # _bash_java_utils GET_JM_RESOURCE_PARAMS|GET_TM_RESOURCE_PARAMS
  local out
  out=$(java -cp "$DIST/lib/*" -Dlog4j.configurationFile="file:$DIST/conf/log4j.properties" \
    -Dlog.file="$DIST/log/bash-java-utils.log" \
    org.apache.flink.runtime.util.bash.BashJavaUtils "$1" --configDir "$DIST/conf" 2>&1) || {
      echo "$out" >&2; return 1; }
  # the last two BASH_JAVA_UTILS_EXEC_RESULT lines: JVM params, then dynamic -D configs
  echo "$out" | grep '^BASH_JAVA_UTILS_EXEC_RESULT:' | sed 's/^BASH_JAVA_UTILS_EXEC_RESULT://' | tail -n 2
}

cluster_start_jobmanager() {
  local params jvm dyn
  params=$(_bash_java_utils GET_JM_RESOURCE_PARAMS) || return 1
  jvm=$(echo "$params" | sed -n 1p)
  dyn=$(echo "$params" | sed -n 2p)
  # shellcheck disable=SC2086  # word splitting of the computed flags is intended
  _flink_java jobmanager $jvm org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint \
    --configDir "$DIST/conf" $dyn
  record_pid jobmanager $!
}

# cluster_start_taskmanager ID
cluster_start_taskmanager() {
  local id="$1" params jvm dyn
  params=$(_bash_java_utils GET_TM_RESOURCE_PARAMS) || return 1
  jvm=$(echo "$params" | sed -n 1p)
  dyn=$(echo "$params" | sed -n 2p)
  mkdir -p "$work/run/tmp/$id"
  # shellcheck disable=SC2086
  _flink_java "taskmanager-$id" $jvm org.apache.flink.runtime.taskexecutor.TaskManagerRunner \
    --configDir "$DIST/conf" $dyn -D "taskmanager.resource-id=$id" -D "io.tmp.dirs=$work/run/tmp/$id"
  record_pid "$id" $!
}

rest() { curl -sf --max-time 5 "http://localhost:$REST_PORT$1"; }

registered_taskmanagers() { rest /taskmanagers | jq '.taskmanagers | length'; }
_tms_at_least() { [ "$(registered_taskmanagers)" -ge "$1" ]; }
# _tm_registered ID: the TaskManager with this resource id is registered
_tm_registered() { rest /taskmanagers | jq -e --arg id "$1" 'any(.taskmanagers[]; .id == $id)'; }

# ---------------------------------------------------------------- a warehouse's versions (dataset "clips")
# the newest version's name, empty when none is sealed yet
latest_version() { tr -d ' \n' < "$1/clips/LATEST" 2>/dev/null || true; }
# manifest rows sealed so far by the build of the newest version (build.run_rows), 0 when none
sealed_rows() {
  local latest
  latest=$(latest_version "$1")
  [ -n "$latest" ] || { echo 0; return; }
  jq -r '.build.run_rows // 0' "$1/clips/versions/$latest.json" 2>/dev/null || echo 0
}
# every version file as one JSON array, oldest first
versions_json() { jq -s 'sort_by(.version)' "$1"/clips/versions/v*.json; }
