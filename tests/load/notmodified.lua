-- Conditional GET of coverage with the current ETag: every answer must be 304 with no body.
dofile(os.getenv("LUA_DIR") .. "/common.lua")
function init(args)
  common_init()
  pairs_ = {}
  for _, line in ipairs(read_lines(os.getenv("IDS_FILE"))) do
    local id, etag = line:match("^(%d+) (.+)$")
    table.insert(pairs_, { id = id, etag = etag })
  end
end
request = function()
  local p = pairs_[math.random(#pairs_)]
  return wrk.format("GET", "/v1/stories/" .. p.id .. "/coverage", { ["If-None-Match"] = p.etag })
end
