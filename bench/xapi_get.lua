-- wrk script for bench/xapi.py: GET /xapi/statements with filters.
--
--   wrk -t2 -c16 -d15s --latency -s bench/xapi_get.lua http://127.0.0.1:PORT -- CONFIG
--
-- CONFIG is a Lua file written by bench/xapi.py that returns
--   { auth = "Basic …", threads = 2, paths = { "/xapi/statements?agent=…", … } }
-- Each thread walks the paths round-robin from its own offset; the statements
-- in each 200 answer are counted (one "stored" key per statement).

local thread_count = 0
local threads = {}

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local cfg, headers, index
status_other = 0
items = 0

function init(args)
  cfg = dofile(args[1])
  headers = { ["Authorization"] = cfg.auth, ["X-Experience-API-Version"] = "1.0.3" }
  index = math.floor(#cfg.paths * tid / cfg.threads)
end

function request()
  index = index % #cfg.paths + 1
  return wrk.format("GET", cfg.paths[index], headers)
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    status_other = status_other + 1
  else
    local _, n = string.gsub(body, '"stored":', "")
    items = items + n
  end
end

function done(summary, latency, requests)
  local other, n = 0, 0
  for _, thread in ipairs(threads) do
    other = other + thread:get("status_other")
    n = n + thread:get("items")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "status_other": %d, "items": %d, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, other, n, e.connect + e.read + e.write + e.timeout))
end
