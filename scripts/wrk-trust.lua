-- wrk script for vouchd's trust queries: each request asks about the next path of the file
-- named by WRK_PATHS (one `/v1/trust/sha256:...` per line, from `loadgen paths`), in a
-- different order on each of wrk's threads. The requests are formatted once, in `init`:
-- formatting one per request cost wrk about 3 µs of CPU each, on the two cores vouchd shares
-- with it (measured: wrk's user time per request 8.3 µs against 5.2 µs).
local requests = {}
local next_request = 1

function init(args)
  for line in io.lines(os.getenv("WRK_PATHS")) do
    requests[#requests + 1] = wrk.format("GET", line)
  end
  next_request = math.random(#requests)
end

function request()
  next_request = next_request % #requests + 1
  return requests[next_request]
end
