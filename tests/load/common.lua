-- Shared by every NewsLens wrk scenario. The benchmark runner (tests/NewsLens.Benchmarks) sets:
--   EXPECT_STATUS  the status every answer must have (an answer with another status counts as unexpected)
--   IDS_FILE       one story id per line (or "id etag" for conditional requests)
--   API_KEY        the key for writes
--   RUN_ID         makes URLs written by this run unique
-- done() prints one line "WRK_JSON {...}" that the runner parses.
local threads = {}

function setup(thread)
  thread:set("tid", #threads + 1)
  table.insert(threads, thread)
end

function read_lines(path)
  local lines = {}
  for line in io.lines(path) do
    if line ~= "" then table.insert(lines, line) end
  end
  assert(#lines > 0, "no lines in " .. path)
  return lines
end

function common_init()
  expected = tonumber(os.getenv("EXPECT_STATUS") or "200")
  unexpected = 0
  writes = 0
  math.randomseed(tid * 7919 + os.time())
end

function response(status, headers, body)
  if status ~= expected then
    unexpected = unexpected + 1
    if unexpected <= 3 then
      io.stderr:write("unexpected status " .. status .. ": " .. string.sub(body or "", 1, 300) .. "\n")
    end
  end
end

function done(summary, latency, requests)
  local bad, written = 0, 0
  for _, t in ipairs(threads) do
    bad = bad + (t:get("unexpected") or 0)
    written = written + (t:get("writes") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"connectErrors":%d,"readErrors":%d,"writeErrors":%d,' ..
    '"statusErrors":%d,"timeouts":%d,"unexpected":%d,"writes":%d,"p50Us":%d,"p90Us":%d,"p99Us":%d,"maxUs":%d,"meanUs":%.1f}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout, bad, written,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
