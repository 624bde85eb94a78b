-- wrk script for vouchd's trust queries: each request asks about the next path of the file
-- named by WRK_PATHS (one `/v1/trust/sha256:...` per line, from `loadgen paths`), in a
-- different order on each of wrk's threads.
local paths = {}
local next_path = 1

function init(args)
  for line in io.lines(os.getenv("WRK_PATHS")) do
    paths[#paths + 1] = line
  end
  next_path = math.random(#paths)
end

function request()
  next_path = next_path % #paths + 1
  return wrk.format("GET", paths[next_path])
end
