-- wrk script for bench/xapi.py: batches of fresh statements to POST /xapi/statements
-- (or, target "floor", the same requests to the floor view).
--
--   wrk -t2 -c16 -d15s --latency -s bench/xapi_post.lua http://127.0.0.1:PORT -- CONFIG
--
-- CONFIG is a Lua file written by bench/xapi.py that returns
--   { target = "xapi" | "floor", path = "/xapi/statements", auth = "Basic …",
--     nonce = n, batch = 50, threads = 2, agents = { "<agent JSON>", … },
--     verbs = { "<IRI>", … }, displays = { "<word>", … }, activities = 2000,
--     per_course = 40 }
-- Statement ids are unique without coordination: nonce (per run) – thread –
-- a counter of this thread.

local thread_count = 0
local threads = {}

function setup(thread)
  thread:set("tid", thread_count)
  thread_count = thread_count + 1
  table.insert(threads, thread)
end

local cfg, headers, counter
status_other = 0
items = 0

function init(args)
  cfg = dofile(args[1])
  headers = {
    ["Authorization"] = cfg.auth,
    ["X-Experience-API-Version"] = "1.0.3",
    ["Content-Type"] = "application/json",
  }
  counter = 0
  math.randomseed(cfg.nonce + tid * 7919)
end

local function next_id()
  counter = counter + 1
  return string.format("%08x-%04x-4%03x-8%03x-%012x", cfg.nonce, tid, math.random(0, 4095),
    math.random(0, 4095), counter)
end

local function random_uuid()
  return string.format("%04x%04x-%04x-4%03x-9%03x-%04x%04x%04x", math.random(0, 65535),
    math.random(0, 65535), math.random(0, 65535), math.random(0, 4095), math.random(0, 4095),
    math.random(0, 65535), math.random(0, 65535), math.random(0, 65535))
end

function request()
  local now = os.date("!%Y-%m-%dT%H:%M:%SZ")
  local parts = {}
  for i = 1, cfg.batch do
    local verb = math.random(1, #cfg.verbs)
    local act = math.random(0, cfg.activities - 1)
    local course = math.floor(act / cfg.per_course)
    local result = ""
    if verb >= 3 then
      result = string.format(
        ', "result": {"completion": true, "success": true, "score": {"scaled": 0.%02d}, '
          .. '"duration": "PT%dS"}', math.random(0, 99), math.random(60, 3600))
    end
    parts[i] = string.format(
      '{"id": "%s", "actor": %s, "verb": {"id": "%s", "display": {"en-US": "%s"}}, '
        .. '"object": {"objectType": "Activity", "id": "https://lms.example.com/activities/%d/lesson-%d", '
        .. '"definition": {"name": {"en-US": "Lesson %d"}, '
        .. '"type": "http://adlnet.gov/expapi/activities/lesson"}}, '
        .. '"context": {"registration": "%s", "platform": "jiangxue", "language": "zh-CN", '
        .. '"contextActivities": {"parent": [{"id": "https://lms.example.com/courses/%d", '
        .. '"objectType": "Activity"}]}}, "timestamp": "%s"%s}',
      next_id(), cfg.agents[math.random(1, #cfg.agents)], cfg.verbs[verb], cfg.displays[verb],
      course, act, act, random_uuid(), course, now, result)
  end
  return wrk.format("POST", cfg.path, headers, "[" .. table.concat(parts, ", ") .. "]")
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    status_other = status_other + 1
    if status_other <= 2 then  -- say why, once or twice per thread
      io.stderr:write(string.format("status %d: %s\n", status, string.sub(body, 1, 300)))
    end
  end
end

function done(summary, latency, requests)
  local other = 0
  for _, thread in ipairs(threads) do
    other = other + thread:get("status_other")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, '
      .. '"max_us": %d, "status_other": %d, "items": 0, "socket_errors": %d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, other, e.connect + e.read + e.write + e.timeout))
end
