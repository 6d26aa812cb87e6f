-- A dashboard list: a filter, a sort, and each story's coverage embedded.
dofile(os.getenv("LUA_DIR") .. "/common.lua")
local queries = {
  "/v1/stories?majority=left&include=coverage&limit=20",
  "/v1/stories?majority=right&minSources=5&include=coverage&limit=20",
  "/v1/stories?blindspot=any&include=coverage&limit=20",
  "/v1/stories?minSources=10&sort=most_sources&include=coverage&limit=20",
  "/v1/stories?majority=center&sort=recently_updated&include=coverage&limit=20",
}
function init(args) common_init() end
request = function() return wrk.format("GET", queries[math.random(#queries)]) end
