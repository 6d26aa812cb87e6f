-- Baseline: the server's ceiling on this machine, no database.
dofile(os.getenv("LUA_DIR") .. "/common.lua")
function init(args) common_init() end
request = function() return wrk.format("GET", "/health/live") end
