-- Batch coverage of BATCH_SIZE distinct random stories from IDS_FILE.
dofile(os.getenv("LUA_DIR") .. "/common.lua")
function init(args)
  common_init()
  ids = read_lines(os.getenv("IDS_FILE"))
  size = tonumber(os.getenv("BATCH_SIZE") or "100")
end
request = function()
  local picked, chosen = {}, {}
  while #chosen < size do
    local id = ids[math.random(#ids)]
    if not picked[id] then picked[id] = true; table.insert(chosen, id) end
  end
  return wrk.format("GET", "/v1/coverage?storyIds=" .. table.concat(chosen, ","))
end
