-- wrk script for benchmarks/load.py: each connection cycles through pre-formatted requests
-- (a path and the headers of one user: a bearer token, or the dashboard's cookie), paced to
-- COPROD_LOAD_RATE requests/s in total when it is set (an open-loop schedule per wrk
-- thread), and every status is counted so that any non-2xx answer is an error.
--
-- COPROD_LOAD_REQUESTS  a file of lines "header-name<TAB>header-value<TAB>path"
-- COPROD_LOAD_RATE      requests per second over all threads; 0 or unset: as fast as it goes
-- COPROD_LOAD_THREADS   wrk's -t (to split the rate between threads)

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } coprod_timespec;
int clock_gettime(int clk_id, coprod_timespec *tp);
]]
local ts = ffi.new("coprod_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
  return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6
end

local rate = tonumber(os.getenv("COPROD_LOAD_RATE") or "0") or 0
local nthreads = tonumber(os.getenv("COPROD_LOAD_THREADS") or "1") or 1

local threads = {}
function setup(thread)
  thread:set("thread_no", #threads)
  table.insert(threads, thread)
end

local requests = {}
local position = 1
ok2, s3, s4, s5, s503, other = 0, 0, 0, 0, 0, 0

function init(args)
  local file = assert(io.open(os.getenv("COPROD_LOAD_REQUESTS"), "r"))
  for line in file:lines() do
    local name, value, path = line:match("^([^\t]+)\t([^\t]+)\t(.+)$")
    if path then
      table.insert(requests, wrk.format("GET", path, { [name] = value }))
    end
  end
  file:close()
  -- threads start at different places in the list, so they do not march in step
  position = 1 + ((thread_no or 0) * 7) % #requests
end

function request()
  local r = requests[position]
  position = position % #requests + 1
  return r
end

function response(status, headers, body)
  if status >= 200 and status < 300 then
    ok2 = ok2 + 1
  elseif status == 503 then
    s503 = s503 + 1
  elseif status >= 500 then
    s5 = s5 + 1
  elseif status >= 400 then
    s4 = s4 + 1
  elseif status >= 300 then
    s3 = s3 + 1
  else
    other = other + 1
  end
end

if rate > 0 then
  local period = 1000.0 * nthreads / rate -- ms between two requests of this thread
  local next_at = nil
  function delay()
    local t = now_ms()
    if next_at == nil then
      next_at = t
    end
    next_at = next_at + period
    local wait = next_at - t
    if wait < 0 then
      return 0
    end
    return math.floor(wait)
  end
end

function done(summary, latency, _requests)
  local counts = { ok2 = 0, s3 = 0, s4 = 0, s5 = 0, s503 = 0, other = 0 }
  for _, t in ipairs(threads) do
    for k, _ in pairs(counts) do
      counts[k] = counts[k] + (t:get(k) or 0)
    end
  end
  local e = summary.errors
  io.write(string.format(
    '\nCOPROD_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"socket_errors": {"connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d}, ' ..
    '"status": {"2xx": %d, "3xx": %d, "4xx": %d, "5xx_other": %d, "503": %d, "other": %d}, ' ..
    '"latency_us": {"mean": %.1f, "p50": %d, "p90": %d, "p95": %d, "p99": %d, "max": %d}}\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.timeout, e.status,
    counts.ok2, counts.s3, counts.s4, counts.s5, counts.s503, counts.other,
    latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.max))
end
