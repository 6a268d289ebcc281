-- wrk script for bench/heartbeats.py: concurrent learners sending heartbeats.
--
--   wrk -t2 -c32 -d15s --latency -s bench/heartbeats.lua http://127.0.0.1:PORT -- CONFIG
--
-- CONFIG is a Lua file written by bench/heartbeats.py that returns
--   { target = "heartbeat" | "floor", threads = 2, seq_base = n, position = s,
--     floor_path = "/bench/floor/",
--     sessions = { { path = "/api/v1/progress/sessions/<uuid>/heartbeats/",
--                    cookie = "sessionid=…; csrftoken=…", csrf = "…",
--                    study_token = "…" }, … } }
-- Each wrk thread has its own Lua state, so session i goes to thread
-- (i - 1) % threads only: a sequence number is never issued by two threads.
-- Within a thread the sessions are taken round-robin; with many more sessions
-- than connections, a session's previous heartbeat has long been answered
-- before its next one is sent (a 409 would say otherwise: it is counted).
-- The floor target sends the same request (cookies, CSRF header, JSON body)
-- to the floor view instead.

local thread_count = 0
local threads = {}

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local cfg, mine, index, started, path_of
status_409 = 0
status_other = 0

function init(args)
  cfg = dofile(args[1])
  mine = {}
  for i, s in ipairs(cfg.sessions) do
    if (i - 1) % cfg.threads == tid then
      table.insert(mine, { path = s.path, seq = cfg.seq_base, headers = {
        ["Cookie"] = s.cookie,
        ["X-CSRFToken"] = s.csrf,
        ["X-Study-Token"] = s.study_token,
        ["Content-Type"] = "application/json",
      } })
    end
  end
  index = 0
  started = os.time()
end

function request()
  index = index % #mine + 1
  local s = mine[index]
  s.seq = s.seq + 1
  -- Whole seconds (wrk's Lua has no finer wall clock): the playhead moves
  -- with wall time, as a playing video's does.
  local position = cfg.position + (os.time() - started)
  local body = string.format(
    '{"seq": %d, "position": %d, "rate": 1.0, "playing": true, "visible": true, "event": "tick"}',
    s.seq, position)
  local path = s.path
  if cfg.target == "floor" then path = cfg.floor_path end
  return wrk.format("POST", path, s.headers, body)
end

function response(status, headers, body)
  if status == 409 then
    status_409 = status_409 + 1
  elseif status < 200 or status > 299 then
    status_other = status_other + 1
  end
end

function done(summary, latency, requests)
  local n409, other = 0, 0
  for _, thread in ipairs(threads) do
    n409 = n409 + thread:get("status_409")
    other = other + thread:get("status_other")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "status_409": %d, "status_other": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, n409, other,
    e.connect + e.read + e.write + e.timeout))
end
