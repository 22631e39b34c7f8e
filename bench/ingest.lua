-- wrk script: POST NDJSON bodies of events to /api/v1/events, cycling through the files given
-- after `--`. `delay_ms` (env BENCH_DELAY_MS) paces each connection for a fixed-rate load.
--   wrk -t2 -c4 -d10s -s bench/ingest.lua http://127.0.0.1:PORT -- a.ndjson b.ndjson …
local bodies = {}
local n = 0
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")

function init(args)
  for _, path in ipairs(args) do
    local f = assert(io.open(path, "rb"))
    bodies[#bodies + 1] = f:read("*a")
    f:close()
  end
  n = math.random(#bodies)
end

function request()
  n = n % #bodies + 1
  return wrk.format("POST", "/api/v1/events", { ["Content-Type"] = "application/x-ndjson" }, bodies[n])
end

if delay_ms > 0 then
  function delay() return delay_ms end
end

function done(summary, latency, requests)
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"non2xx":%d,"errors":%d,"p50_us":%d,"p99_us":%d}\n',
    summary.requests, summary.duration, summary.errors.status,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
