-- Single-story coverage of a random story from IDS_FILE.
dofile(os.getenv("LUA_DIR") .. "/common.lua")
function init(args)
  common_init()
  ids = read_lines(os.getenv("IDS_FILE"))
end
request = function()
  return wrk.format("GET", "/v1/stories/" .. ids[math.random(#ids)] .. "/coverage")
end
