-- 90% coverage reads, 10% writes: a new article imported and linked to a random story (one NDJSON row).
dofile(os.getenv("LUA_DIR") .. "/common.lua")
function init(args)
  common_init()
  ids = read_lines(os.getenv("IDS_FILE"))
  outlets = read_lines(os.getenv("OUTLETS_FILE"))
  run = os.getenv("RUN_ID")
  key = os.getenv("API_KEY")
  counter = 0
end
request = function()
  local story = ids[math.random(#ids)]
  if math.random(100) <= 10 then
    counter = counter + 1
    writes = writes + 1
    local body = string.format(
      '{"url":"https://mixed.bench.example/%s/%d/%d","title":"Mixed load article","publishedAt":"2026-01-01T00:00:00Z","outletId":%s,"storyIds":[%s]}\n',
      run, tid, counter, outlets[math.random(#outlets)], story)
    return wrk.format("POST", "/v1/articles/import",
      { ["Content-Type"] = "application/x-ndjson", ["X-Api-Key"] = key }, body)
  end
  return wrk.format("GET", "/v1/stories/" .. story .. "/coverage")
end
